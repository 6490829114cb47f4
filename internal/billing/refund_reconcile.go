package billing

import (
	"context"

	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/gateway"
	"github.com/inpctl/inpctl/internal/store"
)

// resolveRefund records what a lookup (TYPE 00011, by the refund's own
// REFERENCE and amount) says of a refund whose outcome was unknown: found →
// the refund is recorded (once) with its reason; not found → the attempt
// failed and its reservation is released (the clerk may refund again); the
// lookup unavailable → left alone, still reserved. Never sent again.
func (s *Service) resolveRefund(ctx context.Context, a store.Attempt, r gateway.Result) (outcome, payment, text string, err error) {
	switch {
	case r.Outcome == gateway.Approved:
		_, err = s.settleRefund(ctx, a, gateway.Result{Outcome: gateway.Approved, Code: "00000", Text: "found by lookup", NumTrans: r.NumTrans, NumAppel: r.NumAppel})
		return "refunded", a.Payment, "refund found by lookup: recorded", err
	case r.NotFound():
		_, err = s.settleRefund(ctx, a, gateway.Result{Outcome: gateway.Unavailable, Code: "", Text: "not found at the gateway: never refunded"})
		if fault.Is(err, fault.Unavailable) {
			err = nil // the settled "nothing was refunded" is this case's normal end
		}
		return "not refunded", a.Payment, "refund not found by lookup: nothing was refunded, the amount is free again", err
	}
	return "lookup unavailable", a.Payment, "the lookup failed (" + r.Detail + "): the refund stays reserved, never sent again", nil
}
