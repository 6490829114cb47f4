package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/inpctl/inpctl/internal/billing"
	"github.com/inpctl/inpctl/internal/fees"
	"github.com/inpctl/inpctl/internal/money"
	"github.com/inpctl/inpctl/internal/store"
	"github.com/spf13/cobra"
)

func newDossierCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "dossier",
		Short:   "Set fee codes, validate or reject dossiers",
		Example: "  inpctl dossier set-code 22104567 01\n  inpctl dossier validate --all-declared\n  inpctl dossier show 22104567",
		Args:    noArgs,
	}
	cmd.AddCommand(newDossierSetCodeCmd(env), newDossierSetPayerCmd(env), newDossierValidateCmd(env), newDossierRejectCmd(env),
		newDossierShowCmd(env), newDossierListCmd(env))
	return cmd
}

// orderView is an order as JSON shows it: amounts in cents plus currency.
type orderView struct {
	Number   string      `json:"number"`
	Date     string      `json:"date"`
	Code     string      `json:"code"`
	Lines    []lineView  `json:"lines"`
	HT       money.Cents `json:"ht_cents"`
	TVA      money.Cents `json:"tva_cents"`
	TTC      money.Cents `json:"ttc_cents"`
	Financed money.Cents `json:"financed_ttc_cents"`
	Payer    string      `json:"payer,omitempty"`
	Currency string      `json:"currency"`
	Blocked  string      `json:"blocked_reason"`
	Invoiced bool        `json:"invoiced"`
}

type lineView struct {
	Designation string      `json:"designation"`
	Qty         int         `json:"qty"`
	UnitHT      money.Cents `json:"unit_ht_cents"`
	VATRateBP   int         `json:"vat_rate_bp"`
	DiscountPct int         `json:"discount_pct"`
	AmountHT    money.Cents `json:"amount_ht_cents"`
}

func viewOrder(o store.Order) *orderView {
	if o.Number == "" {
		return nil
	}
	v := &orderView{Number: o.Number, Date: o.Date, Code: o.Code, Lines: []lineView{}, HT: o.HT, TVA: o.TVA, TTC: o.TTC,
		Financed: billing.FinancedPart(o.TTC, o.Financed, o.PayerName != "", o.PayerShare), Payer: o.PayerName, Currency: money.Currency, Blocked: o.BlockedReason, Invoiced: o.Invoiced}
	for _, l := range o.Lines {
		v.Lines = append(v.Lines, lineView{l.Designation, l.Qty, l.UnitHT, l.VATRate, l.DiscountPct, l.HT()})
	}
	return v
}

type dossierView struct {
	store.Dossier
	Order *orderView `json:"order"`
}

// writeDossier prints a dossier and its order the way the seed's screen does.
func writeDossier(w io.Writer, d store.Dossier, o *orderView) error {
	if err := writeKV(w, [][2]string{
		{"Étudiant", fmt.Sprintf("%s %s (%s)", d.FirstName, d.LastName, d.StudentID)},
		{"Formation", d.Programme}, {"Année", d.Year}, {"Dossier", d.Status}, {"Code", d.Code},
		{"Justificatif", d.Proof}, {"Motif", d.Reason},
	}); err != nil {
		return err
	}
	if o == nil {
		return nil
	}
	fmt.Fprintf(w, "\nCommande %s du %s\n", o.Number, frDate(o.Date))
	cols := []Col[lineView]{
		{Head: "Type de produit", Cell: func(l lineView) string { return l.Designation }},
		{Head: "Quantité", Cell: func(l lineView) string { return fmt.Sprint(l.Qty) }, Right: true},
		{Head: "Prix unitaire HT", Money: func(l lineView) money.Cents { return l.UnitHT }, Right: true},
		{Head: "Total HT", Money: func(l lineView) money.Cents { return l.AmountHT }, Right: true},
		{Head: "Taux TVA", Cell: func(l lineView) string { return fmt.Sprintf("%d,%02d %%", l.VATRateBP/100, l.VATRateBP%100) }, Right: true},
		{Head: "Total TTC", Money: func(l lineView) money.Cents { return l.AmountHT }, Right: true},
	}
	total := []string{"Total à payer", "", "", o.HT.String(), o.TVA.String(), o.TTC.String()}
	if err := writeTable(w, o.Lines, cols, total); err != nil {
		return err
	}
	if o.Financed > 0 {
		fmt.Fprintf(w, "Financé TTC (tiers payeur)  %s\n", o.Financed)
	}
	if o.Payer != "" {
		fmt.Fprintf(w, "Payeur  %s\n", o.Payer)
	}
	if o.Blocked != "" {
		fmt.Fprintf(w, "Blocage  %s\n", o.Blocked)
	}
	return nil
}

// frDate turns YYYY-MM-DD into DD/MM/YYYY for people.
func frDate(iso string) string {
	if len(iso) < 10 {
		return iso
	}
	return iso[8:10] + "/" + iso[5:7] + "/" + iso[0:4]
}

type dossierShowOpts struct {
	env      *Env
	id, year string
}

func newDossierShowCmd(env *Env) *cobra.Command {
	o := &dossierShowOpts{env: env}
	cmd := &cobra.Command{
		Use:     "show STUDENT_ID",
		Short:   "Show a dossier, its order lines and totals",
		Long:    "Show a student's dossier for the academic year and the order it gives." + exitDoc("0   shown", "4   no such student or dossier"),
		Example: "  inpctl dossier show 22104567\n  inpctl dossier show 22104567 -o json",
		Args:    cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			o.id = args[0]
			return runDossierShow(c.Context(), o)
		},
	}
	cmd.Flags().StringVar(&o.year, "year", "", "academic year (default: the config's)")
	return cmd
}

func runDossierShow(ctx context.Context, o *dossierShowOpts) error {
	year, err := yearOrDefault(o.env, o.year)
	if err != nil {
		return err
	}
	db, err := o.env.Store(ctx)
	if err != nil {
		return err
	}
	d, err := db.Dossier(ctx, o.id, year)
	if err != nil {
		return err
	}
	ord, _, err := db.OrderOf(ctx, d.ID)
	if err != nil {
		return err
	}
	v := dossierView{d, viewOrder(ord)}
	// CSV: the row dossier list gives.
	return PrintObjectCSV(o.env.Printer(), v, func(w io.Writer) error { return writeDossier(w, d, v.Order) }, []store.Dossier{d}, dossierCols)
}

type dossierListOpts struct {
	env                           *Env
	year, status, code, programme string
}

var dossierCols = []Col[store.Dossier]{
	{Head: "N° étudiant", Cell: func(d store.Dossier) string { return d.StudentID }},
	{Head: "Nom", Cell: func(d store.Dossier) string { return d.LastName + " " + d.FirstName }},
	{Head: "Formation", Cell: func(d store.Dossier) string { return d.Programme }},
	{Head: "Dossier", Cell: func(d store.Dossier) string { return d.Status }},
	{Head: "Code", Cell: func(d store.Dossier) string { return d.Code }},
	{Head: "Commande", Cell: func(d store.Dossier) string { return d.OrderNumber }},
	{Head: "Total TTC", Money: func(d store.Dossier) money.Cents { return d.TotalTTC }, Right: true},
}

func newDossierListCmd(env *Env) *cobra.Command {
	o := &dossierListOpts{env: env}
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List dossiers with their code and order total",
		Long:    "List the dossiers of an academic year with their fee code and order total." + exitDoc("0   listed (an empty list is not an error)"),
		Example: "  inpctl dossier list --status declared\n  inpctl dossier list --code 05 -o csv",
		Args:    noArgs,
		RunE:    func(c *cobra.Command, _ []string) error { return runDossierList(c.Context(), o) },
	}
	cmd.Flags().StringVar(&o.year, "year", "", "academic year (default: the config's)")
	cmd.Flags().StringVar(&o.status, "status", "", "pending, declared, validated or rejected")
	cmd.Flags().StringVar(&o.code, "code", "", "only this fee code")
	cmd.Flags().StringVar(&o.programme, "programme", "", "only this programme")
	return cmd
}

func runDossierList(ctx context.Context, o *dossierListOpts) error {
	year, err := yearOrDefault(o.env, o.year)
	if err != nil {
		return err
	}
	if err := oneOf("--status", o.status, "", string(fees.DossierPending), string(fees.DossierDeclared), string(fees.DossierValidated), string(fees.DossierRejected)); err != nil {
		return err
	}
	if err := (filters{Programme: o.programme, Code: o.code, Year: o.year}).check(ctx, o.env); err != nil {
		return err
	}
	db, err := o.env.Store(ctx)
	if err != nil {
		return err
	}
	rows, err := db.ListDossiers(ctx, store.DossierFilter{Year: year, Status: o.status, Code: o.code, Programme: o.programme})
	if err != nil {
		return err
	}
	if len(rows) == 0 || o.env.flags.output != "table" {
		return Print(o.env.Printer(), rows, dossierCols, "no dossiers match")
	}
	return PrintWithTotal(o.env.Printer(), rows, dossierCols, []string{fmt.Sprintf("%d dossiers", len(rows)), "", "", "", "", "", money.Sum(rows, func(d store.Dossier) money.Cents { return d.TotalTTC }).String()})
}
