package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/money"
	"github.com/inpctl/inpctl/internal/store"
	"github.com/spf13/cobra"
)

func newCreditNoteCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "credit-note",
		Short:   "Issue and list credit notes (avoirs)",
		Example: `  inpctl credit-note issue 9201 --amount 100,00 --reason "remise accordée"` + "\n  inpctl credit-note list",
		Args:    noArgs,
	}
	cmd.AddCommand(newCreditNoteIssueCmd(env), newCreditNoteListCmd(env))
	return cmd
}

type creditNoteIssueOpts struct {
	env                    *Env
	number, amount, reason string
}

func newCreditNoteIssueCmd(env *Env) *cobra.Command {
	o := &creditNoteIssueOpts{env: env}
	cmd := &cobra.Command{
		Use:   "issue INVOICE --amount A --reason TEXT",
		Short: "Issue a credit note on an invoice",
		Long: `Issue a credit note (avoir), partial or full, on an issued invoice: never
more than what remains on the invoice. What the student paid beyond what is
now owed becomes a credit in their favour (refundable). Asks for confirmation.` + exitDoc(
			"0   issued", "2   a bad amount or no reason", "4   no such invoice", "5   more than what remains on the invoice"),
		Example: `  inpctl credit-note issue 9201 --amount 314,00 --reason "tarif réduit césure accordé" --yes`,
		Args:    cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			o.number = args[0]
			return runCreditNoteIssue(c.Context(), o)
		},
	}
	cmd.Flags().StringVar(&o.amount, "amount", "", "amount, e.g. 628,00 (required)")
	cmd.Flags().StringVar(&o.reason, "reason", "", "why (printed on the credit note; required)")
	return cmd
}

func runCreditNoteIssue(ctx context.Context, o *creditNoteIssueOpts) error {
	amount, err := parseAmountFlag("--amount", o.amount)
	if err != nil {
		return err
	}
	svc, err := o.env.Service(ctx, "")
	if err != nil {
		return err
	}
	if err := o.env.Confirm(fmt.Sprintf("issue a credit note of %s on invoice %s?", amount, o.number)); err != nil {
		return err
	}
	cn, err := svc.IssueCreditNote(ctx, o.number, amount, o.reason)
	if err != nil {
		return err
	}
	o.env.Infof("✓ credit note %s issued on invoice %s: %s", cn.Number, cn.InvoiceNumber, cn.Amount)
	return PrintObject(o.env.Printer(), creditNoteView{cn, money.Currency}, func(w io.Writer) error {
		return writeTable(w, []store.CreditNote{cn}, creditNoteCols, nil)
	})
}

type creditNoteView struct {
	store.CreditNote
	Currency string `json:"currency"`
}

var creditNoteCols = []Col[store.CreditNote]{
	{Head: "N°", Cell: func(c store.CreditNote) string { return c.Number }},
	{Head: "Date", Cell: func(c store.CreditNote) string { return frDate(c.Date) }},
	{Head: "Facture", Cell: func(c store.CreditNote) string { return c.InvoiceNumber }},
	{Head: "N° étudiant", Cell: func(c store.CreditNote) string { return c.StudentID }},
	{Head: "Montant", Money: func(c store.CreditNote) money.Cents { return c.Amount }, Right: true},
	{Head: "Motif", Cell: func(c store.CreditNote) string { return c.Reason }},
}

func newCreditNoteListCmd(env *Env) *cobra.Command {
	var student string
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List credit notes in number order",
		Long:    "List issued credit notes." + exitDoc("0   listed (an empty list is not an error)"),
		Example: "  inpctl credit-note list\n  inpctl credit-note list --student 22104567 -o json",
		Args:    noArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			db, err := env.Store(c.Context())
			if err != nil {
				return err
			}
			rows, err := db.ListCreditNotes(c.Context(), student)
			if err != nil {
				return err
			}
			return Print(env.Printer(), rows, creditNoteCols, "no credit notes")
		},
	}
	cmd.Flags().StringVar(&student, "student", "", "only this student's credit notes")
	return cmd
}

// parseAmountFlag parses a required amount flag.
func parseAmountFlag(flag, v string) (money.Cents, error) {
	if v == "" {
		return 0, fault.New(fault.Usage, "%s is required (e.g. %s 628,00)", flag, flag)
	}
	a, err := money.Parse(v)
	if err != nil {
		return 0, fault.New(fault.Usage, "%s %v", flag, err)
	}
	if a == 0 {
		return 0, fault.New(fault.Usage, "%s must be more than 0,00 €", flag)
	}
	return a, nil
}
