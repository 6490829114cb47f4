package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"

	"github.com/inpctl/inpctl/internal/billing"
	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/money"
	"github.com/inpctl/inpctl/internal/store"
	"github.com/spf13/cobra"
)

type chargeOpts struct {
	env         *Env
	student     string
	due, dryRun bool
	concurrency int
	year        string
}

func newChargeCmd(env *Env) *cobra.Command {
	o := &chargeOpts{env: env}
	cmd := &cobra.Command{
		Use:   "charge STUDENT_ID | --due",
		Short: "Debit stored cards for instalments that are due",
		Long: `Debit the stored cards (Paybox Direct Plus) of instalments that are due.

--due charges everything due on or before today: active plans, a stored card,
not blocked, not paid, retry dates respected. Run it every day from cron: on
the 10th it debits the month's instalments; on other days it retries soft
declines and catches up a missed 10th. A second run the same day sends
nothing new. Only one run at a time: a second one exits 11 at once.

Every run first resolves attempts whose outcome is unknown by asking Paybox
(never by charging again). Each charge is written down before Paybox is
called, and its outcome after: a crash never loses or doubles a payment.
SIGINT/SIGTERM stop sending, record the charges in flight, and exit 130.

STUDENT_ID charges that student's next instalment now (at the desk).
Money moves: it asks for confirmation on a terminal; with --due, when not on
a terminal (cron), --yes is implied and the audit log says so.` + exitDoc(
			"0   every charge approved (or nothing was due)", "3   some charges declined or failed",
			"6   the gateway was unavailable for all", "7   (STUDENT_ID) the card was declined",
			"11  another charge run holds the lock: nothing was done", "130 interrupted: charges in flight were recorded"),
		Example: "  inpctl charge --due --dry-run\n  inpctl charge --due --concurrency 8\n  inpctl charge 22104567 --yes",
		Args: func(c *cobra.Command, args []string) error {
			if o.due {
				return notBoth(args, "one STUDENT_ID", "--due")
			}
			if len(args) != 1 {
				return fault.New(fault.Usage, "give one STUDENT_ID, or --due (not both)")
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			if !o.due {
				o.student = args[0]
			}
			return runCharge(c.Context(), o)
		},
	}
	cmd.Flags().BoolVar(&o.due, "due", false, "charge every instalment due on or before today")
	cmd.Flags().BoolVar(&o.dryRun, "dry-run", false, "show what would be charged; write nothing, call nothing")
	cmd.Flags().IntVar(&o.concurrency, "concurrency", 4, "charges in flight at once (1 to 64)")
	cmd.Flags().StringVar(&o.year, "year", "", "academic year (default: the config's)")
	cmd.AddCommand(newChargeReconcileCmd(env))
	return cmd
}

var chargeCols = []Col[billing.ChargeItem]{
	{Head: "N° étudiant", Cell: func(i billing.ChargeItem) string { return i.StudentID }},
	{Head: "Nom", Cell: func(i billing.ChargeItem) string { return i.Name }},
	{Head: "Échéance", Cell: func(i billing.ChargeItem) string { return ifNZ(i.Seq) }},
	{Head: "Montant", Money: func(i billing.ChargeItem) money.Cents { return i.Amount }, Right: true},
	{Head: "Résultat", Cell: func(i billing.ChargeItem) string { return i.Outcome }},
	{Head: "Code", Cell: func(i billing.ChargeItem) string { return i.Code }},
	{Head: "Règlement", Cell: func(i billing.ChargeItem) string { return i.Payment }},
	{Head: "Détail", Cell: func(i billing.ChargeItem) string { return i.Text }},
}

func ifNZ(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprint(n)
}

func runCharge(ctx context.Context, o *chargeOpts) error {
	if o.concurrency < 1 || o.concurrency > 64 {
		return fault.New(fault.Usage, "--concurrency %d is out of range (1 to 64)", o.concurrency)
	}
	svc, err := o.env.Service(ctx, o.year)
	if err != nil {
		return err
	}
	if o.student != "" {
		if _, err := svc.DB.GetStudent(ctx, o.student, svc.Year); err != nil {
			return err
		}
	}
	if !o.dryRun {
		if err := o.confirmCharge(); err != nil {
			return err
		}
	}
	// A dry run reads and calls nothing, so it takes no lock: it writes
	// nothing at all, not even a lock row.
	if !o.dryRun {
		release, err := o.env.lockRun(ctx, svc.DB, "charge")
		if err != nil {
			return err
		}
		defer release()
	}
	gw, err := o.env.Gateway(ctx)
	if err != nil {
		return err
	}
	today, err := o.env.Today()
	if err != nil {
		return err
	}
	clk, _ := o.env.Clock()
	items, sum, runErr := svc.Charge(ctx, gw, billing.ChargeOptions{
		Today: today, Now: clk.Now, StudentID: o.student, DryRun: o.dryRun, Concurrency: o.concurrency,
		Progress: o.env.ProgressFn("charging"),
	})
	if err := printCharge(o.env, items, sum); err != nil {
		return err
	}
	if runErr != nil {
		return runErr
	}
	return chargeExit(o.student, items, sum)
}

// confirmCharge asks before money moves; cron (no terminal) implies --yes
// for --due, and the audit row records it.
func (o *chargeOpts) confirmCharge() error {
	if o.due && !o.env.flags.yes && !o.env.IO.InTTY {
		o.env.auditArgs = append(o.env.auditArgs, "(--yes implied: not a terminal)")
		if o.env.db != nil {
			o.env.db.SetActor(store.Actor{Operator: o.env.Operator(), Command: o.env.auditCommand, Args: o.env.auditArgs})
		}
		return nil
	}
	what := "charge every instalment due today"
	if !o.due {
		what = "charge the next instalment of student " + o.student + " now"
	}
	return o.env.Confirm(what + "?")
}

func printCharge(env *Env, items []billing.ChargeItem, sum billing.ChargeSummary) error {
	if items == nil {
		items = []billing.ChargeItem{}
	}
	p := env.Printer()
	if p.Format == "json" {
		return writeJSON(p.Out, map[string]any{"items": items, "summary": sum})
	}
	if err := Print(p, items, chargeCols, "nothing to charge"); err != nil {
		return err
	}
	verb := "collected"
	if sum.DryRun {
		verb = "(dry run: nothing was written or sent)"
	}
	env.Infof("%d item(s): %d approved, %d declined, %d failed, %d unknown, %d unavailable; %d reconciled; %d blocked; %s %s",
		sum.Items, sum.Approved, sum.Declined, sum.Failed, sum.Unknown, sum.Unavailable, sum.Reconciled, sum.Blocked, sum.Collected, verb)
	if sum.Changed > 0 {
		env.Warnf("%d instalment(s) were changed by another command while their debit was on its way: what Paybox took is kept as a credit", sum.Changed)
	}
	return nil
}

// chargeExit maps a run to its exit status.
func chargeExit(student string, items []billing.ChargeItem, sum billing.ChargeSummary) error {
	bad := sum.Declined + sum.Failed + sum.Unknown + sum.Unavailable
	switch {
	case sum.DryRun:
		return nil
	case bad == 0 && sum.Changed > 0:
		return fault.New(fault.Partial, "%d of %d instalments were changed by another command during the run: their money is kept as a credit", sum.Changed, sum.Items).
			WithHint("inpctl account list --credit")
	case bad == 0:
		return nil
	case student != "" && sum.Declined > 0:
		return fault.New(fault.Declined, "the card of %s was declined (%s)", student, items[len(items)-1].Code)
	case sum.Unavailable == bad && sum.Approved == 0:
		return fault.New(fault.Unavailable, "the gateway was unavailable: nothing was charged").WithHint("run it again later; retrying is safe")
	}
	return fault.New(fault.Partial, "%d of %d charges did not go through", bad, sum.Items)
}

func newChargeReconcileCmd(env *Env) *cobra.Command {
	o := &chargeOpts{env: env}
	return &cobra.Command{
		Use:   "reconcile",
		Short: "Resolve charges and refunds whose outcome is unknown by asking the gateway",
		Long: `Ask Paybox (TYPE 00011, by reference and amount) about every charge and every
card refund whose outcome is unknown (a timeout, a lost answer, a crash
between the call and its record): a charge found is recorded as paid, one not
found is marked failed so a new attempt may go; a refund found is recorded
(with its reason), one not found is marked failed and the credit it kept
reserved is free again. Nothing is ever sent again. "inpctl reconcile" is the
same command.` + exitDoc("0   done (a lookup Paybox could not answer is left for the next run)", "11  a charge run holds the lock"),
		Example: "  inpctl charge reconcile\n  inpctl reconcile -o json",
		Args:    noArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			o.dryRun = false
			return runReconcile(c.Context(), o)
		},
	}
}

// newReconcileCmd is "inpctl reconcile", the top-level name of charge
// reconcile: it resolves every kind of attempt, not only charges.
func newReconcileCmd(env *Env) *cobra.Command {
	cmd := newChargeReconcileCmd(env)
	cmd.Example = "  inpctl reconcile\n  inpctl reconcile -o json\n  inpctl reconcile paybox transactions.csv"
	cmd.AddCommand(newReconcilePayboxCmd(env)) // issue 20: the back office's export against the books
	return cmd
}

func runReconcile(ctx context.Context, o *chargeOpts) error {
	svc, err := o.env.Service(ctx, o.year)
	if err != nil {
		return err
	}
	release, err := o.env.lockRun(ctx, svc.DB, "charge")
	if err != nil {
		return err
	}
	defer release()
	gw, err := o.env.Gateway(ctx)
	if err != nil {
		return err
	}
	today, err := o.env.Today()
	if err != nil {
		return err
	}
	clk, _ := o.env.Clock()
	items, sum, err := svc.Reconcile(ctx, gw, billing.ChargeOptions{Today: today, Now: clk.Now})
	if perr := printCharge(o.env, items, sum); perr != nil {
		return perr
	}
	return err
}

// lockRun takes the advisory lock of a run for this process.
func (e *Env) lockRun(ctx context.Context, db *store.DB, name string) (func() error, error) {
	host, _ := os.Hostname()
	me := store.LockHolder{Holder: e.auditCommand + " by " + e.Operator(), PID: os.Getpid(), Host: host, Start: procStart(os.Getpid())}
	return db.AcquireLock(ctx, name, me, pidAlive)
}

// pidAlive reports whether the process pid, started at start, runs on this
// host: a pid reused by another process (after a reboot, in another
// container) does not count.
func pidAlive(pid int, start string) bool {
	if pid <= 0 {
		return false
	}
	if err := syscall.Kill(pid, 0); err != nil && err != syscall.EPERM {
		return false
	}
	now := procStart(pid)
	return start == "" || now == "" || now == start
}

// procStart is the start time of a process (field 22 of /proc/PID/stat, in
// clock ticks since boot, with the boot id), or "" where /proc is missing.
func procStart(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return ""
	}
	s := string(b)
	// The command name (field 2) may hold spaces: count from its ")".
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 20 {
		return ""
	}
	boot, _ := os.ReadFile("/proc/sys/kernel/random/boot_id")
	return strings.TrimSpace(string(boot)) + "/" + fields[19]
}

var _ = io.Discard
