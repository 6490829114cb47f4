package billing

import "github.com/inpctl/inpctl/internal/mail"

// The plan operations of the simulation: request, approve, reject.

func (w *simWorld) opRequest(st *simStudent, year string) (string, error) {
	plans := []string{"1x", "3x", "3x", "3x", "5x"} // 5x is for orders above 1 000,00 €
	if o := w.cur(st, year); o != nil && o.ttc > 100000 {
		plans = []string{"1x", "3x", "3x", "5x", "5x", "5x"}
	}
	plan := plans[w.rng.IntN(len(plans))]
	_, err := w.svc[year].RequestPlan(w.ctx, PlanRequest{StudentID: st.id, Plan: plan})
	return simDone("schedule request "+st.id+" "+year+" "+plan, err)
}

func (w *simWorld) opApprove(st *simStudent, year string) (string, error) {
	res, refusals, err := w.svc[year].ApprovePlans(w.ctx, []string{st.id})
	if err == nil && len(refusals) > 0 {
		err = refusals[0]
	}
	desc := "schedule approve " + st.id + " " + year
	if err != nil {
		return refused(desc, err)
	}
	for _, p := range res.Plans { // approved, with a warning or not: its notice is queued
		if err := w.noteOrder(mail.PlanApproved, st.id, w.cur(st, year).id, func(o string) string { return whatPlan(o, p.Plan) }); err != nil {
			return desc, err
		}
	}
	return desc, nil
}

func (w *simWorld) opReject(st *simStudent, year string) (string, error) {
	desc := "schedule reject " + st.id + " " + year
	p, err := w.svc[year].RejectPlan(w.ctx, st.id, "pièces manquantes")
	if err != nil {
		return refused(desc, err)
	}
	return desc, w.noteOrder(mail.PlanRejected, st.id, w.cur(st, year).id, func(o string) string { return whatPlan(o, p.Plan) })
}
