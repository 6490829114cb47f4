package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/inpctl/inpctl/internal/billing"
	"github.com/inpctl/inpctl/internal/csvin"
	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/schedule"
	"github.com/spf13/cobra"
)

type scheduleRequestOpts struct {
	env                 *Env
	student, plan, from string
	year                string
}

func newScheduleRequestCmd(env *Env) *cobra.Command {
	o := &scheduleRequestOpts{env: env}
	cmd := &cobra.Command{
		Use:   "request STUDENT_ID --plan 1x|3x|5x | --from FILE",
		Short: "Record a student's choice of payment plan",
		Long: `Record how a student pays the current order: 1x (the whole amount), 3x or
5x. A 3x or 5x plan is "requested" and waits for the accounting office
(schedule approve); a 1x plan needs no approval and is approved at once.

Refused for a zero-amount order, an order financed by a third party, a
rejected dossier, a 5x plan on an order not above the threshold (1 000,00 €
by default), and when the student already has a plan (requested, approved
or active).

--from FILE records many choices from a CSV (columns student_id, plan), all
or nothing, every bad line listed.` + exitDoc(
			"0   recorded", "2   bad arguments or plan file", "4   no such student",
			"5   refused by a rule (the message says why; nothing was written)"),
		Example: `  inpctl schedule request 22104567 --plan 3x
  inpctl schedule request 22104568 --plan 1x -o json
  inpctl schedule request --from plans.csv`,
		Args: func(c *cobra.Command, args []string) error {
			if o.from != "" && len(args) > 0 {
				return fault.New(fault.Usage, "give either STUDENT_ID --plan P or --from FILE, not both")
			}
			if o.from != "" {
				return nil
			}
			return cobra.ExactArgs(1)(c, args)
		},
		RunE: func(c *cobra.Command, args []string) error {
			if o.from != "" {
				if o.plan != "" {
					return fault.New(fault.Usage, "--plan cannot be used with --from: the file gives each student's plan")
				}
				return runScheduleRequests(c.Context(), o)
			}
			o.student = args[0]
			return runScheduleRequest(c.Context(), o)
		},
	}
	cmd.Flags().StringVar(&o.plan, "plan", "", "1x, 3x or 5x (required without --from)")
	cmd.Flags().StringVar(&o.from, "from", "", "CSV file of plans (student_id, plan)")
	cmd.Flags().StringVar(&o.year, "year", "", "academic year (default: the config's)")
	return cmd
}

func runScheduleRequest(ctx context.Context, o *scheduleRequestOpts) error {
	if o.plan == "" {
		return fault.New(fault.Usage, "--plan is required: 1x, 3x or 5x").WithHint("inpctl schedule request %s --plan 3x", o.student)
	}
	if _, err := schedule.ParsePlan(o.plan); err != nil {
		return fault.Wrap(fault.Usage, err, "--plan")
	}
	svc, err := o.env.Service(ctx, o.year)
	if err != nil {
		return err
	}
	p, err := svc.RequestPlan(ctx, billing.PlanRequest{StudentID: o.student, Plan: o.plan})
	if err != nil {
		return err
	}
	if p.Status == string(schedule.PlanRequested) {
		o.env.Infof("✓ %s plan requested for %s; the accounting office approves it with: inpctl schedule approve %s", p.Plan, p.StudentID, p.StudentID)
	} else {
		o.env.Infof("✓ %s plan recorded for %s (%s, no approval needed)", p.Plan, p.StudentID, p.Status)
	}
	v := viewPlan(p)
	return PrintObject(o.env.Printer(), v, func(w io.Writer) error { return writePlan(w, v, svc.Location) })
}

func runScheduleRequests(ctx context.Context, o *scheduleRequestOpts) error {
	svc, err := o.env.Service(ctx, o.year)
	if err != nil {
		return err
	}
	var waiting int // 3x and 5x (RequestPlans says): the rest are 1x, approved at once
	return runBulk(ctx, o.env, o.from, bulkFile[billing.PlanRequest]{
		columns: []string{"plan"},
		// What is wrong in the file itself (an empty or unknown plan) is a
		// usage error; the rules' refusals come from RequestPlans.
		row: func(r csvin.Record, bad func(field, msg string)) billing.PlanRequest {
			q := billing.PlanRequest{StudentID: r.Get("student_id"), Plan: r.Get("plan"), Line: r.Line}
			if q.Plan == "" {
				bad("plan", "is empty")
			} else if _, err := schedule.ParsePlan(q.Plan); err != nil {
				bad("plan", err.Error())
			}
			return q
		},
		apply: func(ctx context.Context, rows []billing.PlanRequest, file string) (int, []billing.RowError, error) {
			res, rowErrs, err := svc.RequestPlans(ctx, rows, file)
			waiting = res.Waiting
			return res.Recorded, rowErrs, err
		},
		done: func(n int, file string) (string, string, string) {
			// Say where the plans went: a clerk who then approves "all
			// requested" and sees fewer must not think some were lost.
			return fmt.Sprintf("✓ %s recorded from %s: %d in 1x, approved at once; %d in 3x or 5x, waiting for schedule approve",
					plural(n, "plan"), file, n-waiting, waiting),
				"requested", plural(n, "plan") + " requested"
		},
	})
}
