package cli

import (
	"context"

	"github.com/inpctl/inpctl/internal/money"
	"github.com/spf13/cobra"
)

// reportRefundRow is a credit to refund: the part of a payment that is
// neither allocated to an invoice nor refunded, and where a refund of it
// would go.
type reportRefundRow struct {
	StudentID  string      `json:"student_id"`
	LastName   string      `json:"last_name"`
	FirstName  string      `json:"first_name"`
	Payment    string      `json:"payment"`
	Date       string      `json:"date"`
	Method     string      `json:"method"`
	NumTrans   string      `json:"numtrans"`
	BackTo     string      `json:"back_to"` // paybox (a card refund, TYPE 00014) or manual
	Paid       money.Cents `json:"payment_cents"`
	Refundable money.Cents `json:"refundable_cents"`
	Currency   string      `json:"currency"`
}

func newReportRefundsCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "refunds",
		Short: "Print the credits to refund and the payment each would go back to",
		Long: `Print every payment with a part that is neither allocated to an invoice nor
refunded (a refund sent to Paybox whose outcome is not known yet counts as
spent): the credit a refund would send back to that payment. A card
payment is refunded through Paybox on its NUMTRANS ("inpctl refund
STUDENT --payment REG…"), a cheque, transfer or cash payment by hand. The
total line is the sum of the lines; it is what account list --credit shows
in favour of the students (plus any refund recorded without a payment, which
comes off a student's credit but off no payment).` + exitDoc("0   printed (no credit is not an error)"),
		Example: `  inpctl report refunds
  inpctl report refunds -o csv --csv-dialect excel-fr > a-rembourser.csv
  inpctl refund 22100002 --payment REG000007 --amount 72,00 --reason trop-perçu`,
		Args: noArgs,
		RunE: func(c *cobra.Command, _ []string) error { return runReportRefunds(c.Context(), env) },
	}
	return cmd
}

func runReportRefunds(ctx context.Context, env *Env) error {
	db, err := env.Store(ctx)
	if err != nil {
		return err
	}
	credits, err := db.ReportCredits(ctx)
	if err != nil {
		return err
	}
	rows := make([]reportRefundRow, 0, len(credits))
	var total reportRefundRow
	for _, c := range credits {
		back := "manual"
		if c.Method == "card" {
			back = "paybox"
		}
		rows = append(rows, reportRefundRow{c.StudentID, c.LastName, c.FirstName, c.Payment, c.Date, c.Method, c.NumTrans, back,
			c.Paid, c.Free, money.Currency})
		total.Paid, total.Refundable = total.Paid+c.Paid, total.Refundable+c.Free
	}
	p := env.Printer()
	cols := reportRefundCols()
	if p.Format != "table" || len(rows) == 0 {
		return Print(p, rows, cols, "no credit to refund")
	}
	cells := make([]string, len(cols))
	for i, c := range cols {
		if c.Money != nil {
			cells[i] = c.cell(total)
		}
	}
	cells[0] = plural(len(rows), "crédit")
	return PrintWithTotal(p, rows, cols, cells)
}

var methodFR = map[string]string{"card": "CB", "cheque": "chèque", "transfer": "virement", "cash": "espèces"}

func reportRefundCols() []Col[reportRefundRow] {
	text := func(h string, f func(reportRefundRow) string) Col[reportRefundRow] {
		return Col[reportRefundRow]{Head: h, Cell: f}
	}
	return []Col[reportRefundRow]{
		text("N° étudiant", func(r reportRefundRow) string { return r.StudentID }),
		text("Nom", func(r reportRefundRow) string { return r.LastName }),
		text("Prénom", func(r reportRefundRow) string { return r.FirstName }),
		text("Paiement", func(r reportRefundRow) string { return r.Payment }),
		text("Date", func(r reportRefundRow) string { return r.Date }),
		text("Mode", func(r reportRefundRow) string { return methodFR[r.Method] }),
		text("NUMTRANS", func(r reportRefundRow) string { return r.NumTrans }),
		text("Retour", func(r reportRefundRow) string {
			if r.BackTo == "paybox" {
				return "Paybox"
			}
			return "manuel"
		}),
		{Head: "Payé", Money: func(r reportRefundRow) money.Cents { return r.Paid }, Right: true},
		{Head: "À rembourser", Money: func(r reportRefundRow) money.Cents { return r.Refundable }, Right: true},
	}
}
