package cli

import (
	"context"
	"fmt"

	"github.com/inpctl/inpctl/internal/money"
	"github.com/inpctl/inpctl/internal/schedule"
	"github.com/spf13/cobra"
)

type scheduleListOpts struct {
	env                     *Env
	status, programme, year string
}

func newScheduleListCmd(env *Env) *cobra.Command {
	o := &scheduleListOpts{env: env}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List instalment plans with their status and next due date",
		Long: `List the plans of an academic year, one line per plan: student, name,
programme, plan, order total, status, and the next instalment still to pay
(its date stays empty until the first payment fixes the dates).` + exitDoc(
			"0   listed (an empty list is not an error)", "2   bad --status"),
		Example: "  inpctl schedule list --status requested\n  inpctl schedule list --programme ING-GC-3A -o csv",
		Args:    noArgs,
		RunE:    func(c *cobra.Command, _ []string) error { return runScheduleList(c.Context(), o) },
	}
	cmd.Flags().StringVar(&o.status, "status", "", "requested, approved, active, completed, cancelled or rejected")
	cmd.Flags().StringVar(&o.programme, "programme", "", "only this programme")
	cmd.Flags().StringVar(&o.year, "year", "", "academic year (default: the config's)")
	return cmd
}

func runScheduleList(ctx context.Context, o *scheduleListOpts) error {
	if err := planStatusFlag(o.status); err != nil {
		return err
	}
	svc, err := o.env.Service(ctx, o.year)
	if err != nil {
		return err
	}
	if err := (filters{Programme: o.programme, Year: o.year}).check(ctx, o.env); err != nil {
		return err
	}
	plans, err := svc.ListPlans(ctx, o.status, o.programme)
	if err != nil {
		return err
	}
	rows := viewPlans(plans)
	if len(rows) == 0 || o.env.flags.output != "table" {
		return Print(o.env.Printer(), rows, planCols, "no plans match")
	}
	// The total counts each current order once: a cancelled or rejected
	// plan, or one of an order a code change replaced, is listed (the
	// history), but not counted.
	var live []planView
	for i, p := range rows {
		if s := plans[i].Status; !plans[i].Superseded && s != string(schedule.PlanCancelled) && s != string(schedule.PlanRejected) {
			live = append(live, p)
		}
	}
	total := money.Sum(live, func(p planView) money.Cents { return p.Total })
	label := plural(len(rows), "plan")
	if len(live) != len(rows) {
		label += fmt.Sprintf(" (total: the %d live)", len(live))
	}
	return PrintWithTotal(o.env.Printer(), rows, planCols, []string{label, "", "", "", total.String(), "", "", ""})
}
