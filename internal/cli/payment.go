package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/inpctl/inpctl/internal/billing"
	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/money"
	"github.com/inpctl/inpctl/internal/store"
	"github.com/spf13/cobra"
)

func newPaymentCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "payment",
		Short:   "Record cheque, transfer and cash payments, unpaids, and list payments",
		Example: "  inpctl payment record 22104567 --amount 418,67 --method cheque --ref 'chèque 1234567'\n  inpctl payment list --from 2025-09-01",
		Args:    noArgs,
	}
	cmd.AddCommand(newPaymentRecordCmd(env), newPaymentUnpaidCmd(env), newPaymentVoidCmd(env), newPaymentAllocateCmd(env), newPaymentListCmd(env))
	return cmd
}

type paymentRecordOpts struct {
	env                                      *Env
	student, amount, method, ref, date, year string
	allowCredit, allowDuplicateRef, payer    bool
}

func newPaymentRecordCmd(env *Env) *cobra.Command {
	o := &paymentRecordOpts{env: env}
	cmd := &cobra.Command{
		Use:   "record STUDENT_ID --amount A --method cheque|transfer|cash --ref TEXT",
		Short: "Record a cheque, transfer or cash payment",
		Long: `Record a payment received by cheque, transfer or cash. It is allocated to the
student's open invoices, oldest first (the invoice is issued if this is the
first money for the order), and the plan follows what is still owed: the money
counts against the earliest instalments, so a cheque for part of the rest
lowers the next card debits and one for the whole rest cancels them.

An amount above what the student owes is refused unless --allow-credit (the
rest then stays as a credit in the student's favour); the confirmation says
how much that is. A reference already recorded for the same student and
method is refused unless --allow-duplicate-ref.

An order a third party finances (code 42, or a payer named with dossier
set-payer) is not the student's to pay: its payments are the payer's
transfers, recorded with --payer; they pay that order only, never more than
it owes.` + exitDoc(
			"0   recorded", "2   a bad amount, method or date", "4   no such student",
			"5   the student has no order, the reference is already used, the amount exceeds what is owed, or the order is financed (without --payer)"),
		Example: "  inpctl payment record 22104567 --amount 418,67 --method cheque --ref 'chèque n° 1234567' --yes",
		Args:    cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			o.student = args[0]
			return runPaymentRecord(c.Context(), o)
		},
	}
	cmd.Flags().StringVar(&o.amount, "amount", "", "amount received, e.g. 418,67 (required)")
	cmd.Flags().StringVar(&o.method, "method", "", "cheque, transfer or cash (required)")
	cmd.Flags().StringVar(&o.ref, "ref", "", "cheque number, transfer label… (required)")
	cmd.Flags().StringVar(&o.date, "date", "", "date received (YYYY-MM-DD, default today)")
	cmd.Flags().StringVar(&o.year, "year", "", "academic year of the dossier paid (default: the config's)")
	cmd.Flags().BoolVar(&o.allowCredit, "allow-credit", false, "accept an amount above what is owed (the rest is a credit)")
	cmd.Flags().BoolVar(&o.allowDuplicateRef, "allow-duplicate-ref", false, "accept a reference already recorded for this student and method")
	cmd.Flags().BoolVar(&o.payer, "payer", false, "the money comes from the order's payer (dossier set-payer), not the student")
	return cmd
}

func runPaymentRecord(ctx context.Context, o *paymentRecordOpts) error {
	amount, err := parseAmountFlag("--amount", o.amount)
	if err != nil {
		return err
	}
	if err := oneOf("--method", o.method, "", "cheque", "transfer", "cash"); err != nil || o.method == "" {
		return fault.New(fault.Usage, "--method must be cheque, transfer or cash")
	}
	var date clock.Date
	if o.date != "" {
		if date, err = clock.ParseDate(o.date); err != nil {
			return fault.New(fault.Usage, "--date %v", err)
		}
	}
	svc, err := o.env.Service(ctx, o.year)
	if err != nil {
		return err
	}
	m := billing.ManualPayment{StudentID: o.student, Method: o.method, Ref: o.ref, Amount: amount, Date: date,
		AllowCredit: o.allowCredit, AllowDuplicateRef: o.allowDuplicateRef, Payer: o.payer}
	pv, err := svc.PreviewPayment(ctx, m)
	if err != nil {
		return err
	}
	question := fmt.Sprintf("record a %s payment of %s for student %s (owed %s)?", o.method, amount, o.student, pv.Owed)
	if o.payer {
		question = fmt.Sprintf("record a %s of %s from the payer of student %s's order (owed %s)?", billing.MethodFR(o.method), amount, o.student, pv.Owed)
	}
	if pv.Credit > 0 && o.payer {
		_, err := svc.RecordPayment(ctx, m) // refused: a payer's transfer is never a credit
		return err
	}
	if pv.Credit > 0 {
		question = fmt.Sprintf("record a %s payment of %s for student %s, who owes %s: %s would be a credit?", o.method, amount, o.student, pv.Owed, pv.Credit)
		if !o.allowCredit {
			// Refused before asking: --yes alone never accepts an excess.
			_, err := svc.RecordPayment(ctx, m)
			return err
		}
	}
	if err := o.env.Confirm(question); err != nil {
		return err
	}
	res, err := svc.RecordPayment(ctx, m)
	if err != nil {
		return err
	}
	covered := "none"
	if len(res.Covered) > 0 {
		covered = strings.Trim(strings.Join(strings.Fields(fmt.Sprint(res.Covered)), ", "), "[]")
	}
	o.env.Infof("✓ payment %s recorded: %s; instalments now paid: %s; credit left: %s", res.Payment.Number, amount, covered, res.Credit)
	return PrintObject(o.env.Printer(), res, func(w io.Writer) error {
		return writeTable(w, []store.Payment{res.Payment}, paymentCols, nil)
	})
}

var paymentCols = []Col[store.Payment]{
	{Head: "Date", Cell: func(p store.Payment) string { return frDate(p.Date) }},
	{Head: "N°", Cell: func(p store.Payment) string { return p.Number }},
	{Head: "N° étudiant", Cell: func(p store.Payment) string { return p.StudentID }},
	{Head: "Mode", Cell: func(p store.Payment) string { return billing.MethodFR(p.Method) }},
	{Head: "Référence", Cell: func(p store.Payment) string {
		if p.PayerName != "" {
			return p.Ref + " (" + p.PayerName + ")"
		}
		return p.Ref
	}},
	{Head: "TTC", Money: func(p store.Payment) money.Cents { return p.Amount }, Right: true},
	{Head: "Affecté TTC", Money: func(p store.Payment) money.Cents { return p.Allocated }, Right: true},
	{Head: "Impayé", Cell: func(p store.Payment) string {
		switch {
		case p.Voided:
			return "annulé le " + frDate(p.UnpaidDate) + " : " + p.UnpaidReason
		case p.Unpaid:
			return frDate(p.UnpaidDate) + " : " + p.UnpaidReason
		}
		return ""
	}},
}

func newPaymentVoidCmd(env *Env) *cobra.Command {
	var reason string
	cmd := &cobra.Command{
		Use:   "void PAYMENT --reason TEXT",
		Short: "Cancel a manual payment entered by mistake",
		Long: `Void a cheque, transfer or cash payment that was recorded by mistake (a wrong
student, a wrong amount): its allocations are reversed, the payment stays
listed as voided with the reason, and the plan follows what is owed again.
A card payment cannot be voided: Paybox took the money, refund it instead.
Asks for confirmation.` + exitDoc("0   voided", "2   no --reason", "4   no such payment", "5   a card payment, already reversed, or refunded"),
		Example: "  inpctl payment void REG000123 --reason 'saisi sur le mauvais étudiant' --yes",
		Args:    cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			svc, err := env.Service(c.Context(), "")
			if err != nil {
				return err
			}
			if strings.TrimSpace(reason) == "" {
				return fault.New(fault.Usage, "a void needs a reason (--reason)")
			}
			if err := env.Confirm(fmt.Sprintf("void payment %s (its allocations are reversed)?", args[0])); err != nil {
				return err
			}
			p, err := svc.VoidPayment(c.Context(), args[0], reason)
			if err != nil {
				return err
			}
			env.Infof("✓ payment %s voided: %s reversed", p.Number, p.Amount)
			return PrintObject(env.Printer(), p, func(w io.Writer) error { return writeTable(w, []store.Payment{p}, paymentCols, nil) })
		},
	}
	cmd.Flags().StringVar(&reason, "reason", "", "why the payment is voided (required)")
	return cmd
}

func newPaymentUnpaidCmd(env *Env) *cobra.Command {
	var reason string
	cmd := &cobra.Command{
		Use:   "unpaid PAYMENT --reason TEXT",
		Short: "Reverse a payment that was charged back or rejected",
		Long: `Mark a payment unpaid (impayé: a card chargeback, a rejected cheque): its
allocation is reversed, the invoice is owed again, and the order is blocked
until staff follow it up. Asks for confirmation.` + exitDoc("0   reversed", "4   no such payment", "5   already unpaid, or partly refunded"),
		Example: "  inpctl payment unpaid REG000123 --reason 'chèque rejeté : sans provision' --yes",
		Args:    cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			svc, err := env.Service(c.Context(), "")
			if err != nil {
				return err
			}
			if err := env.Confirm(fmt.Sprintf("reverse payment %s (the invoice will be owed again)?", args[0])); err != nil {
				return err
			}
			p, err := svc.Unpaid(c.Context(), args[0], reason)
			if err != nil {
				return err
			}
			env.Infof("✓ payment %s reversed (%s); the order is blocked", p.Number, p.Amount)
			return PrintObject(env.Printer(), p, func(w io.Writer) error { return writeTable(w, []store.Payment{p}, paymentCols, nil) })
		},
	}
	cmd.Flags().StringVar(&reason, "reason", "", "why (chargeback, rejected cheque…; required)")
	return cmd
}

type paymentListOpts struct {
	env                       *Env
	from, to, method, student string
}

func newPaymentListCmd(env *Env) *cobra.Command {
	o := &paymentListOpts{env: env}
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List payments received",
		Long:    "List payments with what was allocated and whether they were reversed." + exitDoc("0   listed (an empty list is not an error)", "2   a bad date"),
		Example: "  inpctl payment list --from 2025-09-01 --to 2025-09-30\n  inpctl payment list --method cheque -o csv",
		Args:    noArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			from, to, err := dateRange(o.from, o.to)
			if err != nil {
				return err
			}
			if err := oneOf("--method", o.method, "", "card", "cheque", "transfer", "cash"); err != nil {
				return err
			}
			db, err := env.Store(c.Context())
			if err != nil {
				return err
			}
			rows, err := db.ListPayments(c.Context(), store.PaymentFilter{From: from, To: to, Method: o.method, StudentID: o.student})
			if err != nil {
				return err
			}
			return Print(env.Printer(), rows, paymentCols, "no payments match")
		},
	}
	cmd.Flags().StringVar(&o.from, "from", "", "received on or after (YYYY-MM-DD)")
	cmd.Flags().StringVar(&o.to, "to", "", "received on or before (YYYY-MM-DD)")
	cmd.Flags().StringVar(&o.method, "method", "", "card, cheque, transfer or cash")
	cmd.Flags().StringVar(&o.student, "student", "", "only this student")
	return cmd
}

type refundOpts struct {
	env                                    *Env
	student, amount, payment, reason, year string
}

func newRefundCmd(env *Env) *cobra.Command {
	o := &refundOpts{env: env}
	cmd := &cobra.Command{
		Use:   "refund STUDENT_ID --amount A [--payment P] [--reason TEXT]",
		Short: "Refund part of a student's credit",
		Long: `Refund money a student paid and no longer owes (a credit: e.g. after a bourse
was obtained). A card payment is refunded through Paybox (TYPE 00014), any
other is recorded as a manual refund. Never more than the student's credit,
nor than what is left on the payment. Asks for confirmation.

A card refund goes exactly once: it is written down (with its own Paybox
REFERENCE) and reserves its amount before Paybox is called, then its outcome
is recorded. When the answer is lost (exit 8) the amount stays reserved and
the refund must NOT be made again: run "inpctl reconcile", which asks Paybox
and records the refund, or frees the amount if Paybox never made it. Only one
refund or charge run at a time (exit 11 otherwise: nothing was done).` + exitDoc(
			"0   refunded", "2   a bad amount", "4   no such student or payment", "5   more than the credit (a refund in flight counts)",
			"6   Paybox certainly did nothing (not reached, or refused before acting): retrying is safe",
			"7   Paybox refused the refund", "8   outcome unknown: do not retry; run inpctl reconcile",
			"11  a charge run or another refund holds the lock: nothing was done"),
		Example: "  inpctl refund 22104567 --amount 628,00 --reason 'bourse obtenue' --yes",
		Args:    cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			o.student = args[0]
			return runRefund(c.Context(), o)
		},
	}
	cmd.Flags().StringVar(&o.amount, "amount", "", "amount to refund, e.g. 628,00 (required)")
	cmd.Flags().StringVar(&o.payment, "payment", "", "the payment to refund (default: the newest with enough left)")
	cmd.Flags().StringVar(&o.reason, "reason", "", "why")
	cmd.Flags().StringVar(&o.year, "year", "", "academic year (default: the config's; a credit is the student's, whatever its year)")
	return cmd
}

func runRefund(ctx context.Context, o *refundOpts) error {
	amount, err := parseAmountFlag("--amount", o.amount)
	if err != nil {
		return err
	}
	svc, err := o.env.Service(ctx, o.year)
	if err != nil {
		return err
	}
	req := billing.RefundRequest{StudentID: o.student, Payment: o.payment, Reason: o.reason, Amount: amount}
	if err := svc.CheckRefund(ctx, req); err != nil {
		return err // refused before anything is written, not even the lock
	}
	if err := o.env.Confirm(fmt.Sprintf("refund %s to student %s?", amount, o.student)); err != nil {
		return err
	}
	// One at a time with charge runs and reconcile: a lookup never meets a
	// refund still on its way to Paybox.
	release, err := o.env.lockRun(ctx, svc.DB, "charge")
	if err != nil {
		return err
	}
	defer release()
	gw, err := o.env.Gateway(ctx)
	if err != nil {
		return err
	}
	clk, _ := o.env.Clock()
	req.Now = clk.Now()
	r, err := svc.Refund(ctx, gw, req)
	if err != nil {
		return err
	}
	o.env.Infof("✓ %s refunded to %s (%s, payment %s)", r.Amount, r.StudentID, r.Method, r.Payment)
	return PrintObject(o.env.Printer(), r, func(w io.Writer) error {
		return writeKV(w, [][2]string{{"Remboursement", r.Amount.String()}, {"Étudiant", r.StudentID}, {"Mode", r.Method}, {"Règlement", r.Payment}, {"Date", frDate(r.Date)}, {"Motif", r.Reason}})
	})
}

func newPaymentAllocateCmd(env *Env) *cobra.Command {
	var year string
	cmd := &cobra.Command{
		Use:   "allocate STUDENT_ID",
		Short: "Apply a student's credit to what they owe on another invoice",
		Long: `Apply a student's credit (a payment larger than what was owed, money released
by a credit note, an unpaid cheque replaced) to the student's open invoices,
oldest first. A credit is never applied silently: staff ask for it. The plans
of the orders it pays follow what they now owe.` + exitDoc("0   applied", "4   no such student", "5   no credit, or nothing open to apply it to"),
		Example: "  inpctl payment allocate 22104567",
		Args:    cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			svc, err := env.Service(c.Context(), year)
			if err != nil {
				return err
			}
			res, err := svc.AllocateCredit(c.Context(), args[0])
			if err != nil {
				return err
			}
			env.Infof("✓ %s of credit applied for %s; credit left: %s", res.Applied, res.StudentID, res.Credit)
			return PrintObject(env.Printer(), res, func(w io.Writer) error {
				_, err := fmt.Fprintf(w, "Crédit appliqué  %s\nCrédit restant   %s\n", res.Applied, res.Credit)
				return err
			})
		},
	}
	cmd.Flags().StringVar(&year, "year", "", "academic year (default: the config's)")
	return cmd
}
