package journal

import (
	"fmt"
	"slices"
	"strings"

	"github.com/inpctl/inpctl/internal/csvin"
	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/money"
)

// PayboxLayout is how the back office's transaction export is read (config
// accounting.paybox_export): the names of its columns, and the values of
// Type and Status that are money.
type PayboxLayout struct {
	Date, NumTrans, NumAppel, Reference, Amount, Type, Status string
	PaymentTypes, RefundTypes, OKStatuses                     []string
}

// PayboxTx is one transaction of the export that moved money: a payment
// or a refund that went through.
type PayboxTx struct {
	Line      int    // its line in the file
	Date      string // YYYY-MM-DD
	NumTrans  string
	NumAppel  string
	Reference string
	Amount    money.Cents // positive
	Refund    bool
}

// PayboxExport is what ReadPayboxExport read.
type PayboxExport struct {
	Txs      []PayboxTx
	Skipped  int    // rows that are no money (an authorization alone, a refusal)
	From, To string // the first and last day of the transactions
}

// ReadPayboxExport reads the export in data (file names it in messages):
// ; or , separated, UTF-8 with or without BOM, a header row naming at
// least the columns of l. Every bad row is reported as file:line: column:
// problem, and the file is then refused whole (exit 2): a reconciliation
// never runs on part of an export.
func ReadPayboxExport(file string, data []byte, l PayboxLayout) (PayboxExport, error) {
	rd, err := csvin.NewReader(file, data)
	if err != nil {
		return PayboxExport{}, err
	}
	col := func(name string) string { return strings.ToLower(strings.TrimSpace(name)) }
	for _, c := range []string{l.Date, l.NumTrans, l.NumAppel, l.Reference, l.Amount, l.Type, l.Status} {
		if !slices.Contains(rd.Columns, col(c)) {
			return PayboxExport{}, fault.New(fault.Usage, "%s:1: no column %q (the export's columns: %s)", file, c, strings.Join(rd.Columns, ", ")).
				WithHint("name the columns of your export in the config, accounting.paybox_export.columns")
		}
	}
	var x PayboxExport
	var errs csvin.Errors
	for {
		rec, ok, err := rd.Next()
		if err != nil {
			return PayboxExport{}, err
		}
		if !ok {
			break
		}
		bad := func(c, format string, args ...any) {
			errs = append(errs, csvin.LineError{File: file, Line: rec.Line, Field: c, Msg: fmt.Sprintf(format, args...)})
		}
		typ, status := rec.Get(col(l.Type)), rec.Get(col(l.Status))
		refund := slices.Contains(l.RefundTypes, typ)
		if !refund && !slices.Contains(l.PaymentTypes, typ) || !slices.Contains(l.OKStatuses, status) {
			x.Skipped++
			continue
		}
		tx := PayboxTx{Line: rec.Line, NumTrans: rec.Get(col(l.NumTrans)), NumAppel: rec.Get(col(l.NumAppel)),
			Reference: rec.Get(col(l.Reference)), Refund: refund}
		var ok2 bool
		if tx.Date, ok2 = exportDate(rec.Get(col(l.Date))); !ok2 {
			bad(l.Date, "%q is not a date (DD/MM/YYYY or YYYY-MM-DD, a time may follow)", rec.Get(col(l.Date)))
		}
		amt := strings.TrimPrefix(rec.Get(col(l.Amount)), "-") // a refund may be written negative
		if tx.Amount, err = money.Parse(amt); err != nil || tx.Amount == 0 {
			bad(l.Amount, "%q is not an amount in euros (e.g. 628,00)", rec.Get(col(l.Amount)))
		}
		if tx.NumTrans == "" && tx.Reference == "" {
			bad(l.NumTrans, "empty, and so is %s: the transaction cannot be matched", l.Reference)
		}
		x.Txs = append(x.Txs, tx)
		if x.From == "" || tx.Date < x.From {
			x.From = tx.Date
		}
		x.To = max(x.To, tx.Date)
	}
	if errs = append(rd.ShapeErrors(), errs...); len(errs) > 0 {
		return PayboxExport{}, errs.Fault()
	}
	return x, nil
}

// exportDate reads DD/MM/YYYY or YYYY-MM-DD, followed or not by a time,
// as YYYY-MM-DD.
func exportDate(s string) (string, bool) {
	d, _, _ := strings.Cut(strings.TrimSpace(s), " ")
	d, _, _ = strings.Cut(d, "T")
	var y, m, day string
	switch {
	case len(d) == 10 && d[2] == '/' && d[5] == '/':
		day, m, y = d[0:2], d[3:5], d[6:10]
	case len(d) == 10 && d[4] == '-' && d[7] == '-':
		y, m, day = d[0:4], d[5:7], d[8:10]
	default:
		return "", false
	}
	for _, r := range y + m + day {
		if r < '0' || r > '9' {
			return "", false
		}
	}
	if m < "01" || m > "12" || day < "01" || day > "31" {
		return "", false
	}
	return y + "-" + m + "-" + day, true
}
