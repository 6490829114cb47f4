package billing

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/gateway"
	"github.com/inpctl/inpctl/internal/money"
	"github.com/inpctl/inpctl/internal/store"
)

// Issue 17 item 3: a code change while the student's debit is on its way
// to Paybox is refused (after a short wait), names why, and changes
// nothing; once the debit is back it goes through.
func TestPlanChangeRefusedWhileDebitInFlight(t *testing.T) {
	s := activeWithCard(t)
	s.ChargeWait = 30 * time.Millisecond
	ctx := context.Background()
	change := CodeChange{StudentID: "22100002", Code: "07", Proof: "convention X", Reason: "mobilité"}
	var during error
	gw := &fakeGW{charge: func(r gateway.ChargeRequest) gateway.Result {
		_, during = s.SetCode(ctx, change)
		if _, err := s.CancelPlan(ctx, "22100002", "test"); !fault.Is(err, fault.Locked) {
			t.Errorf("schedule cancel during the debit: %v, want locked", err)
		}
		return approved(r)
	}}
	sum := runCharge(t, s, gw, clock.NewDate(2025, 10, 10))
	if !fault.Is(during, fault.Locked) || !strings.Contains(during.Error(), "on its way to Paybox") && !strings.Contains(during.Error(), "no known outcome") {
		t.Fatalf("set-code during the debit: %v, want a locked refusal saying why", during)
	}
	if sum.Approved != 1 || sum.Changed != 0 {
		t.Fatalf("summary %+v", sum)
	}
	if _, err := s.SetCode(ctx, change); err != nil {
		t.Fatalf("set-code after the run: %v", err)
	}
	checkClean(t, s)
}

// A charge run that meets an instalment changed under it (whatever let
// the change through) records what Paybox did, keeps approved money as a
// credit, touches neither retry nor block for a decline, and reports the
// item as changed (the cli exits 3, never 5).
func TestChargeMeetsInstalmentChangedUnderIt(t *testing.T) {
	for _, outcome := range []gateway.Outcome{gateway.Approved, gateway.Declined} {
		t.Run(outcome.String(), func(t *testing.T) {
			s := activeWithCard(t)
			ctx := unguarded(context.Background()) // the change gets through while the debit is in flight
			gw := &fakeGW{charge: func(r gateway.ChargeRequest) gateway.Result {
				if _, err := s.SetCode(ctx, CodeChange{StudentID: "22100002", Code: "07", Proof: "convention X", Reason: "mobilité"}); err != nil {
					t.Errorf("set-code: %v", err)
				}
				if outcome == gateway.Declined {
					return gateway.Result{Outcome: gateway.Declined, Code: "00151"}
				}
				return approved(r)
			}}
			items, sum, err := s.Charge(ctx, gw, ChargeOptions{Today: clock.NewDate(2025, 10, 10), Concurrency: 2})
			if err != nil {
				t.Fatalf("charge: %v (items %+v)", err, items)
			}
			if sum.Changed != 1 || len(items) != 1 || items[0].Outcome != outcome.String() || !strings.Contains(items[0].Text, "changed during the run") {
				t.Fatalf("summary %+v items %+v", sum, items)
			}
			open, err := s.DB.OpenAttempts(ctx)
			if err != nil || len(open) != 0 {
				t.Fatalf("attempts left open: %+v, %v", open, err)
			}
			var credit money.Cents
			if err := s.DB.InTx(ctx, func(tx *store.Tx) (err error) { credit, err = tx.StudentCredit(ctx, "22100002"); return err }); err != nil {
				t.Fatal(err)
			}
			if want := money.Cents(62800); outcome == gateway.Approved && credit != want+82825 || outcome == gateway.Declined && credit != want {
				t.Errorf("credit %s after a %s debit on a cancelled instalment", credit, outcome)
			}
			checkClean(t, s)
		})
	}
}
