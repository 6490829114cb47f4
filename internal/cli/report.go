package cli

import (
	"context"
	"sort"
	"strconv"

	"github.com/inpctl/inpctl/internal/billing"
	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/money"
	"github.com/inpctl/inpctl/internal/store"
	"github.com/spf13/cobra"
)

// newReportCmd is the "report" group: the totals the agence comptable reads
// (issue 20). Every figure is computed from the ledger when asked, never
// stored; each report is one query.
func newReportCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Print the totals of the year for the agence comptable",
		Example: `  inpctl report summary --by programme
  inpctl report instalments --month 2025-11
  inpctl report refunds -o csv --csv-dialect excel-fr > a-rembourser.csv`,
		Args: noArgs,
	}
	cmd.AddCommand(newReportSummaryCmd(env))
	return cmd
}

type reportSummaryOpts struct {
	env      *Env
	year, by string
}

// reportSummaryRow is one line of report summary: a fee code, a programme
// or a month. Outstanding − Credits = Invoiced − Credited − the four
// collected + Refunded, on every line and on the total.
type reportSummaryRow struct {
	Key         string      `json:"key"`
	Dossiers    int         `json:"dossiers"`
	Invoiced    money.Cents `json:"invoiced_cents"`
	Credited    money.Cents `json:"credited_cents"`
	Card        money.Cents `json:"card_cents"`
	Cheque      money.Cents `json:"cheque_cents"`
	Transfer    money.Cents `json:"transfer_cents"`
	Cash        money.Cents `json:"cash_cents"`
	Refunded    money.Cents `json:"refunded_cents"`
	Outstanding money.Cents `json:"outstanding_cents"`
	Due         money.Cents `json:"due_cents"`
	Credits     money.Cents `json:"credits_cents"`
	Blocked     int         `json:"blocked"`
	Currency    string      `json:"currency"`
}

// add adds o's figures to r (its key aside).
func (r *reportSummaryRow) add(o reportSummaryRow) {
	r.Dossiers += o.Dossiers
	r.Invoiced += o.Invoiced
	r.Credited += o.Credited
	r.Card += o.Card
	r.Cheque += o.Cheque
	r.Transfer += o.Transfer
	r.Cash += o.Cash
	r.Refunded += o.Refunded
	r.Outstanding += o.Outstanding
	r.Due += o.Due
	r.Credits += o.Credits
	r.Blocked += o.Blocked
}

func newReportSummaryCmd(env *Env) *cobra.Command {
	o := &reportSummaryOpts{env: env}
	cmd := &cobra.Command{
		Use:   "summary [--year Y] [--by code|programme|month]",
		Short: "Print the year's invoiced, collected and outstanding totals",
		Long: `Print, for the students with a dossier of the academic year (default: the
config's academic_year), as of today, one line per fee code (--by code, the
default), per programme (--by programme) or per month (--by month):

  Dossiers     dossiers of the year
  Facturé      invoices (TTC)             Avoirs      credit notes
  CB, Chèque, Virement, Espèces           what was collected by each means,
                                          net of unpaids and voids
  Remboursé    refunds
  Reste dû     what students owe (the Solde of those who owe, as account
               list shows it), of which due: dont échu (their Position)
  Crédits      what is owed to students (a Solde in their favour: see
               inpctl report refunds)
  Bloqués      dossiers with a blocked order

On every line Reste dû − Crédits = Facturé − Avoirs − the four collected
+ Remboursé, and the total line is the sum of the lines. A student's whole
account is counted, as account list counts it. By month, each movement
counts in the month of its date, and Reste dû − Crédits is what the month
added to what is owed (dossiers, dont échu and Bloqués are on the line by
code or programme).` + exitDoc("0   printed (an empty year is not an error)", "2   an unknown --year or --by"),
		Example: `  inpctl report summary
  inpctl report summary --year 2025-2026 --by programme
  inpctl report summary --by month -o csv --csv-dialect excel-fr > mois.csv`,
		Args: noArgs,
		RunE: func(c *cobra.Command, _ []string) error { return runReportSummary(c.Context(), o) },
	}
	cmd.Flags().StringVar(&o.year, "year", "", "academic year, e.g. 2025-2026 (default: the config's)")
	cmd.Flags().StringVar(&o.by, "by", "code", "one line per code, programme or month")
	return cmd
}

func runReportSummary(ctx context.Context, o *reportSummaryOpts) error {
	if o.by != "code" && o.by != "programme" && o.by != "month" {
		return fault.New(fault.Usage, "--by %q: code, programme or month", o.by)
	}
	year, err := reportYear(ctx, o.env, o.year)
	if err != nil {
		return err
	}
	today, err := o.env.Today()
	if err != nil {
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
	var rows []reportSummaryRow
	if o.by == "month" {
		sums, err := db.ReportMonths(ctx, year, today)
		if err != nil {
			return err
		}
		rows = summaryByMonth(sums)
	} else {
		students, err := db.ReportStudents(ctx, year, today, cfg.Location)
		if err != nil {
			return err
		}
		rows = summaryByKey(students, o.by)
	}
	return printSummary(o.env.Printer(), rows, o.by)
}

// reportYear is --year, checked (exit 2 when unknown), else the config's.
func reportYear(ctx context.Context, env *Env, flag string) (string, error) {
	if flag != "" {
		return flag, filters{Year: flag}.check(ctx, env)
	}
	cfg, err := env.Config()
	return cfg.AcademicYear, err
}

// summaryByKey adds up the students' figures per fee code or programme.
// Each student's Solde and Position are billing.Figures', as in account
// list.
func summaryByKey(students []store.ReportStudent, by string) []reportSummaryRow {
	groups := map[string]*reportSummaryRow{}
	for _, s := range students {
		key := s.Programme
		if by == "code" {
			key = s.Code
			if key == "" {
				key = "(sans code)"
			}
		}
		f := billing.Figures(billing.Totals{Invoiced: s.Invoiced, CreditNotes: s.CreditNotes, Payments: s.Payments,
			Unpaid: s.Unpaid, Refunds: s.Refunds, NotYetDue: s.NotYetDue})
		r := reportSummaryRow{Dossiers: 1, Invoiced: s.Invoiced, Credited: s.CreditNotes, Card: s.Card, Cheque: s.Cheque,
			Transfer: s.Transfer, Cash: s.Cash, Refunded: s.Refunds}
		if f.Balance > 0 {
			r.Outstanding, r.Due = f.Balance, f.Position
		} else {
			r.Credits = -f.Balance
		}
		if s.Blocked != "" {
			r.Blocked = 1
		}
		g := groups[key]
		if g == nil {
			g = &reportSummaryRow{Key: key, Currency: money.Currency}
			groups[key] = g
		}
		g.add(r)
	}
	return sortedRows(groups)
}

// summaryByMonth puts each month's movements on its line: unpaids and
// voids come off the collected of their payment's method, and the change
// of what is owed follows from the rest.
func summaryByMonth(sums []store.MonthSum) []reportSummaryRow {
	groups := map[string]*reportSummaryRow{}
	for _, m := range sums {
		g := groups[m.Month]
		if g == nil {
			g = &reportSummaryRow{Key: m.Month, Currency: money.Currency}
			groups[m.Month] = g
		}
		switch m.Kind {
		case store.MoveInvoice:
			g.Invoiced += m.Amount
		case store.MoveCreditNote:
			g.Credited += m.Amount
		case store.MovePayment, store.MoveUnpaid:
			a := m.Amount
			if m.Kind == store.MoveUnpaid {
				a = -a
			}
			*g.method(m.Method) += a
		case store.MoveRefund:
			g.Refunded += m.Amount
		}
	}
	for _, g := range groups {
		net := g.Invoiced - g.Credited - g.Card - g.Cheque - g.Transfer - g.Cash + g.Refunded
		if net > 0 {
			g.Outstanding = net
		} else {
			g.Credits = -net
		}
	}
	return sortedRows(groups)
}

// method is the collected figure of a payment method.
func (r *reportSummaryRow) method(m string) *money.Cents {
	switch m {
	case "card":
		return &r.Card
	case "cheque":
		return &r.Cheque
	case "transfer":
		return &r.Transfer
	}
	return &r.Cash
}

func sortedRows(groups map[string]*reportSummaryRow) []reportSummaryRow {
	rows := make([]reportSummaryRow, 0, len(groups))
	for _, g := range groups {
		rows = append(rows, *g)
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].Key < rows[j].Key })
	return rows
}

// printSummary prints the lines and, in a table, their total.
func printSummary(p *Printer, rows []reportSummaryRow, by string) error {
	head := map[string]string{"code": "Code", "programme": "Formation", "month": "Mois"}[by]
	cols := []Col[reportSummaryRow]{{Head: head, Cell: func(r reportSummaryRow) string { return r.Key }}}
	if by != "month" {
		cols = append(cols, Col[reportSummaryRow]{Head: "Dossiers", Cell: func(r reportSummaryRow) string { return strconv.Itoa(r.Dossiers) }, Right: true})
	}
	amount := func(h string, f func(reportSummaryRow) money.Cents) Col[reportSummaryRow] {
		return Col[reportSummaryRow]{Head: h, Money: f, Right: true}
	}
	cols = append(cols,
		amount("Facturé", func(r reportSummaryRow) money.Cents { return r.Invoiced }),
		amount("Avoirs", func(r reportSummaryRow) money.Cents { return r.Credited }),
		amount("CB", func(r reportSummaryRow) money.Cents { return r.Card }),
		amount("Chèque", func(r reportSummaryRow) money.Cents { return r.Cheque }),
		amount("Virement", func(r reportSummaryRow) money.Cents { return r.Transfer }),
		amount("Espèces", func(r reportSummaryRow) money.Cents { return r.Cash }),
		amount("Remboursé", func(r reportSummaryRow) money.Cents { return r.Refunded }),
		amount("Reste dû", func(r reportSummaryRow) money.Cents { return r.Outstanding }))
	if by != "month" {
		cols = append(cols, amount("dont échu", func(r reportSummaryRow) money.Cents { return r.Due }))
	}
	cols = append(cols, amount("Crédits", func(r reportSummaryRow) money.Cents { return r.Credits }))
	if by != "month" {
		cols = append(cols, Col[reportSummaryRow]{Head: "Bloqués", Cell: func(r reportSummaryRow) string { return strconv.Itoa(r.Blocked) }, Right: true})
	}
	if p.Format != "table" || len(rows) == 0 {
		return Print(p, rows, cols, "no dossiers this year")
	}
	total := reportSummaryRow{Key: "Total"}
	for _, r := range rows {
		total.add(r)
	}
	cells := make([]string, len(cols))
	for i, c := range cols {
		cells[i] = c.cell(total)
	}
	return PrintWithTotal(p, rows, cols, cells)
}
