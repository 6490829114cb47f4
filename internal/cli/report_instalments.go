package cli

import (
	"context"
	"regexp"
	"strconv"
	"strings"

	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/money"
	"github.com/inpctl/inpctl/internal/store"
	"github.com/spf13/cobra"
)

type reportInstalmentsOpts struct {
	env   *Env
	month string
}

// reportInstalmentRow is one instalment due in the month. Its amount is in
// exactly one of Collected, Pending, Failed and Blocked, so Planned is
// their sum on every line and on the total.
type reportInstalmentRow struct {
	StudentID     string      `json:"student_id"`
	LastName      string      `json:"last_name"`
	FirstName     string      `json:"first_name"`
	Order         string      `json:"order"`
	Instalment    string      `json:"instalment"` // "2/3"
	Due           string      `json:"due_date"`
	Planned       money.Cents `json:"planned_cents"`
	Collected     money.Cents `json:"collected_cents"`
	Pending       money.Cents `json:"pending_cents"`
	Failed        money.Cents `json:"failed_cents"`
	Blocked       money.Cents `json:"blocked_cents"`
	Status        string      `json:"status"` // paid, pending, failed, blocked
	PaidDate      string      `json:"paid_date"`
	Attempts      int         `json:"attempts"`
	NextTry       string      `json:"next_try"`
	LastCode      string      `json:"last_code"`
	BlockedReason string      `json:"blocked_reason"`
	Currency      string      `json:"currency"`
}

var monthRe = regexp.MustCompile(`^\d{4}-(0[1-9]|1[0-2])$`)

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
	} else if !monthRe.MatchString(month) {
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
	rows := make([]reportInstalmentRow, 0, len(ins))
	var total reportInstalmentRow
	for _, in := range ins {
		r := instalmentRow(in)
		total.Planned, total.Collected, total.Pending = total.Planned+r.Planned, total.Collected+r.Collected, total.Pending+r.Pending
		total.Failed, total.Blocked = total.Failed+r.Failed, total.Blocked+r.Blocked
		rows = append(rows, r)
	}
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

// instalmentRow puts an instalment's amount in the column of its state: a
// paid one is collected even if its order was blocked later (and the
// block's reason is shown on the lines it holds back only).
func instalmentRow(in store.ReportInstalment) reportInstalmentRow {
	r := reportInstalmentRow{StudentID: in.StudentID, LastName: in.LastName, FirstName: in.FirstName, Order: in.Order,
		Instalment: strconv.Itoa(in.Seq) + "/" + strings.TrimSuffix(in.Plan, "x"), Due: in.Due, Planned: in.Amount,
		Attempts: in.Attempts, LastCode: in.LastCode, Currency: money.Currency}
	switch {
	case in.Status == "paid":
		r.Status, r.Collected, r.PaidDate = "paid", in.Amount, in.PaidDate
	case in.Blocked != "":
		r.Status, r.Blocked, r.BlockedReason = "blocked", in.Amount, in.Blocked
	case in.Status == "failed":
		r.Status, r.Failed, r.NextTry = "failed", in.Amount, in.NextTry
	default:
		r.Status, r.Pending = "pending", in.Amount
	}
	return r
}

var instalmentStatusFR = map[string]string{"paid": "payée", "pending": "en attente", "failed": "en échec", "blocked": "bloquée"}

func reportInstalmentCols() []Col[reportInstalmentRow] {
	text := func(h string, f func(reportInstalmentRow) string) Col[reportInstalmentRow] {
		return Col[reportInstalmentRow]{Head: h, Cell: f}
	}
	amount := func(h string, f func(reportInstalmentRow) money.Cents) Col[reportInstalmentRow] {
		return Col[reportInstalmentRow]{Head: h, Money: f, Right: true}
	}
	return []Col[reportInstalmentRow]{
		text("N° étudiant", func(r reportInstalmentRow) string { return r.StudentID }),
		text("Nom", func(r reportInstalmentRow) string { return r.LastName }),
		text("Prénom", func(r reportInstalmentRow) string { return r.FirstName }),
		text("Commande", func(r reportInstalmentRow) string { return r.Order }),
		text("Échéance", func(r reportInstalmentRow) string { return r.Instalment }),
		text("Date", func(r reportInstalmentRow) string { return r.Due }),
		amount("Prévu", func(r reportInstalmentRow) money.Cents { return r.Planned }),
		amount("Encaissé", func(r reportInstalmentRow) money.Cents { return r.Collected }),
		amount("En attente", func(r reportInstalmentRow) money.Cents { return r.Pending }),
		amount("En échec", func(r reportInstalmentRow) money.Cents { return r.Failed }),
		amount("Bloqué", func(r reportInstalmentRow) money.Cents { return r.Blocked }),
		text("État", func(r reportInstalmentRow) string { return instalmentStatusFR[r.Status] }),
		text("Payée le", func(r reportInstalmentRow) string { return r.PaidDate }),
		{Head: "Essais", Cell: func(r reportInstalmentRow) string { return strconv.Itoa(r.Attempts) }, Right: true},
		text("Prochain essai", func(r reportInstalmentRow) string { return r.NextTry }),
		text("Code Paybox", func(r reportInstalmentRow) string { return r.LastCode }),
		text("Blocage", func(r reportInstalmentRow) string { return r.BlockedReason }),
	}
}
