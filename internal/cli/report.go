package cli

import (
	"context"
	"strconv"

	"github.com/inpctl/inpctl/internal/billing"
	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/money"
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
		return fault.New(fault.Usage, "--by %q is not a grouping: give code, programme or month", o.by)
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
		rows, total := billing.ReportMonths(sums)
		return printByMonth(p, rows, total)
	}
	students, err := db.ReportStudents(ctx, year, today, cfg.Location)
	if err != nil {
		return err
	}
	rows, total := billing.ReportSummary(students, o.by)
	return printSummary(p, rows, total, o.by)
}

// reportYear is --year, checked (exit 2 when unknown), else the config's.
func reportYear(ctx context.Context, env *Env, flag string) (string, error) {
	if flag != "" {
		return flag, filters{Year: flag}.check(ctx, env)
	}
	cfg, err := env.Config()
	return cfg.AcademicYear, err
}

// flowCols are the columns of the flows of a line of type T.
func flowCols[T any](part func(T) billing.ReportFlows) []Col[T] {
	amount := func(h string, f func(billing.ReportFlows) money.Cents) Col[T] {
		return Col[T]{Head: h, Money: func(r T) money.Cents { return f(part(r)) }, Right: true}
	}
	return []Col[T]{
		amount("Facturé", func(f billing.ReportFlows) money.Cents { return f.Invoiced }),
		amount("Avoirs", func(f billing.ReportFlows) money.Cents { return f.Credited }),
		amount("CB", func(f billing.ReportFlows) money.Cents { return f.Card }),
		amount("Chèque", func(f billing.ReportFlows) money.Cents { return f.Cheque }),
		amount("Virement", func(f billing.ReportFlows) money.Cents { return f.Transfer }),
		amount("Espèces", func(f billing.ReportFlows) money.Cents { return f.Cash }),
		amount("Remboursé", func(f billing.ReportFlows) money.Cents { return f.Refunded }),
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
// their total (billing.ReportSummary computes both).
func printSummary(p *Printer, rows []billing.ReportSummaryRow, total billing.ReportSummaryRow, by string) error {
	head := map[string]string{"code": "Code", "programme": "Formation"}[by]
	count := func(h string, f func(billing.ReportSummaryRow) int) Col[billing.ReportSummaryRow] {
		return Col[billing.ReportSummaryRow]{Head: h, Cell: func(r billing.ReportSummaryRow) string { return strconv.Itoa(f(r)) }, Right: true}
	}
	amount := func(h string, f func(billing.ReportSummaryRow) money.Cents) Col[billing.ReportSummaryRow] {
		return Col[billing.ReportSummaryRow]{Head: h, Money: f, Right: true}
	}
	cols := append([]Col[billing.ReportSummaryRow]{
		{Head: head, Cell: func(r billing.ReportSummaryRow) string { return r.Key }},
		count("Dossiers", func(r billing.ReportSummaryRow) int { return r.Dossiers }),
	}, flowCols(func(r billing.ReportSummaryRow) billing.ReportFlows { return r.ReportFlows })...)
	cols = append(cols,
		amount("Reste dû", func(r billing.ReportSummaryRow) money.Cents { return r.Outstanding }),
		amount("dont échu", func(r billing.ReportSummaryRow) money.Cents { return r.Due }),
		amount("Crédits", func(r billing.ReportSummaryRow) money.Cents { return r.Credits }),
		count("Bloqués", func(r billing.ReportSummaryRow) int { return r.Blocked }))
	if p.Format != "table" || len(rows) == 0 {
		return Print(p, rows, cols, "no dossiers this year")
	}
	return PrintWithTotal(p, rows, cols, totalCells(cols, total, "Total"))
}

// printByMonth prints the months and, in a table, their total
// (billing.ReportMonths computes both).
func printByMonth(p *Printer, rows []billing.ReportMonthRow, total billing.ReportMonthRow) error {
	cols := append([]Col[billing.ReportMonthRow]{{Head: "Mois", Cell: func(r billing.ReportMonthRow) string { return r.Month }}},
		flowCols(func(r billing.ReportMonthRow) billing.ReportFlows { return r.ReportFlows })...)
	cols = append(cols, Col[billing.ReportMonthRow]{Head: "Variation du solde", Money: func(r billing.ReportMonthRow) money.Cents { return r.Change }, Right: true})
	if p.Format != "table" || len(rows) == 0 {
		return Print(p, rows, cols, "no movements this year")
	}
	return PrintWithTotal(p, rows, cols, totalCells(cols, total, "Total"))
}
