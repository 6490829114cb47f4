package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/schedule"
	"github.com/spf13/cobra"
)

type scheduleApproveOpts struct {
	env             *Env
	students        []string
	all             bool
	programme, year string
}

func newScheduleApproveCmd(env *Env) *cobra.Command {
	o := &scheduleApproveOpts{env: env}
	cmd := &cobra.Command{
		Use:   "approve STUDENT_ID... | --all-requested [--programme P]",
		Short: "Approve requested instalment plans (accounting office)",
		Long: `Approve the requested 3x or 5x plans of the students named, or of every
student with a requested plan (--all-requested, of --programme). Approval
fixes the amounts of the instalments; their due dates are fixed when the
first instalment is paid. It asks for confirmation (--yes in scripts).

All or nothing: a plan that is not requested (already approved, active,
rejected, or a 1x plan) is refused, every refusal is listed and nothing is
written. A card already on file that could not pay the plan (an e-card, or
one expiring before the last due date) gives a warning.` + exitDoc(
			"0   approved (also when --all-requested finds none)", "2   bad arguments, or not confirmed outside a terminal",
			"4   no such student, or no plan", "5   a plan is not requested (nothing was written)"),
		Example: `  inpctl schedule approve 22104567 --yes
  inpctl schedule approve 22104567 22104568 --yes
  inpctl schedule approve --all-requested --programme ING-GC-3A --yes`,
		Args: studentsOrAll(&o.all, "--all-requested"),
		RunE: func(c *cobra.Command, args []string) error {
			if !o.all && o.programme != "" {
				return fault.New(fault.Usage, "--programme goes with --all-requested")
			}
			o.students = args
			return runScheduleApprove(c.Context(), o)
		},
	}
	cmd.Flags().BoolVar(&o.all, "all-requested", false, "approve every requested plan")
	cmd.Flags().StringVar(&o.programme, "programme", "", "with --all-requested: only this programme")
	cmd.Flags().StringVar(&o.year, "year", "", "academic year (default: the config's)")
	return cmd
}

func runScheduleApprove(ctx context.Context, o *scheduleApproveOpts) error {
	svc, err := o.env.Service(ctx, o.year)
	if err != nil {
		return err
	}
	if err := (filters{Programme: o.programme, Year: o.year}).check(ctx, o.env); err != nil {
		return err
	}
	question := fmt.Sprintf("approve the plan of %s (fixes the instalment amounts)?", strings.Join(o.students, ", "))
	if o.all {
		reqs, err := svc.ListPlans(ctx, string(schedule.PlanRequested), o.programme)
		if err != nil {
			return err
		}
		if len(reqs) == 0 {
			return Print(o.env.Printer(), []planView{}, planCols, "no requested plans")
		}
		o.students = make([]string, len(reqs))
		for i, p := range reqs {
			o.students[i] = p.StudentID
		}
		question = fmt.Sprintf("approve %s (fixes the instalment amounts)?", plural(len(reqs), "requested plan"))
	}
	if err := o.env.Confirm(question); err != nil {
		return err
	}
	res, refusals, err := svc.ApprovePlans(ctx, o.students)
	if err != nil {
		return err
	}
	if len(refusals) > 0 {
		return refusalsFault("plan(s) cannot be approved", refusals)
	}
	for _, w := range res.Warnings {
		o.env.Warnf("%s", w)
	}
	o.env.Infof("✓ %s approved", plural(len(res.Plans), "plan"))
	return Print(o.env.Printer(), viewPlans(res.Plans), planCols, "")
}
