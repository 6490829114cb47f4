package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/inpctl/inpctl/internal/billing"
	"github.com/inpctl/inpctl/internal/money"
	"github.com/inpctl/inpctl/internal/store"
	"github.com/spf13/cobra"
)

func newInvoiceCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "invoice",
		Short:   "Issue, list, show and render invoices",
		Example: "  inpctl invoice issue 22104567\n  inpctl invoice list\n  inpctl invoice render --all --out invoices/",
		Args:    noArgs,
	}
	cmd.AddCommand(newInvoiceIssueCmd(env), newInvoiceListCmd(env), newInvoiceShowCmd(env), newInvoiceRenderCmd(env))
	return cmd
}

// invoiceView is an invoice as JSON shows it.
type invoiceView struct {
	store.Invoice
	Lines    []lineView  `json:"lines"`
	Due      money.Cents `json:"due_cents"`
	Currency string      `json:"currency"`
}

func viewInvoice(inv store.Invoice) invoiceView {
	v := invoiceView{Invoice: inv, Lines: []lineView{}, Due: billing.InvoiceDue(inv), Currency: money.Currency}
	for _, l := range inv.Lines {
		v.Lines = append(v.Lines, lineView{l.Designation, l.Qty, l.UnitHT, l.VATRate, l.DiscountPct, l.HT()})
	}
	return v
}

type invoiceIssueOpts struct {
	env           *Env
	student, year string
}

func newInvoiceIssueCmd(env *Env) *cobra.Command {
	o := &invoiceIssueOpts{env: env}
	cmd := &cobra.Command{
		Use:   "issue STUDENT_ID",
		Short: "Issue the invoice of a student's current order",
		Long: `Issue the invoice of the student's current order now (e.g. a company-financed
order). Invoices are otherwise issued when the first payment arrives. The
number is the next of the invoice series, with no gap. Refused for a
zero-amount order or an order already invoiced. Asks for confirmation.` + exitDoc(
			"0   issued", "4   no such student", "5   zero amount, no order, or already invoiced"),
		Example: "  inpctl invoice issue 22104567 --yes",
		Args:    cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			o.student = args[0]
			return runInvoiceIssue(c.Context(), o)
		},
	}
	cmd.Flags().StringVar(&o.year, "year", "", "academic year (default: the config's)")
	return cmd
}

func runInvoiceIssue(ctx context.Context, o *invoiceIssueOpts) error {
	svc, err := o.env.Service(ctx, o.year)
	if err != nil {
		return err
	}
	if err := o.env.Confirm(fmt.Sprintf("issue the invoice of student %s (a legal document, never deleted)?", o.student)); err != nil {
		return err
	}
	inv, err := svc.IssueInvoice(ctx, o.student)
	if err != nil {
		return err
	}
	o.env.Infof("✓ invoice %s issued: %s", inv.Number, inv.TTC)
	v := viewInvoice(inv)
	return PrintObject(o.env.Printer(), v, func(w io.Writer) error { return writeInvoice(w, v) })
}

func writeInvoice(w io.Writer, v invoiceView) error {
	if err := writeKV(w, [][2]string{
		{"Facture n°", v.Number}, {"Date", frDate(v.Date)}, {"Commande", v.OrderNumber}, {"Libellé", v.Libelle},
		{"Session", v.Session}, {"Client", v.ClientName}, {"Adresse", strings.ReplaceAll(v.ClientAddress, "\n", ", ")},
	}); err != nil {
		return err
	}
	fmt.Fprintln(w)
	cols := []Col[lineView]{
		{Head: "Désignation", Cell: func(l lineView) string { return l.Designation }},
		{Head: "Inscrits", Cell: func(lineView) string { return "1" }, Right: true},
		{Head: "Qté", Cell: func(l lineView) string { return fmt.Sprint(l.Qty) }, Right: true},
		{Head: "Remise (%)", Cell: func(l lineView) string { return fmt.Sprint(l.DiscountPct) }, Right: true},
		{Head: "TVA (%)", Cell: func(l lineView) string { return fmt.Sprintf("%d", l.VATRateBP/100) }, Right: true},
		{Head: "Montant HT", Money: func(l lineView) money.Cents { return l.AmountHT }, Right: true},
	}
	if err := writeTable(w, v.Lines, cols, nil); err != nil {
		return err
	}
	return writeKV(w, [][2]string{
		{"Total HT", v.HT.String()}, {"Total TVA", v.TVA.String()}, {"Total TTC", v.TTC.String()},
		{"Avoirs", v.Credited.String()}, {"Réglé", v.Allocated.String()}, {"Reste dû", v.Due.String()},
		{"", v.VATMention},
	})
}

type invoiceListOpts struct {
	env                        *Env
	session, from, to, student string
}

var invoiceCols = []Col[store.Invoice]{
	{Head: "N°", Cell: func(i store.Invoice) string { return i.Number }},
	{Head: "Date", Cell: func(i store.Invoice) string { return frDate(i.Date) }},
	{Head: "N° étudiant", Cell: func(i store.Invoice) string { return i.StudentID }},
	{Head: "Client", Cell: func(i store.Invoice) string { return i.ClientName }},
	{Head: "TTC", Money: func(i store.Invoice) money.Cents { return i.TTC }, Right: true},
	{Head: "Avoir TTC", Money: func(i store.Invoice) money.Cents { return i.Credited }, Right: true},
	{Head: "Réglé TTC", Money: func(i store.Invoice) money.Cents { return i.Allocated }, Right: true},
	{Head: "Reste dû", Money: func(i store.Invoice) money.Cents { return billing.InvoiceDue(i) }, Right: true},
}

func newInvoiceListCmd(env *Env) *cobra.Command {
	o := &invoiceListOpts{env: env}
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List invoices in number order",
		Long:    "List issued invoices with what was credited, paid and is still due." + exitDoc("0   listed (an empty list is not an error)", "2   a bad date"),
		Example: "  inpctl invoice list\n  inpctl invoice list --from 2025-09-01 --to 2025-09-30 -o csv",
		Args:    noArgs,
		RunE:    func(c *cobra.Command, _ []string) error { return runInvoiceList(c.Context(), o) },
	}
	cmd.Flags().StringVar(&o.session, "session", "", "only invoices of this session (e.g. \"P2225_Y3_3A - Ingénieur …\")")
	cmd.Flags().StringVar(&o.from, "from", "", "issued on or after this date (YYYY-MM-DD)")
	cmd.Flags().StringVar(&o.to, "to", "", "issued on or before this date (YYYY-MM-DD)")
	cmd.Flags().StringVar(&o.student, "student", "", "only this student's invoices")
	return cmd
}

func runInvoiceList(ctx context.Context, o *invoiceListOpts) error {
	from, to, err := dateRange(o.from, o.to)
	if err != nil {
		return err
	}
	if err := (filters{InvoiceSession: o.session}).check(ctx, o.env); err != nil {
		return err
	}
	db, err := o.env.Store(ctx)
	if err != nil {
		return err
	}
	rows, err := db.ListInvoices(ctx, store.InvoiceFilter{StudentID: o.student, Session: o.session, From: from, To: to})
	if err != nil {
		return err
	}
	return Print(o.env.Printer(), rows, invoiceCols, "no invoices match")
}

type invoiceShowOpts struct {
	env *Env
}

func newInvoiceShowCmd(env *Env) *cobra.Command {
	o := &invoiceShowOpts{env: env}
	return &cobra.Command{
		Use:     "show NUMBER",
		Short:   "Show an invoice with what was paid and is still due",
		Long:    "Show an issued invoice." + exitDoc("0   shown", "4   no such invoice"),
		Example: "  inpctl invoice show 9201\n  inpctl invoice show 9201 -o json",
		Args:    cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			db, err := o.env.Store(c.Context())
			if err != nil {
				return err
			}
			inv, err := db.Invoice(c.Context(), args[0])
			if err != nil {
				return err
			}
			v := viewInvoice(inv)
			// CSV: the row invoice list gives.
			return PrintObjectCSV(o.env.Printer(), v, func(w io.Writer) error { return writeInvoice(w, v) }, []store.Invoice{inv}, invoiceCols)
		},
	}
}
