package cli

import (
	"context"
	"io"

	"github.com/inpctl/inpctl/internal/store"
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
	rows := make([]planInstalment, len(v.Instalments))
	for i, in := range v.Instalments {
		rows[i] = planInstalment{v, in}
	}
	return PrintObjectCSV(o.env.Printer(), v, func(w io.Writer) error { return writePlan(w, v, svc.Location) }, rows, planInstalmentCols)
}

// planInstalment is a row of schedule show's CSV: one instalment of a plan.
type planInstalment struct {
	plan planView
	in   store.Instalment
}

// planInstalmentCols are schedule show's CSV: the student, the order and
// the plan, then instalment's columns (a requested plan has no rows yet).
var planInstalmentCols = append([]Col[planInstalment]{
	{Head: "N° étudiant", Cell: func(r planInstalment) string { return r.plan.StudentID }},
	{Head: "Commande", Cell: func(r planInstalment) string { return r.plan.OrderNumber }},
	{Head: "Échéancier", Cell: func(r planInstalment) string { return r.plan.Plan.Plan }},
	{Head: "Statut de l'échéancier", Cell: func(r planInstalment) string { return r.plan.Status }},
}, colsOf(instalmentCols, func(r planInstalment) store.Instalment { return r.in })...)
