package cli

import (
	"context"
	"io"

	"github.com/spf13/cobra"
)

type scheduleRejectOpts struct {
	env                   *Env
	student, reason, year string
}

func newScheduleRejectCmd(env *Env) *cobra.Command {
	o := &scheduleRejectOpts{env: env}
	cmd := &cobra.Command{
		Use:   "reject STUDENT_ID --reason TEXT",
		Short: "Reject a requested instalment plan with a reason",
		Long: `Reject a student's requested 3x or 5x plan (accounting office). The student
may then ask for another plan.` + exitDoc(
			"0   rejected", "2   no --reason", "4   no such student, or no plan", "5   the plan is not requested"),
		Example: `  inpctl schedule reject 22104567 --reason "incident de paiement l'an dernier"`,
		Args:    cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			o.student = args[0]
			return runScheduleReject(c.Context(), o)
		},
	}
	cmd.Flags().StringVar(&o.reason, "reason", "", "why the plan is rejected (required)")
	cmd.Flags().StringVar(&o.year, "year", "", "academic year (default: the config's)")
	return cmd
}

func runScheduleReject(ctx context.Context, o *scheduleRejectOpts) error {
	svc, err := o.env.Service(ctx, o.year)
	if err != nil {
		return err
	}
	p, err := svc.RejectPlan(ctx, o.student, o.reason)
	if err != nil {
		return err
	}
	o.env.Infof("✓ %s plan of %s rejected", p.Plan, p.StudentID)
	v := viewPlan(p)
	return PrintObject(o.env.Printer(), v, func(w io.Writer) error { return writePlan(w, v, svc.Location) })
}
