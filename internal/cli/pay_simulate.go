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
the same code as "pay ipn". --all-pending does it for every student whose
first payment is due. Refused with a real Paybox gateway.

Cards: the Paybox test card 1111222233334444 (default) or a sandbox card
(docs/sandbox.md), e.g. one that declines later debits softly once.` + exitDoc(
			"0   every payment went through", "3   some payments were refused", "5   not the sandbox, or nothing to pay"),
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
	progress := o.env.Progress("paying", len(o.students))
	warned := 0
	out, err := svc.SimulatePayments(ctx, o.students, o.card, kit.link, clk.Now, kit.sb.Pay, kit.keys, func(done []billing.IPNResult) {
		for _, res := range done[warned:] {
			if res.Warning != "" {
				o.env.Warnf("%s: %s", res.StudentID, res.Warning)
			}
		}
		warned = len(done)
		progress(len(done))
	})
	if err != nil {
		return err
	}
	refused := 0
	for _, res := range out {
		if res.Outcome != "paid" {
			refused++
		}
	}
	if err := printIPNs(o.env, out); err != nil {
		return err
	}
	o.waitNotify(kit)
	if refused > 0 {
		return fault.New(fault.Partial, "%d of %d payments were refused", refused, len(out))
	}
	return nil
}

// notifyWait bounds how long pay simulate waits, after printing, for the
// sandbox's calls of PBX_REPONDRE_A (inpctl serve) to finish.
const notifyWait = 30 * time.Second

// waitNotify waits for the sandbox's calls of PBX_REPONDRE_A and warns
// about those that did not get 200 (the target only, never the signed
// query). The payments are applied already: a call that failed loses
// nothing.
func (o *paySimulateOpts) waitNotify(kit *gatewayKit) {
	if kit.sb == nil {
		return
	}
	ds, all := kit.sb.WaitNotify(notifyWait)
	for _, d := range ds {
		if !d.Delivered {
			o.env.Warnf("the sandbox could not deliver a notification to %s (%d tries)", d.Target(), d.Tries)
		}
	}
	if !all {
		o.env.Warnf("notifications still under way after %s: not waiting for them", notifyWait)
	}
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
