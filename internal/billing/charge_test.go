package billing

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/gateway"
	"github.com/inpctl/inpctl/internal/store"
)

// fakeGW is a gateway whose answers the test decides, counting calls.
type fakeGW struct {
	mu      sync.Mutex
	charges int
	lookups int
	charge  func(gateway.ChargeRequest) gateway.Result
	lookup  func(gateway.LookupRequest) gateway.Result
}

func (f *fakeGW) Charge(_ context.Context, r gateway.ChargeRequest) (gateway.Result, error) {
	f.mu.Lock()
	f.charges++
	f.mu.Unlock()
	return f.charge(r), nil
}
func (f *fakeGW) Lookup(_ context.Context, r gateway.LookupRequest) (gateway.Result, error) {
	f.mu.Lock()
	f.lookups++
	f.mu.Unlock()
	return f.lookup(r), nil
}
func (f *fakeGW) Refund(context.Context, gateway.RefundRequest) (gateway.Result, error) {
	return gateway.Result{Outcome: gateway.Unavailable}, nil
}
func (f *fakeGW) Register(context.Context, gateway.RegisterRequest) (gateway.Result, error) {
	return gateway.Result{Outcome: gateway.Unavailable}, nil
}
func (f *fakeGW) Delete(context.Context, string, int64, time.Time) (gateway.Result, error) {
	return gateway.Result{Outcome: gateway.Unavailable}, nil
}

func approved(r gateway.ChargeRequest) gateway.Result {
	return gateway.Result{Outcome: gateway.Approved, Code: "00000", NumTrans: "0000000001", NumAppel: "0000000002"}
}

// activeWithCard sets up 22100002 on an active 5x plan (3 941,00 €) with a
// stored card; instalment 2 (828,25 €) is due on 10/10/2025.
func activeWithCard(t *testing.T) *Service {
	t.Helper()
	s, _ := planSvc(t)
	approved5x(t, s)
	payFirst(t, s, "22100002", 62800, clock.NewDate(2025, 9, 5))
	err := s.DB.InTx(context.Background(), func(tx *store.Tx) error {
		_, err := tx.SaveCard(context.Background(), store.Card{StudentID: "22100002", RefAbonne: "AB1", Token: "SLDLrcsLMPC", Expiry: "2812"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func runCharge(t *testing.T, s *Service, gw gateway.Gateway, day clock.Date) ChargeSummary {
	t.Helper()
	_, sum, err := s.Charge(context.Background(), gw, ChargeOptions{Today: day, Concurrency: 2})
	if err != nil {
		t.Fatalf("charge on %s: %v", day, err)
	}
	return sum
}

func checkClean(t *testing.T, s *Service) {
	t.Helper()
	fs, err := s.DB.Check(context.Background(), time.Date(2025, 10, 10, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		if !f.Warning {
			t.Errorf("db check: %s", f)
		}
	}
}

// A card debit approved at Paybox while a cheque had paid the same
// instalment meanwhile: the money is recorded (as a credit), never lost,
// and the run does not fail.
func TestChargeApprovedAfterChequeKeepsTheMoney(t *testing.T) {
	s := activeWithCard(t)
	ctx := unguarded(context.Background()) // the cheque gets through while the debit is in flight (issue 17 now refuses it)
	gw := &fakeGW{charge: func(r gateway.ChargeRequest) gateway.Result {
		if _, err := s.RecordPayment(ctx, ManualPayment{StudentID: "22100002", Method: "cheque", Ref: "CHQ 1", Amount: r.Amount}); err != nil {
			t.Errorf("cheque: %v", err)
		}
		return approved(r)
	}}
	sum := runCharge(t, s, gw, clock.NewDate(2025, 10, 10))
	if sum.Approved != 1 || gw.charges != 1 {
		t.Fatalf("summary %+v, %d charges", sum, gw.charges)
	}
	// Both payments are on the books: the card one goes to what is still
	// due on the invoice (the student owes it anyway), none is lost.
	invs, err := s.DB.ListInvoices(ctx, store.InvoiceFilter{StudentID: "22100002"})
	if err != nil || len(invs) != 1 {
		t.Fatal(invs, err)
	}
	if got, want := int64(invs[0].Allocated), int64(62800+2*82825); got != want {
		t.Fatalf("allocated %d, want %d (first instalment, cheque and card)", got, want)
	}
	checkClean(t, s)
}

// A lost answer leaves the attempt unknown; the next run looks it up (and
// never charges it again); found → paid once.
func TestChargeUnknownIsLookedUpNeverResent(t *testing.T) {
	s := activeWithCard(t)
	gw := &fakeGW{
		charge: func(gateway.ChargeRequest) gateway.Result {
			return gateway.Result{Outcome: gateway.Unknown, Detail: "timeout after sending"}
		},
		lookup: func(gateway.LookupRequest) gateway.Result {
			return gateway.Result{Outcome: gateway.Unavailable, Detail: "lookup down"}
		},
	}
	day := clock.NewDate(2025, 10, 10)
	if sum := runCharge(t, s, gw, day); sum.Unknown != 1 {
		t.Fatalf("first run: %+v", sum)
	}
	// Lookups unavailable: the instalment is left alone, never charged blind.
	runCharge(t, s, gw, day)
	if gw.charges != 1 || gw.lookups != 1 {
		t.Fatalf("second run: %d charges, %d lookups", gw.charges, gw.lookups)
	}
	gw.lookup = func(gateway.LookupRequest) gateway.Result {
		return gateway.Result{Outcome: gateway.Approved, NumTrans: "0000000009", NumAppel: "0000000010"}
	}
	sum := runCharge(t, s, gw, day)
	if sum.Reconciled != 1 || gw.charges != 1 {
		t.Fatalf("third run: %+v, %d charges", sum, gw.charges)
	}
	p, _ := s.Plan(context.Background(), "22100002")
	if p.Instalments[1].Status != "paid" {
		t.Fatalf("instalment 2 is %s", p.Instalments[1].Status)
	}
	checkClean(t, s)
}

// A lookup that finds nothing frees the instalment for a new attempt.
func TestChargeNotFoundIsChargedAgain(t *testing.T) {
	s := activeWithCard(t)
	gw := &fakeGW{
		charge: func(gateway.ChargeRequest) gateway.Result { return gateway.Result{Outcome: gateway.Unknown} },
		lookup: func(gateway.LookupRequest) gateway.Result {
			return gateway.Result{Outcome: gateway.Declined, Code: gateway.CodeNotFound}
		},
	}
	day := clock.NewDate(2025, 10, 10)
	runCharge(t, s, gw, day)
	gw.charge = approved
	sum := runCharge(t, s, gw, day)
	if sum.Approved != 1 || gw.charges != 2 || gw.lookups != 1 {
		t.Fatalf("%+v: %d charges, %d lookups", sum, gw.charges, gw.lookups)
	}
	checkClean(t, s)
}
