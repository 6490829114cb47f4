package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/inpctl/inpctl/internal/billing"
	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/money"
	"github.com/spf13/cobra"
)

type paySimulateOpts struct {
	env        *Env
	students   []string
	card, year string
	allPending bool
}

func newPaySimulateCmd(env *Env) *cobra.Command {
	o := &paySimulateOpts{env: env}
	cmd := &cobra.Command{
		Use:   "simulate STUDENT_ID... | --all-pending",
		Short: "Pay as a student would, on the sandbox's hosted page",
		Long: `Sandbox only: do what a student does — build the payment link, pay it on the
sandbox's hosted page with a test card, and feed the signed notification to
the same code as "pay ipn". With serve.public_url set, the sandbox sends the
notification to inpctl serve (PBX_REPONDRE_A) like Paybox, serve alone applies
it, and pay simulate waits (up to 30 s) and prints what serve recorded. --all-pending does it for every student whose
first payment is due. Refused with a real Paybox gateway.

Cards: the Paybox test card 1111222233334444 (default) or a sandbox card
(docs/sandbox.md), e.g. one that declines later debits softly once.` + exitDoc(
			"0   every payment went through", "3   some payments were refused", "5   not the sandbox, or nothing to pay",
			"8   serve.public_url is set and inpctl serve did not apply every notification in time"),
		Example: "  inpctl pay simulate 22104567 --yes\n  inpctl pay simulate 22104568 --card 1111222233330103 --yes\n  inpctl pay simulate --all-pending --yes",
		Args:    studentsOrAll(&o.allPending, "--all-pending"),
		RunE: func(c *cobra.Command, args []string) error {
			o.students = args
			return runPaySimulate(c.Context(), o)
		},
	}
	cmd.Flags().StringVar(&o.card, "card", "", "test card number or sandbox card (default 1111222233334444)")
	_ = cmd.Flags().SetAnnotation("card", cardNumberFlag, []string{"sandbox test card"})
	cmd.Flags().BoolVar(&o.allPending, "all-pending", false, "every student whose first payment is due")
	cmd.Flags().StringVar(&o.year, "year", "", "academic year (default: the config's)")
	return cmd
}

func runPaySimulate(ctx context.Context, o *paySimulateOpts) error {
	kit, err := o.env.gateway(ctx)
	if err != nil {
		return err
	}
	if kit.sb == nil {
		return fault.New(fault.Conflict, "pay simulate works only with the built-in sandbox (gateway.kind: sandbox)")
	}
	svc, err := o.env.Service(ctx, o.year)
	if err != nil {
		return err
	}
	if o.allPending {
		if o.students, err = svc.DB.FirstPaymentDue(ctx, svc.Year); err != nil {
			return err
		}
	}
	if len(o.students) == 0 {
		o.env.Infof("nobody has a first payment due")
		return printIPNs(o.env, nil)
	}
	if err := o.env.Confirm(fmt.Sprintf("simulate %d card payment(s) on the sandbox?", len(o.students))); err != nil {
		return err
	}
	clk, _ := o.env.Clock()
	if kit.notifies {
		return o.viaServe(ctx, svc, kit, clk.Now)
	}
	progress := o.env.Progress("paying", len(o.students))
	warned := 0
	out, err := svc.SimulatePayments(ctx, o.students, o.card, kit.link, clk.Now, kit.sb.Pay, kit.keys, func(done []billing.IPNResult) {
		o.warn(done[warned:])
		warned = len(done)
		progress(len(done))
	})
	if err != nil {
		return err
	}
	if err := printIPNs(o.env, out); err != nil {
		return err
	}
	return refusedErr(out)
}

// notifyWait bounds how long pay simulate waits for inpctl serve to apply
// the notifications the sandbox sent it; notifyPoll is how often it looks.
const (
	notifyWait = 30 * time.Second
	notifyPoll = 50 * time.Millisecond
)

// viaServe is pay simulate when the sandbox notifies inpctl serve
// (serve.public_url): the payments are made here, but only serve applies
// their notifications, as it would Paybox's; pay simulate waits until the
// books hold them all (one poll for the whole batch) and prints what serve
// recorded. What serve did not apply in time is an unknown outcome: the
// sandbox took the money.
func (o *paySimulateOpts) viaServe(ctx context.Context, svc *billing.Service, kit *gatewayKit, now func() time.Time) error {
	raws, payErr := svc.PayHosted(ctx, o.students, o.card, kit.link, now, kit.sb.Pay, o.env.Progress("paying", len(o.students)))
	wait := o.notifyWait()
	out, missing, err := svc.AwaitIPNs(ctx, raws, kit.keys, wait, notifyPoll)
	o.warn(out)
	if perr := printIPNs(o.env, out); perr != nil {
		return perr
	}
	if err != nil {
		return err
	}
	if missing > 0 {
		o.undelivered(kit)
		return fault.New(fault.Unknown, "inpctl serve did not apply %d of %d notification(s) within %s", missing, len(raws), wait).
			WithHint("the sandbox took these payments and will not call %s again once this command ends: do not pay again; "+
				"start inpctl serve there (its log says why a call got 4xx or 5xx), then find what the books lack with "+
				"inpctl gateway sandbox --export sandbox.csv && inpctl reconcile paybox sandbox.csv", kit.link.IPNURL)
	}
	if payErr != nil {
		return payErr
	}
	return refusedErr(out)
}

// notifyWait is how long viaServe waits: notifyWait, or the Env's
// (the test binary's, from INPCTL_TEST_NOTIFY_WAIT).
func (o *paySimulateOpts) notifyWait() time.Duration {
	if o.env.notifyWait > 0 {
		return o.env.notifyWait
	}
	return notifyWait
}

// warn prints the results' warnings on stderr.
func (o *paySimulateOpts) warn(rows []billing.IPNResult) {
	for _, res := range rows {
		if res.Warning != "" {
			o.env.Warnf("%s: %s", res.StudentID, res.Warning)
		}
	}
}

// undelivered warns about the sandbox's notifications that did not get
// 200 (the target only, never the signed query), done or still retried.
func (o *paySimulateOpts) undelivered(kit *gatewayKit) {
	ds, _ := kit.sb.WaitNotify(0)
	for _, d := range ds {
		if d.Delivered {
			continue
		}
		state := "gave up"
		if !d.Done {
			state = "still retrying"
		}
		last := d.Last
		if last == "" {
			last = "none yet"
		}
		o.env.Warnf("the sandbox could not deliver a notification to %s (%d call(s), last answer: %s; %s)", d.Target(), d.Tries, last, state)
	}
}

// refusedErr is exit 3 when some payments were refused.
func refusedErr(out []billing.IPNResult) error {
	refused := 0
	for _, res := range out {
		if res.Outcome != "paid" {
			refused++
		}
	}
	if refused > 0 {
		return fault.New(fault.Partial, "%d of %d payments were refused", refused, len(out))
	}
	return nil
}

var ipnCols = []Col[billing.IPNResult]{
	{Head: "N° étudiant", Cell: func(r billing.IPNResult) string { return r.StudentID }},
	{Head: "Résultat", Cell: func(r billing.IPNResult) string { return r.Outcome }},
	{Head: "Montant", Money: func(r billing.IPNResult) money.Cents { return r.Amount }, Right: true},
	{Head: "Code", Cell: func(r billing.IPNResult) string { return r.Code }},
	{Head: "Règlement", Cell: func(r billing.IPNResult) string { return r.Payment }},
	{Head: "Facture", Cell: func(r billing.IPNResult) string { return r.Invoice }},
	{Head: "Carte", Cell: func(r billing.IPNResult) string { return yesNo(r.CardSaved) }},
}

func printIPNs(env *Env, rows []billing.IPNResult) error {
	return Print(env.Printer(), rows, ipnCols, "no payments")
}
