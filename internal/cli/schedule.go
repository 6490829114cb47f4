package cli

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/money"
	"github.com/inpctl/inpctl/internal/schedule"
	"github.com/inpctl/inpctl/internal/store"
	"github.com/spf13/cobra"
)

// newScheduleCmd is the "schedule" group (instalment plans, échéanciers).
func newScheduleCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "schedule",
		Short: "Request, approve and show instalment plans",
		Long: `Instalment plans (échéanciers): 1x (the whole amount), 3x (three equal
thirds, the remainder on the last) or 5x (orders above the configured
threshold: a fixed first amount, then four equal parts). A 3x or 5x plan is
requested, then approved or rejected by the accounting office; approval
fixes the amounts. The due dates are fixed when the first instalment is
paid: that day, then the debit day (the 10th) of each following month.`,
		Example: "  inpctl schedule request 22104567 --plan 3x\n  inpctl schedule approve --all-requested --yes\n  inpctl schedule show 22104567",
		Args:    noArgs,
	}
	cmd.AddCommand(newScheduleRequestCmd(env), newScheduleApproveCmd(env), newScheduleRejectCmd(env),
		newScheduleShowCmd(env), newScheduleListCmd(env), newScheduleExemptCmd(env), newScheduleCancelCmd(env), newScheduleUnblockCmd(env))
	return cmd
}

// planView is a plan as JSON shows it: amounts in cents plus currency.
type planView struct {
	store.Plan
	Paid     money.Cents `json:"paid_cents"`
	Unpaid   money.Cents `json:"unpaid_cents"`
	Currency string      `json:"currency"`
}

func viewPlan(p store.Plan) planView {
	if p.Instalments == nil {
		p.Instalments = []store.Instalment{}
	}
	return planView{Plan: p, Paid: p.Paid(), Unpaid: p.Unpaid(), Currency: money.Currency}
}

func viewPlans(ps []store.Plan) []planView {
	out := make([]planView, len(ps))
	for i, p := range ps {
		out[i] = viewPlan(p)
	}
	return out
}

// writePlan prints a plan and its instalments for people.
func writePlan(w io.Writer, v planView, loc *time.Location) error {
	if err := writeKV(w, [][2]string{
		{"Étudiant", fmt.Sprintf("%s %s (%s)", v.FirstName, v.LastName, v.StudentID)},
		{"Formation", v.Programme}, {"Commande", v.OrderNumber}, {"Total TTC", v.Total.String()},
		{"Échéancier", v.Plan.Plan}, {"Statut", v.Status},
		{"Demandé le", localDate(v.RequestedAt, loc)}, {"Décidé le", localDate(v.DecidedAt, loc)},
		{"Motif", v.Reason}, {"Décision", v.Decision},
		{"Payé", ifAny(v.Instalments, v.Paid)}, {"Reste à payer", ifAny(v.Instalments, v.Unpaid)},
	}); err != nil {
		return err
	}
	if len(v.Instalments) == 0 {
		if v.Status == string(schedule.PlanRequested) {
			_, err := fmt.Fprintln(w, "\nLes montants seront fixés à l'approbation.")
			return err
		}
		return nil
	}
	fmt.Fprintln(w)
	if err := writeTable(w, v.Instalments, instalmentCols, nil); err != nil {
		return err
	}
	if v.Status == string(schedule.PlanApproved) {
		_, err := fmt.Fprintln(w, "Les dates seront fixées au paiement de la 1re échéance.")
		return err
	}
	return nil
}

// ifAny formats an amount of a plan that has instalments ("" otherwise:
// a requested or rejected plan has no amounts).
func ifAny(in []store.Instalment, c money.Cents) string {
	if len(in) == 0 {
		return ""
	}
	return c.String()
}

var instalmentCols = []Col[store.Instalment]{
	{Head: "Échéance", Cell: func(i store.Instalment) string { return fmt.Sprint(i.Seq) }, Right: true},
	{Head: "Montant", Money: func(i store.Instalment) money.Cents { return i.Amount }, Right: true},
	{Head: "Date", Cell: func(i store.Instalment) string { return frDate(i.Due) }},
	{Head: "Statut", Cell: func(i store.Instalment) string { return i.Status }},
	{Head: "Tentatives", Cell: func(i store.Instalment) string { return fmt.Sprint(i.Attempts) }, Right: true},
}

// planCols are the columns of plan lists (schedule list, approve).
var planCols = []Col[planView]{
	{Head: "N° étudiant", Cell: func(p planView) string { return p.StudentID }},
	{Head: "Nom", Cell: func(p planView) string { return p.LastName + " " + p.FirstName }},
	{Head: "Formation", Cell: func(p planView) string { return p.Programme }},
	{Head: "Échéancier", Cell: func(p planView) string { return p.Plan.Plan }},
	{Head: "Total TTC", Money: func(p planView) money.Cents { return p.Total }, Right: true},
	{Head: "Statut", Cell: func(p planView) string { return p.Status }},
	{Head: "Prochaine échéance", Cell: func(p planView) string { return frDate(p.NextDue) }},
	{Head: "Montant", Money: func(p planView) money.Cents { return p.NextAmount }, Right: true},
}

// localDate turns a stored RFC 3339 timestamp into a French date in the
// school's time zone.
func localDate(ts string, loc *time.Location) string {
	t, err := time.Parse(time.RFC3339, ts)
	if err != nil || loc == nil {
		return ts
	}
	return clock.DateOf(t, loc).French()
}

// planStatusFlag checks --status against the plan statuses.
func planStatusFlag(v string) error {
	allowed := []string{""}
	for _, s := range schedule.PlanStatuses() {
		allowed = append(allowed, string(s))
	}
	return oneOf("--status", v, allowed...)
}

// refusalsFault reports the refusals of a batch (nothing was written): a
// single one as it is, several listed, as conflicts (exit 5) unless every
// one is "not found" (exit 4).
func refusalsFault(what string, errs []error) error {
	if len(errs) == 1 {
		return errs[0]
	}
	kind := fault.NotFound
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = e.Error()
		if fault.KindOf(e) != fault.NotFound {
			kind = fault.Conflict
		}
	}
	return &fault.Error{Kind: kind, Msg: fmt.Sprintf("%d %s, nothing was written:\n%s", len(errs), what, strings.Join(msgs, "\n")),
		Hint: "fix them, or run the command again without them"}
}
