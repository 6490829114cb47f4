package billing

import (
	"context"
	"fmt"

	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/gateway"
	"github.com/inpctl/inpctl/internal/money"
	"github.com/inpctl/inpctl/internal/store"
)

// lostRefundGW loses the answer of every refund: when reach is set Paybox
// got the request and refunded, otherwise the request never arrived (both
// look the same to inpctl: outcome unknown).
type lostRefundGW struct {
	gateway.Gateway
	reach bool
}

func (g lostRefundGW) Refund(ctx context.Context, r gateway.RefundRequest) (gateway.Result, error) {
	if g.reach {
		if _, err := g.Gateway.Refund(ctx, r); err != nil {
			return gateway.Result{}, err
		}
	}
	return gateway.Result{Outcome: gateway.Unknown, Detail: "answer lost (simulation)"}, nil
}

// opRefundLost (issue 17) refunds part of a payment's free part and loses
// the answer: the refund must end unknown (never an error that says retry),
// keep its amount reserved (a refund of the whole credit is then refused),
// and be resolved by a lookup: recorded once if Paybox made it, released if
// not.
func (w *simWorld) opRefundLost(st *simStudent, _ string) (string, error) {
	credit := w.or.credit(st.id)
	var p *orPayment
	for _, c := range w.or.payments {
		if c.student == st.id && c.card && !c.reversed && c.free() > 0 {
			p = c
		}
	}
	if p == nil || credit <= 0 {
		return "refund-lost " + st.id + simNothing, nil
	}
	amount := 1 + money.Cents(w.rng.Int64N(int64(min(p.free(), credit))))
	reach := w.rng.IntN(3) > 0
	desc := fmt.Sprintf("refund-lost %s %s --payment %s (answer lost reached Paybox: %v)", st.id, amount, p.number, reach)
	svc := w.svc[simNew]
	_, err := svc.Refund(w.ctx, lostRefundGW{w.gw, reach}, RefundRequest{StudentID: st.id, Payment: p.number, Reason: "trop-perçu", Amount: amount, Now: w.clk.Now()})
	if !fault.Is(err, fault.Unknown) {
		return desc, violation(invRule, "%s: ended with %v, want an unknown outcome (exit 8)", desc, err)
	}
	// The amount is reserved: the whole credit cannot be refunded meanwhile.
	_, err = svc.Refund(w.ctx, w.gw, RefundRequest{StudentID: st.id, Payment: p.number, Reason: "again", Amount: min(p.free(), credit), Now: w.clk.Now()})
	if !fault.Is(err, fault.Conflict) {
		return desc, violation(invRule, "%s: a second refund of %s while the first is unknown ended with %v, want refused", desc, min(p.free(), credit), err)
	}
	open, err := w.db.OpenAttempts(w.ctx)
	if err != nil {
		return desc, violation(invInternal, "%s: open attempts: %v", desc, err)
	}
	for _, a := range open {
		if a.Kind != "refund" {
			continue
		}
		outcome, _, _, err := svc.resolveOne(w.ctx, w.gw, ChargeOptions{Today: clock.DateOf(w.clk.Now(), w.loc), Now: w.clk.Now}, a)
		if err != nil {
			return desc, violation(invInternal, "%s: reconcile: %v", desc, err)
		}
		if want := map[bool]string{true: "refunded", false: "not refunded"}[reach]; outcome != want {
			return desc, violation(invRule, "%s: reconcile says %q, want %q", desc, outcome, want)
		}
	}
	if reach {
		w.or.refund(p.number, amount)
	}
	var got money.Cents
	if err := w.db.InTx(w.ctx, func(tx *store.Tx) (err error) { got, err = tx.StudentCredit(w.ctx, st.id); return err }); err != nil {
		return desc, violation(invInternal, "%s: %v", desc, err)
	}
	if want := w.or.credit(st.id); got != want {
		return desc, violation(invRule, "%s: credit %s after reconcile, the oracle says %s", desc, got, want)
	}
	if reach {
		return desc + " → reconciled: refunded", nil
	}
	return desc + " → reconciled: never refunded", nil
}
