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
	cmd.AddCommand(newReportSummaryCmd(env), newReportInstalmentsCmd(env), newReportRefundsCmd(env))
	return cmd
}

type reportSummaryOpts struct {
	env      *Env
	year, by string
}

// reportFlows are the money of a line of report summary that moved: what
// was invoiced, credited, collected by each means (net of unpaids and
// voids) and refunded.
type reportFlows struct {
	Invoiced money.Cents `json:"invoiced_cents"`
	Credited money.Cents `json:"credited_cents"`
	Card     money.Cents `json:"card_cents"`
	Cheque   money.Cents `json:"cheque_cents"`
	Transfer money.Cents `json:"transfer_cents"`
	Cash     money.Cents `json:"cash_cents"`
	Refunded money.Cents `json:"refunded_cents"`
}

// net is what the flows leave owed: invoiced − credited − collected +
// refunded (a Solde, summed).
func (f reportFlows) net() money.Cents {
	return f.Invoiced - f.Credited - f.Card - f.Cheque - f.Transfer - f.Cash + f.Refunded
}

func (f *reportFlows) add(o reportFlows) {
	f.Invoiced, f.Credited, f.Refunded = f.Invoiced+o.Invoiced, f.Credited+o.Credited, f.Refunded+o.Refunded
	f.Card, f.Cheque, f.Transfer, f.Cash = f.Card+o.Card, f.Cheque+o.Cheque, f.Transfer+o.Transfer, f.Cash+o.Cash
}

// method is the collected figure of a payment method.
func (f *reportFlows) method(m string) *money.Cents {
	switch m {
	case "card":
		return &f.Card
	case "cheque":
		return &f.Cheque
	case "transfer":
		return &f.Transfer
	}
	return &f.Cash
}

// reportSummaryRow is one line of report summary by fee code or
// programme. Outstanding − Credits = the flows' net, on every line and on
// the total.
type reportSummaryRow struct {
	Key      string `json:"key"`
	Dossiers int    `json:"dossiers"`
	reportFlows
	Outstanding money.Cents `json:"outstanding_cents"`
	Due         money.Cents `json:"due_cents"`
	Credits     money.Cents `json:"credits_cents"`
	Blocked     int         `json:"blocked"`
	Currency    string      `json:"currency"`
}

// add adds o's figures to r (its key aside).
func (r *reportSummaryRow) add(o reportSummaryRow) {
	r.Dossiers += o.Dossiers
	r.reportFlows.add(o.reportFlows)
	r.Outstanding += o.Outstanding
	r.Due += o.Due
	r.Credits += o.Credits
	r.Blocked += o.Blocked
}

// reportMonthRow is one month of report summary --by month: the
// movements dated in it, and what they changed of what is owed (the
// flows' net: negative when more came in than was invoiced).
type reportMonthRow struct {
	Month string `json:"month"`
	reportFlows
	Change   money.Cents `json:"balance_change_cents"`
	Currency string      `json:"currency"`
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
account is counted, as account list counts it.

By month, each movement counts in the month of its date, and Variation du
solde is what the month changed of what is owed (the same sum of the flows,
negative when more came in than was invoiced); its total is Reste dû −
Crédits of the year. Dossiers, dont échu and Bloqués are not split by month.` + exitDoc("0   printed (an empty year is not an error)", "2   an unknown --year or --by"),
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
	p := o.env.Printer()
	if o.by == "month" {
		sums, err := db.ReportMonths(ctx, year, today)
		if err != nil {
			return err
		}
		return printByMonth(p, summaryByMonth(sums))
	}
	students, err := db.ReportStudents(ctx, year, today, cfg.Location)
	if err != nil {
		return err
	}
	return printSummary(p, summaryByKey(students, o.by), o.by)
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
		r := reportSummaryRow{Dossiers: 1, reportFlows: reportFlows{Invoiced: s.Invoiced, Credited: s.CreditNotes,
			Card: s.Card, Cheque: s.Cheque, Transfer: s.Transfer, Cash: s.Cash, Refunded: s.Refunds}}
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
// voids come off the collected of their payment's method.
func summaryByMonth(sums []store.MonthSum) []reportMonthRow {
	rows := []reportMonthRow{}
	for _, m := range sums { // by month
		if len(rows) == 0 || rows[len(rows)-1].Month != m.Month {
			rows = append(rows, reportMonthRow{Month: m.Month, Currency: money.Currency})
		}
		g := &rows[len(rows)-1]
		switch m.Kind {
		case store.MoveInvoice:
			g.Invoiced += m.Amount
		case store.MoveCreditNote:
			g.Credited += m.Amount
		case store.MovePayment:
			*g.method(m.Method) += m.Amount
		case store.MoveUnpaid:
			*g.method(m.Method) -= m.Amount
		case store.MoveRefund:
			g.Refunded += m.Amount
		}
	}
	for i := range rows {
		rows[i].Change = rows[i].net()
	}
	return rows
}

func sortedRows(groups map[string]*reportSummaryRow) []reportSummaryRow {
	rows := make([]reportSummaryRow, 0, len(groups))
	for _, g := range groups {
		rows = append(rows, *g)
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].Key < rows[j].Key })
	return rows
}

// flowCols are the columns of the flows of a line of type T.
func flowCols[T any](part func(T) reportFlows) []Col[T] {
	amount := func(h string, f func(reportFlows) money.Cents) Col[T] {
		return Col[T]{Head: h, Money: func(r T) money.Cents { return f(part(r)) }, Right: true}
	}
	return []Col[T]{
		amount("Facturé", func(f reportFlows) money.Cents { return f.Invoiced }),
		amount("Avoirs", func(f reportFlows) money.Cents { return f.Credited }),
		amount("CB", func(f reportFlows) money.Cents { return f.Card }),
		amount("Chèque", func(f reportFlows) money.Cents { return f.Cheque }),
		amount("Virement", func(f reportFlows) money.Cents { return f.Transfer }),
		amount("Espèces", func(f reportFlows) money.Cents { return f.Cash }),
		amount("Remboursé", func(f reportFlows) money.Cents { return f.Refunded }),
	}
}

// totalCells renders the total line of a table with the table's columns.
func totalCells[T any](cols []Col[T], total T, label string) []string {
	cells := make([]string, len(cols))
	for i, c := range cols {
		cells[i] = c.cell(total)
	}
	cells[0] = label
	return cells
}

// printSummary prints the lines by code or programme and, in a table,
// their total.
func printSummary(p *Printer, rows []reportSummaryRow, by string) error {
	head := map[string]string{"code": "Code", "programme": "Formation"}[by]
	count := func(h string, f func(reportSummaryRow) int) Col[reportSummaryRow] {
		return Col[reportSummaryRow]{Head: h, Cell: func(r reportSummaryRow) string { return strconv.Itoa(f(r)) }, Right: true}
	}
	amount := func(h string, f func(reportSummaryRow) money.Cents) Col[reportSummaryRow] {
		return Col[reportSummaryRow]{Head: h, Money: f, Right: true}
	}
	cols := append([]Col[reportSummaryRow]{
		{Head: head, Cell: func(r reportSummaryRow) string { return r.Key }},
		count("Dossiers", func(r reportSummaryRow) int { return r.Dossiers }),
	}, flowCols(func(r reportSummaryRow) reportFlows { return r.reportFlows })...)
	cols = append(cols,
		amount("Reste dû", func(r reportSummaryRow) money.Cents { return r.Outstanding }),
		amount("dont échu", func(r reportSummaryRow) money.Cents { return r.Due }),
		amount("Crédits", func(r reportSummaryRow) money.Cents { return r.Credits }),
		count("Bloqués", func(r reportSummaryRow) int { return r.Blocked }))
	if p.Format != "table" || len(rows) == 0 {
		return Print(p, rows, cols, "no dossiers this year")
	}
	var total reportSummaryRow
	for _, r := range rows {
		total.add(r)
	}
	return PrintWithTotal(p, rows, cols, totalCells(cols, total, "Total"))
}

// printByMonth prints the months and, in a table, their total.
func printByMonth(p *Printer, rows []reportMonthRow) error {
	cols := append([]Col[reportMonthRow]{{Head: "Mois", Cell: func(r reportMonthRow) string { return r.Month }}},
		flowCols(func(r reportMonthRow) reportFlows { return r.reportFlows })...)
	cols = append(cols, Col[reportMonthRow]{Head: "Variation du solde", Money: func(r reportMonthRow) money.Cents { return r.Change }, Right: true})
	if p.Format != "table" || len(rows) == 0 {
		return Print(p, rows, cols, "no movements this year")
	}
	var total reportMonthRow
	for _, r := range rows {
		total.reportFlows.add(r.reportFlows)
		total.Change += r.Change
	}
	return PrintWithTotal(p, rows, cols, totalCells(cols, total, "Total"))
}
