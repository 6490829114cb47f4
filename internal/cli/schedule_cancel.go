package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

type scheduleCancelOpts struct {
	env                   *Env
	student, reason, year string
}

func newScheduleCancelCmd(env *Env) *cobra.Command {
	o := &scheduleCancelOpts{env: env}
	cmd := &cobra.Command{
		Use:   "cancel STUDENT_ID --reason TEXT",
		Short: "Cancel a plan on which nothing was paid, so the student can choose again",
		Long: `Cancel a student's requested or approved plan (3x, 5x, or a 1x not yet paid)
on which nothing has been paid: the student may then ask for another plan
(seed 2a: the student first looks at the amount).` + exitDoc(
			"0   cancelled", "2   no --reason", "4   no such student, or no plan", "5   the plan is active, completed or already final, or money was paid on it"),
		Example: `  inpctl schedule cancel 22104567 --reason "préfère payer en 3 fois"`,
		Args:    cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			o.student = args[0]
			return runScheduleCancel(c.Context(), o)
		},
	}
	cmd.Flags().StringVar(&o.reason, "reason", "", "why the plan is cancelled (required)")
	cmd.Flags().StringVar(&o.year, "year", "", "academic year (default: the config's)")
	return cmd
}

func runScheduleCancel(ctx context.Context, o *scheduleCancelOpts) error {
	svc, err := o.env.Service(ctx, o.year)
	if err != nil {
		return err
	}
	p, err := svc.CancelPlan(ctx, o.student, o.reason)
	if err != nil {
		return err
	}
	o.env.Infof("✓ %s plan of %s cancelled: the student may choose again", p.Plan, p.StudentID)
	v := viewPlan(p)
	return PrintObject(o.env.Printer(), v, func(w io.Writer) error { return writePlan(w, v, svc.Location) })
}

type scheduleUnblockOpts struct {
	env                   *Env
	student, reason, year string
}

func newScheduleUnblockCmd(env *Env) *cobra.Command {
	o := &scheduleUnblockOpts{env: env}
	cmd := &cobra.Command{
		Use:   "unblock STUDENT_ID --reason TEXT",
		Short: "Lift the block of an order after staff have acted",
		Long: `Lift the block of a student's order (a hard card decline, the last soft
decline allowed, an unpaid) once staff have acted: the failed instalments are
due again at once, with a fresh retry count, and the next charge run debits
them. A new card registered on the hosted page for a blocked order lifts the
block by itself. The block and its lifting stay in the audit log and in
account show.` + exitDoc("0   lifted", "2   no --reason", "4   no such student", "5   the order is not blocked"),
		Example: `  inpctl schedule unblock 22104567 --reason "provision faite, appel du 14/10"`,
		Args:    cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			o.student = args[0]
			svc, err := o.env.Service(c.Context(), o.year)
			if err != nil {
				return err
			}
			if err := svc.Unblock(c.Context(), o.student, o.reason); err != nil {
				return err
			}
			o.env.Infof("✓ block lifted for %s: the failed instalments are due again", o.student)
			return PrintObject(o.env.Printer(), map[string]string{"student_id": o.student, "status": "unblocked"}, func(w io.Writer) error {
				_, err := fmt.Fprintf(w, "Blocage levé pour %s : %s\n", o.student, o.reason)
				return err
			})
		},
	}
	cmd.Flags().StringVar(&o.reason, "reason", "", "what staff did (required)")
	cmd.Flags().StringVar(&o.year, "year", "", "academic year (default: the config's)")
	return cmd
}
