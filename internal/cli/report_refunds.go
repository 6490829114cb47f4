package cli

import (
	"context"

	"github.com/inpctl/inpctl/internal/billing"
	"github.com/inpctl/inpctl/internal/money"
	"github.com/spf13/cobra"
)

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
	rows, total := billing.ReportRefunds(credits)
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

func reportRefundCols() []Col[billing.ReportRefundRow] {
	text := func(h string, f func(billing.ReportRefundRow) string) Col[billing.ReportRefundRow] {
		return Col[billing.ReportRefundRow]{Head: h, Cell: f}
	}
	return []Col[billing.ReportRefundRow]{
		text("N° étudiant", func(r billing.ReportRefundRow) string { return r.StudentID }),
		text("Nom", func(r billing.ReportRefundRow) string { return r.LastName }),
		text("Prénom", func(r billing.ReportRefundRow) string { return r.FirstName }),
		text("Paiement", func(r billing.ReportRefundRow) string { return r.Payment }),
		text("Date", func(r billing.ReportRefundRow) string { return r.Date }),
		text("Mode", func(r billing.ReportRefundRow) string { return billing.MethodFR(r.Method) }),
		text("NUMTRANS", func(r billing.ReportRefundRow) string { return r.NumTrans }),
		text("Retour", func(r billing.ReportRefundRow) string {
			if r.BackTo == "paybox" {
				return "Paybox"
			}
			return "manuel"
		}),
		{Head: "Payé", Money: func(r billing.ReportRefundRow) money.Cents { return r.Paid }, Right: true},
		{Head: "À rembourser", Money: func(r billing.ReportRefundRow) money.Cents { return r.Refundable }, Right: true},
	}
}
