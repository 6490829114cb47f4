package billing

import (
	"context"
	"fmt"
	"time"

	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/fault"

	"github.com/inpctl/inpctl/internal/gateway"
)

// lostChargeGW passes every debit to Paybox and loses its answer, approved
// or declined: inpctl is left with an attempt to look up.
type lostChargeGW struct{ gateway.Gateway }

func (g lostChargeGW) Charge(ctx context.Context, r gateway.ChargeRequest) (gateway.Result, error) {
	res, err := g.Gateway.Charge(ctx, r)
	if err != nil || (res.Outcome != gateway.Approved && res.Outcome != gateway.Declined) {
		return res, err
	}
	return gateway.Result{Outcome: gateway.Unknown, Detail: "answer lost (simulation)"}, nil
}

// opChargeLost (issue 17) is a cron run whose answers are all lost: on
// the next 10th it debits what is due, and loses every answer of Paybox;
// then the day's charge --due is run again, which looks them up. Found:
// recorded once (the charge invariants). Not found (a decline leaves no
// transaction to find): the instalment is not debited again that day.
func (w *simWorld) opChargeLost(_ *simStudent, _ string) (string, error) {
	d := w.today()
	next := clock.NewDate(d.Year, d.Month, 10)
	if d.Day >= 10 {
		next = clock.NewDate(d.Year, d.Month+1, 10)
	}
	w.clk.now = next.Time(w.loc).Add(9 * time.Hour)
	today := w.today()
	due, err := w.db.DueInstalments(w.ctx, today.String(), "")
	if err != nil || len(due) == 0 {
		return "charge-lost --due" + simNothing, err
	}
	for _, d := range due {
		w.instOrder[d.InstalmentID] = d.OrderID
	}
	desc := "charge-lost --due"
	if _, _, err := w.svc[simNew].Charge(w.ctx, lostChargeGW{w.gw}, ChargeOptions{Today: today, Now: w.clk.Now, Concurrency: 1}); err != nil && !fault.Is(err, fault.Partial) {
		return refused(desc, err)
	}
	before, err := w.db.AttemptInstalments(w.ctx)
	if err != nil {
		return desc, violation(invInternal, "%s: attempts: %v", desc, err)
	}
	cdesc, err := w.charge("")
	desc += " (answer lost); then " + cdesc
	if err != nil {
		return desc, err
	}
	after, err := w.db.AttemptInstalments(w.ctx)
	if err != nil {
		return desc, violation(invInternal, "%s: attempts: %v", desc, err)
	}
	notFound := map[int64]string{}
	for ref, a := range after {
		if b, ok := before[ref]; ok && (b.State == "sent" || b.State == "unknown") && a.State == "failed" {
			notFound[a.InstalmentID] = ref
		}
	}
	for ref, a := range after {
		if _, old := before[ref]; old {
			continue
		}
		if lost, ok := notFound[a.InstalmentID]; ok {
			return desc, violation(invRule, "%s: instalment %d debited again (%s) the day its attempt %s was not found at Paybox: it may have been declined, the retry gap must be kept",
				desc, a.InstalmentID, ref, lost)
		}
	}
	return desc + fmt.Sprintf(" → %d lost attempt(s) not found, kept for their retry date", len(notFound)), nil
}
