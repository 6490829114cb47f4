package cli

import (
	"context"
	"io"
	"os"
	"strings"

	"github.com/inpctl/inpctl/internal/atomicfile"
	"github.com/inpctl/inpctl/internal/billing"
	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/money"
	"github.com/inpctl/inpctl/internal/store"
	"github.com/spf13/cobra"
)

type accountExportOpts struct {
	env           *Env
	from, to, out string
}

// acctMovementHead is the header of account export.
var acctMovementHead = []string{"date", "type", "side", "number", "student_id", "name", "amount", "currency", "method", "reference"}

func newAccountExportCmd(env *Env) *cobra.Command {
	o := &accountExportOpts{env: env}
	cmd := &cobra.Command{
		Use:   "export --from DATE --to DATE [--out FILE]",
		Short: "Export the accounting movements of a period as CSV",
		Long: `Export every accounting movement dated in a period (both days included) as
CSV, one line per movement, whatever -o says:

  date        YYYY-MM-DD
  type        invoice, credit_note, payment, unpaid (a reversed payment) or refund
  side        debit (invoice, unpaid, refund) or credit (payment, credit_note)
              for the student's account, as Débit and Crédit of account show
  number      the invoice, credit note or payment number (the reversed
              payment for an unpaid; empty for a refund)
  student_id, name
  amount      positive decimal with a point, e.g. 628.00
  currency    EUR
  method      card, cheque, transfer or cash (payments, unpaids, refunds)
  reference   the order (invoice), the invoice (credit note), the bank or
              gateway reference (payment), the reason (unpaid), the refunded
              payment (refund)

Cells a spreadsheet would run as a formula are prefixed with a quote.
--csv-dialect excel-fr (or output.csv) writes it for a French spreadsheet:
";", BOM, CRLF, 628,00, dates DD/MM/YYYY, French headers. Rows
are written as they are read, by date then type; --out writes a file
atomically instead of stdout.` + exitDoc("0   exported (a period with no movement gives the header alone)", "2   missing or bad --from/--to"),
		Example: `  inpctl account export --from 2025-09-01 --to 2025-09-30 > septembre.csv
  inpctl account export --from 2025-09-01 --to 2026-08-31 --out exercice-2025-2026.csv`,
		Args: noArgs,
		RunE: func(c *cobra.Command, _ []string) error { return runAccountExport(c.Context(), o) },
	}
	cmd.Flags().StringVar(&o.from, "from", "", "first day of the period, YYYY-MM-DD (required)")
	cmd.Flags().StringVar(&o.to, "to", "", "last day of the period, YYYY-MM-DD (required)")
	cmd.Flags().StringVar(&o.out, "out", "", "write to this file instead of stdout")
	return cmd
}

func acctExportPeriod(from, to string) (clock.Date, clock.Date, error) {
	if from == "" || to == "" {
		return clock.Date{}, clock.Date{}, fault.New(fault.Usage, "account export needs --from and --to").
			WithHint("e.g. --from 2025-09-01 --to 2025-09-30")
	}
	f, err := clock.ParseDate(from)
	if err != nil {
		return f, f, fault.New(fault.Usage, "--from: %v", err)
	}
	t, err := clock.ParseDate(to)
	if err != nil {
		return f, t, fault.New(fault.Usage, "--to: %v", err)
	}
	if t.Before(f) {
		return f, t, fault.New(fault.Usage, "--to %s is before --from %s", t, f)
	}
	return f, t, nil
}

func runAccountExport(ctx context.Context, o *accountExportOpts) error {
	from, to, err := acctExportPeriod(o.from, o.to)
	if err != nil {
		return err
	}
	db, err := o.env.Store(ctx)
	if err != nil {
		return err
	}
	n := 0
	dialect := o.env.csvDialect()
	if o.out == "" {
		return acctWriteMovements(ctx, db, from, to, o.env.IO.Out, dialect, &n)
	}
	if fi, err := os.Stat(o.out); err == nil && fi.IsDir() {
		return fault.New(fault.Usage, "--out %s is a directory: give a file name (e.g. %s/export.csv)", o.out, o.out)
	}
	if err := acctWriteFile(o.out, func(w io.Writer) error { return acctWriteMovements(ctx, db, from, to, w, dialect, &n) }); err != nil {
		return err
	}
	o.env.Infof("✓ %s written (%s)", o.out, plural(n, "movement"))
	return nil
}

// acctWriteMovements streams the period's movements as CSV in dialect,
// counting them in n. Cells are cleaned of control characters by the CSV
// writer, so w is stdout as it is.
func acctWriteMovements(ctx context.Context, db *store.DB, from, to clock.Date, w io.Writer, dialect string, n *int) error {
	cw := newCSVWriter(w, dialect)
	if err := cw.Head(acctMovementHead...); err != nil {
		return err
	}
	err := db.EachMovement(ctx, from, to, func(m store.Movement) error {
		*n++
		return cw.Row(CSVText(m.Date), CSVText(m.Kind), CSVText(billing.MovementSide(m.Kind)), CSVText(m.Number), CSVText(m.StudentID),
			CSVText(strings.TrimSpace(m.LastName+" "+m.FirstName)), CSVAmount(m.Amount), CSVText(money.Currency), CSVText(m.Method), CSVText(m.Reference))
	})
	if err != nil {
		return err
	}
	return cw.Flush()
}

// acctWriteFile writes path through a temporary file renamed into place,
// so that a failure leaves nothing half-written.
func acctWriteFile(path string, write func(io.Writer) error) error {
	return atomicfile.Write(path, atomicfile.Options{}, write)
}
