package sandbox

import (
	"encoding/csv"
	"io"
	"sort"
	"strings"
)

// ExportLayout is the layout of the Paybox back office's transaction
// export (config accounting.paybox_export): the separator, the names of
// the columns the sandbox fills, and the values it writes in Type and
// Status (issue 20).
type ExportLayout struct {
	Separator                                                 rune
	Date, NumTrans, NumAppel, Reference, Amount, Type, Status string
	PaymentType, RefundType, OKStatus                         string
}

// Export writes what the sandbox did, in the layout of the back office's
// transaction export: a header line of the column names, then every
// approved payment (hosted page, Direct, Direct Plus charge) and every
// approved refund (TYPE 00014), oldest first (a payment cancelled with
// TYPE 00005 is left out: no money moved), dated in Paris time
// (DD/MM/YYYY HH:MM:SS), amounts with a comma decimal (628,00). A payment
// whose answer was lost (fault injection, the lose-answer card) is in it:
// Paybox took the money.
func (s *Sandbox) Export(w io.Writer, l ExportLayout) error {
	type row struct {
		tx     Transaction
		refund bool
	}
	var rows []row
	for _, tx := range s.Records() {
		if !tx.Cancelled { // voided before settlement: no money moved
			rows = append(rows, row{tx, false})
		}
	}
	for _, tx := range s.Refunds() {
		rows = append(rows, row{tx, true})
	}
	sort.SliceStable(rows, func(i, j int) bool {
		if !rows[i].tx.Time.Equal(rows[j].tx.Time) {
			return rows[i].tx.Time.Before(rows[j].tx.Time)
		}
		return rows[i].tx.NumTrans < rows[j].tx.NumTrans
	})
	cw := csv.NewWriter(w)
	if l.Separator != 0 {
		cw.Comma = l.Separator
	}
	if err := cw.Write([]string{l.Date, l.NumTrans, l.NumAppel, l.Reference, l.Amount, l.Type, l.Status}); err != nil {
		return err
	}
	loc := paris()
	for _, r := range rows {
		typ := l.PaymentType
		if r.refund {
			typ = l.RefundType
		}
		rec := []string{r.tx.Time.In(loc).Format("02/01/2006 15:04:05"), r.tx.NumTrans, r.tx.NumAppel, r.tx.Reference,
			strings.Replace(r.tx.Amount.Plain(), ".", ",", 1), typ, l.OKStatus}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
