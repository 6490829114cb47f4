package billing

import (
	"context"
	"testing"

	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/gateway"
	"github.com/inpctl/inpctl/internal/store"
)

// A card debit approved at Paybox while the plan was being cancelled (an
// exemption decided during the run): the money is recorded as a payment
// (the student's credit), the run does not fail, and nothing is left
// "sent" to be looked up again and again.
func TestChargeApprovedOnACancelledPlanKeepsTheMoney(t *testing.T) {
	s := activeWithCard(t)
	ctx := unguarded(context.Background()) // the exemption gets through while the debit is in flight (issue 17 now refuses it)
	gw := &fakeGW{charge: func(r gateway.ChargeRequest) gateway.Result {
		if _, err := s.Exempt(ctx, "22100002", "CE-2025-17"); err != nil {
			t.Errorf("exempt: %v", err)
		}
		return approved(r)
	}}
	sum := runCharge(t, s, gw, clock.NewDate(2025, 10, 10))
	if sum.Approved != 1 || gw.charges != 1 {
		t.Fatalf("summary %+v, %d charges", sum, gw.charges)
	}
	open, err := s.DB.OpenAttempts(ctx)
	if err != nil || len(open) != 0 {
		t.Fatalf("attempts left open: %+v, %v", open, err)
	}
	pays, err := s.DB.ListPayments(ctx, store.PaymentFilter{StudentID: "22100002"})
	if err != nil {
		t.Fatal(err)
	}
	var card int64
	for _, p := range pays {
		if p.AttemptID != 0 {
			card += int64(p.Amount)
		}
	}
	if card != 82825 {
		t.Fatalf("card payments on record: %d cents, want 82825 (payments %+v)", card, pays)
	}
	checkClean(t, s)
}
