package cli

import (
	"context"
	"sort"

	"github.com/inpctl/inpctl/internal/billing"
	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/money"
	"github.com/inpctl/inpctl/internal/store"
	"github.com/spf13/cobra"
)

type accountListOpts struct {
	env                        *Env
	asOf, programme, session   string
	overdue, blocked, inCredit bool
	cardsExpiring              bool
	before                     string
}

// accountListRow is one student's line of account list.
type accountListRow struct {
	StudentID string `json:"student_id"`
	LastName  string `json:"last_name"`
	FirstName string `json:"first_name"`
	Programme string `json:"programme"`
	Session   string `json:"session"`
	billing.Summary
	Blocked string `json:"blocked_reason"`
}

func newAccountListCmd(env *Env) *cobra.Command {
	o := &accountListOpts{env: env}
	cmd := &cobra.Command{
		Use:   "list [--overdue] [--blocked] [--credit] [--programme P] [--session S] | --cards-expiring [--before DATE]",
		Short: "List account positions, most overdue first",
		Long: `List every student's Débit, Crédit, Solde and Position (see "inpctl account
show --help" for what they mean) as of a date, sorted by Position, the
largest first.

  --overdue   only students with something already due (Position > 0)
  --blocked   only students with a blocked order (e.g. a hard card decline)
  --credit    only students with a credit in their favour (Solde < 0)

--cards-expiring lists instead the stored cards that expire before a debit
still to come (the first such debit, and how many there are), so that the
office asks for a new card before the debit fails; --before DATE keeps the
cards that expire before that date.

The figures come from a few aggregate queries over the whole ledger, so the
list stays fast on a hundred thousand students.` + exitDoc("0   listed (an empty list is not an error)", "2   bad --as-of"),
		Example: `  inpctl account list --overdue
  inpctl account list --credit -o csv > a-rembourser.csv
  inpctl account list --programme ING-GC-3A --as-of 2025-10-11
  inpctl account list --cards-expiring --before 2026-01-01`,
		Args: noArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if o.cardsExpiring {
				return runCardsExpiring(c.Context(), o)
			}
			if o.before != "" {
				return fault.New(fault.Usage, "--before goes with --cards-expiring")
			}
			return runAccountList(c.Context(), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.asOf, "as-of", "", "date of the positions, YYYY-MM-DD (default: today)")
	f.BoolVar(&o.overdue, "overdue", false, "only students with an amount already due")
	f.BoolVar(&o.blocked, "blocked", false, "only students with a blocked order")
	f.BoolVar(&o.inCredit, "credit", false, "only students with a credit in their favour")
	f.StringVar(&o.programme, "programme", "", "only this programme")
	f.StringVar(&o.session, "session", "", "only this session (e.g. P2225_Y3_3A)")
	f.BoolVar(&o.cardsExpiring, "cards-expiring", false, "list the cards that expire before a debit still to come")
	f.StringVar(&o.before, "before", "", "with --cards-expiring: only cards that expire before this date (YYYY-MM-DD)")
	return cmd
}

func runAccountList(ctx context.Context, o *accountListOpts) error {
	asOf, err := asOfDate(o.env, o.asOf)
	if err != nil {
		return err
	}
	if err := (filters{Programme: o.programme, Session: o.session}).check(ctx, o.env); err != nil {
		return err
	}
	cfg, err := o.env.Config()
	if err != nil {
		return err
	}
	db, err := o.env.Store(ctx)
	if err != nil {
		return err
	}
	totals, err := db.AccountTotals(ctx, store.AccountFilter{Programme: o.programme, Session: o.session}, asOf, cfg.Location)
	if err != nil {
		return err
	}
	rows := []accountListRow{}
	for _, t := range totals {
		s := billing.Figures(billing.Totals{Invoiced: t.Invoiced, CreditNotes: t.CreditNotes, Payments: t.Payments,
			Unpaid: t.Unpaid, Refunds: t.Refunds, NotYetDue: t.NotYetDue})
		if o.overdue && !s.Overdue() || o.inCredit && !s.InCredit() || o.blocked && t.Blocked == "" {
			continue
		}
		rows = append(rows, accountListRow{t.StudentID, t.LastName, t.FirstName, t.Programme, t.Session, s, t.Blocked})
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Position > rows[j].Position })
	p := o.env.Printer()
	cols := accountListCols(p.Format == "csv")
	if p.Format != "table" || len(rows) == 0 {
		return Print(p, rows, cols, "no accounts match")
	}
	total := func(f func(billing.Summary) money.Cents) string {
		return money.Sum(rows, func(r accountListRow) money.Cents { return f(r.Summary) }).String()
	}
	return PrintWithTotal(p, rows, cols, []string{plural(len(rows), "compte"), "", "", "",
		total(func(s billing.Summary) money.Cents { return s.Debit }), total(func(s billing.Summary) money.Cents { return s.Credit }),
		total(func(s billing.Summary) money.Cents { return s.Balance }), total(func(s billing.Summary) money.Cents { return s.Position }), ""})
}

// accountListCols are the columns of account list: French amounts in a
// table, plain decimals and a currency column in CSV.
func accountListCols(csv bool) []Col[accountListRow] {
	amount := func(c money.Cents) string {
		if csv {
			return c.Plain()
		}
		return c.String()
	}
	cols := []Col[accountListRow]{
		{Head: "N° étudiant", Cell: func(r accountListRow) string { return r.StudentID }},
		{Head: "Nom", Cell: func(r accountListRow) string { return r.LastName }},
		{Head: "Prénom", Cell: func(r accountListRow) string { return r.FirstName }},
		{Head: "Formation", Cell: func(r accountListRow) string { return r.Programme }},
		{Head: "Débit", Cell: func(r accountListRow) string { return amount(r.Debit) }, Right: true},
		{Head: "Crédit", Cell: func(r accountListRow) string { return amount(r.Credit) }, Right: true},
		{Head: "Solde", Cell: func(r accountListRow) string { return amount(r.Balance) }, Right: true},
		{Head: "Position", Cell: func(r accountListRow) string { return amount(r.Position) }, Right: true},
		{Head: "Blocage", Cell: func(r accountListRow) string { return r.Blocked }},
	}
	if csv {
		cols = append(cols, Col[accountListRow]{Head: "Devise", Cell: func(accountListRow) string { return money.Currency }})
	}
	return cols
}
