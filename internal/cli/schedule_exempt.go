package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/money"
	"github.com/spf13/cobra"
)

type scheduleExemptOpts struct {
	env                     *Env
	student, decision, year string
}

func newScheduleExemptCmd(env *Env) *cobra.Command {
	o := &scheduleExemptOpts{env: env}
	cmd := &cobra.Command{
		Use:   "exempt STUDENT_ID --decision REF",
		Short: "Apply an exemption decision to a student's plan",
		Long: `Apply a decision of the exemption commission (commission d'exonération) to
a student's approved or active plan: the instalments not yet paid are
cancelled and no debit follows; when the order is invoiced, a credit note for
their total, naming the decision, cancels that part of the invoice. If the
student has paid more than what is still owed, the excess is a credit in the
student's favour, to refund. It asks for confirmation (--yes in scripts).` + exitDoc(
			"0   exempted", "2   no --decision, or not confirmed outside a terminal", "4   no such student, or no plan",
			"5   the plan has nothing left to pay, or is only requested"),
		Example: `  inpctl schedule exempt 22104567 --decision "CE-2025-09-14" --yes`,
		Args:    cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			o.student = args[0]
			return runScheduleExempt(c.Context(), o)
		},
	}
	cmd.Flags().StringVar(&o.decision, "decision", "", "reference of the commission's decision (required)")
	cmd.Flags().StringVar(&o.year, "year", "", "academic year (default: the config's)")
	return cmd
}

// exemptView is an exemption as JSON shows it.
type exemptView struct {
	Plan       planView    `json:"plan"`
	Decision   string      `json:"decision"`
	Tariff     money.Cents `json:"exempted_tariff_cents"`
	Cancelled  int         `json:"cancelled_instalments"`
	Amount     money.Cents `json:"cancelled_cents"`
	CreditNote string      `json:"credit_note"`
	Credited   money.Cents `json:"credited_cents"`
	Credit     money.Cents `json:"credit_cents"`
	Currency   string      `json:"currency"`
}

func runScheduleExempt(ctx context.Context, o *scheduleExemptOpts) error {
	svc, err := o.env.Service(ctx, o.year)
	if err != nil {
		return err
	}
	if strings.TrimSpace(o.decision) == "" { // said before asking, not after
		return fault.New(fault.Usage, "an exemption needs the decision's reference (--decision)")
	}
	if err := o.env.Confirm(fmt.Sprintf("bring the order of student %s down to the exempted tariff, with a credit note if it is invoiced (decision %q)?", o.student, o.decision)); err != nil {
		return err
	}
	ex, err := svc.Exempt(ctx, o.student, o.decision)
	if err != nil {
		return err
	}
	v := exemptView{Plan: viewPlan(ex.Plan), Decision: ex.Decision, Tariff: ex.Tariff, Cancelled: ex.Cancelled, Amount: ex.Amount,
		CreditNote: ex.CreditNote, Credited: ex.Credited, Credit: ex.Credit, Currency: money.Currency}
	o.env.Infof("✓ order of %s down to %s by decision %s%s; %s (%s) cancelled", o.student, v.Tariff, v.Decision,
		ifSet(", credit note ", v.CreditNote), plural(v.Cancelled, "instalment"), v.Amount)
	if v.Credit > 0 {
		o.env.Infof("  the student has a credit of %s to refund", v.Credit)
	}
	return PrintObject(o.env.Printer(), v, func(w io.Writer) error {
		if ex.Plan.ID != 0 {
			if err := writePlan(w, v.Plan, svc.Location); err != nil {
				return err
			}
			fmt.Fprintln(w)
		}
		avoir := "aucun (commande non facturée : ramenée au tarif exonéré)"
		if v.CreditNote != "" {
			avoir = fmt.Sprintf("%s (%s)", v.CreditNote, v.Credited)
		}
		return writeKV(w, [][2]string{
			{"Décision", v.Decision}, {"Tarif exonéré", v.Tariff.String()}, {"Échéances annulées", fmt.Sprintf("%d (%s)", v.Cancelled, v.Amount)},
			{"Avoir", avoir}, {"Crédit de l'étudiant", v.Credit.String()},
		})
	})
}
