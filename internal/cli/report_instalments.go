package cli

import (
	"context"
	"regexp"
	"strconv"
	"sync"

	"github.com/inpctl/inpctl/internal/billing"
	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/money"
	"github.com/spf13/cobra"
)

type reportInstalmentsOpts struct {
	env   *Env
	month string
}

// Compiled at first use, not at package init: most commands never use it.
var monthRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\d{4}-(0[1-9]|1[0-2])$`) })

func newReportInstalmentsCmd(env *Env) *cobra.Command {
	o := &reportInstalmentsOpts{env: env}
	cmd := &cobra.Command{
		Use:   "instalments [--month YYYY-MM]",
		Short: "Print the instalments due in a month and what became of them",
		Long: `Print every instalment of an approved, active or completed plan due in the
month (default: this month), with what the plan was to collect and where it
stands now, in exactly one column:

  Encaissé     paid (the day it was paid is shown)
  En attente   not debited yet
  En échec     the debit was declined or failed, and will be retried
               (the attempts, the next try and the last Paybox code)
  Bloqué       not paid and its order is blocked: unpaid after recovery,
               for the office to pursue (the reason is shown)

These are the two lists the old SIPEL tool gave: fractional payments due
and received, and unpaid after recovery. Prévu is the sum of the four on
every line, and the total line is the sum of the lines.` + exitDoc("0   printed (a month with nothing due is not an error)", "2   a --month that is not YYYY-MM"),
		Example: `  inpctl report instalments
  inpctl report instalments --month 2025-11
  inpctl report instalments --month 2025-11 -o csv --csv-dialect excel-fr > echeances-novembre.csv`,
		Args: noArgs,
		RunE: func(c *cobra.Command, _ []string) error { return runReportInstalments(c.Context(), o) },
	}
	cmd.Flags().StringVar(&o.month, "month", "", "month of the due dates, YYYY-MM (default: this month)")
	return cmd
}

func runReportInstalments(ctx context.Context, o *reportInstalmentsOpts) error {
	month := o.month
	if month == "" {
		today, err := o.env.Today()
		if err != nil {
			return err
		}
		month = today.String()[:7]
	} else if !monthRe().MatchString(month) {
		return fault.New(fault.Usage, "--month %q is not a month", month).WithHint("give it as YYYY-MM, e.g. --month 2025-11")
	}
	db, err := o.env.Store(ctx)
	if err != nil {
		return err
	}
	ins, err := db.ReportInstalments(ctx, month)
	if err != nil {
		return err
	}
	rows, total := billing.ReportInstalments(ins)
	p := o.env.Printer()
	cols := reportInstalmentCols()
	if p.Format != "table" || len(rows) == 0 {
		return Print(p, rows, cols, "no instalment due in "+month)
	}
	cells := make([]string, len(cols))
	for i, c := range cols {
		if c.Money != nil {
			cells[i] = c.cell(total)
		}
	}
	cells[0] = plural(len(rows), "échéance")
	return PrintWithTotal(p, rows, cols, cells)
}

var instalmentStatusFR = map[string]string{"paid": "payée", "pending": "en attente", "failed": "en échec", "blocked": "bloquée"}

func reportInstalmentCols() []Col[billing.ReportInstalmentRow] {
	text := func(h string, f func(billing.ReportInstalmentRow) string) Col[billing.ReportInstalmentRow] {
		return Col[billing.ReportInstalmentRow]{Head: h, Cell: f}
	}
	amount := func(h string, f func(billing.ReportInstalmentRow) money.Cents) Col[billing.ReportInstalmentRow] {
		return Col[billing.ReportInstalmentRow]{Head: h, Money: f, Right: true}
	}
	return []Col[billing.ReportInstalmentRow]{
		text("N° étudiant", func(r billing.ReportInstalmentRow) string { return r.StudentID }),
		text("Nom", func(r billing.ReportInstalmentRow) string { return r.LastName }),
		text("Prénom", func(r billing.ReportInstalmentRow) string { return r.FirstName }),
		text("Commande", func(r billing.ReportInstalmentRow) string { return r.Order }),
		text("Échéance", func(r billing.ReportInstalmentRow) string { return r.Instalment }),
		text("Date", func(r billing.ReportInstalmentRow) string { return r.Due }),
		amount("Prévu", func(r billing.ReportInstalmentRow) money.Cents { return r.Planned }),
		amount("Encaissé", func(r billing.ReportInstalmentRow) money.Cents { return r.Collected }),
		amount("En attente", func(r billing.ReportInstalmentRow) money.Cents { return r.Pending }),
		amount("En échec", func(r billing.ReportInstalmentRow) money.Cents { return r.Failed }),
		amount("Bloqué", func(r billing.ReportInstalmentRow) money.Cents { return r.Blocked }),
		text("État", func(r billing.ReportInstalmentRow) string { return instalmentStatusFR[r.Status] }),
		text("Payée le", func(r billing.ReportInstalmentRow) string { return r.PaidDate }),
		{Head: "Essais", Cell: func(r billing.ReportInstalmentRow) string { return strconv.Itoa(r.Attempts) }, Right: true},
		text("Prochain essai", func(r billing.ReportInstalmentRow) string { return r.NextTry }),
		text("Code Paybox", func(r billing.ReportInstalmentRow) string { return r.LastCode }),
		text("Blocage", func(r billing.ReportInstalmentRow) string { return r.BlockedReason }),
	}
}
