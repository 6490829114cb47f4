package cli

import (
	"context"
	"io"

	"github.com/spf13/cobra"
)

type scheduleShowOpts struct {
	env           *Env
	student, year string
}

func newScheduleShowCmd(env *Env) *cobra.Command {
	o := &scheduleShowOpts{env: env}
	cmd := &cobra.Command{
		Use:   "show STUDENT_ID",
		Short: "Show a student's plan and its instalments",
		Long: `Show a student's plan (the live one, else the latest): its status and each
instalment with its amount, due date, status and number of attempts.` + exitDoc(
			"0   shown", "4   no such student, or no plan"),
		Example: "  inpctl schedule show 22104567\n  inpctl schedule show 22104567 -o json",
		Args:    cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			o.student = args[0]
			return runScheduleShow(c.Context(), o)
		},
	}
	cmd.Flags().StringVar(&o.year, "year", "", "academic year (default: the config's)")
	return cmd
}

func runScheduleShow(ctx context.Context, o *scheduleShowOpts) error {
	svc, err := o.env.Service(ctx, o.year)
	if err != nil {
		return err
	}
	p, err := svc.Plan(ctx, o.student)
	if err != nil {
		return err
	}
	v := viewPlan(p)
	return PrintObject(o.env.Printer(), v, func(w io.Writer) error { return writePlan(w, v, svc.Location) })
}
