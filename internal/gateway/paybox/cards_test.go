package paybox_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/inpctl/inpctl/internal/gateway"
	"github.com/inpctl/inpctl/internal/gateway/paybox"
	"github.com/inpctl/inpctl/internal/gateway/sandbox"
)

type step struct {
	out  gateway.Outcome
	code string
	hard bool
}

var (
	approved = step{gateway.Approved, "00000", false}
	soft151  = step{gateway.Declined, "00151", false}
	unknown  = step{gateway.Unknown, "", false}
)

// TestClientTestCards runs two charges of the same amount (two attempts of
// one instalment) and one of another amount on every test card.
func TestClientTestCards(t *testing.T) {
	cases := []struct {
		card      string
		first     step
		retry     step
		otherDebt step
	}{
		{sandbox.CardOK, approved, approved, approved},
		{sandbox.CardSoftOnce, soft151, approved, soft151},
		{sandbox.CardSoftAlways, soft151, soft151, soft151},
		{sandbox.CardLost, step{gateway.Declined, "00141", true}, step{gateway.Declined, "00141", true}, step{gateway.Declined, "00141", true}},
		{sandbox.CardExpired, step{gateway.Declined, "00154", true}, step{gateway.Declined, "00154", true}, step{gateway.Declined, "00154", true}},
		{sandbox.CardLoseAnswer, unknown, unknown, unknown},
		{sandbox.CardSlow, approved, approved, approved},
		{sandbox.CardECard, approved, approved, approved},
		{"4012001037141112", approved, approved, approved},
		{"4012001038443335", approved, approved, approved},
	}
	for _, inProcess := range []bool{false, true} {
		r := newRig(t, sandbox.Options{SlowDelay: 50 * time.Millisecond}, inProcess, nil)
		for i, c := range cases {
			refab := fmt.Sprintf("S%d", i)
			reg := r.register(t, refab, c.card)
			want(t, c.card+" register", reg, gateway.Approved, "00000", false)
			for j, s := range []step{c.first, c.retry} {
				ref := fmt.Sprintf("%s-%d", refab, j)
				res := r.charge(t, reg, refab, ref, 30000)
				want(t, fmt.Sprintf("%s attempt %d", c.card, j+1), res, s.out, s.code, s.hard)
				if s.out == gateway.Unknown {
					// The answer was lost but the charge happened.
					want(t, c.card+" lookup", r.lookup(t, ref, 30000), gateway.Approved, "00000", false)
				}
			}
			res := r.charge(t, reg, refab, refab+"-other", 45000)
			want(t, c.card+" other debt", res, c.otherDebt.out, c.otherDebt.code, c.otherDebt.hard)
		}
	}
}

// TestLoseAnswerOncePerReference: resending a lost charge with the same
// reference (what inpctl must never do) charges twice, and the sandbox
// shows it.
func TestLoseAnswerOncePerReference(t *testing.T) {
	r := newRig(t, sandbox.Options{}, false, nil)
	reg := r.register(t, "S", sandbox.CardLoseAnswer)
	want(t, "first", r.charge(t, reg, "S", "REF", 100), gateway.Unknown, "", false)
	want(t, "resent", r.charge(t, reg, "S", "REF", 100), gateway.Approved, "00000", false)
	if n := len(r.sbx.Records()); n != 2 {
		t.Fatalf("%d records, want the double charge to show as 2", n)
	}
}

// TestSlowCardTimesOut: a client timeout shorter than the card's delay is
// Unknown, and the charge is found afterwards.
func TestSlowCardTimesOut(t *testing.T) {
	for _, inProcess := range []bool{false, true} {
		r := newRig(t, sandbox.Options{SlowDelay: 2 * time.Second}, inProcess, func(c *paybox.Config) { c.Timeout = 100 * time.Millisecond })
		reg := r.register(t, "S", sandbox.CardSlow)
		res := r.charge(t, reg, "S", "SLOW-1", 100)
		want(t, "slow charge", res, gateway.Unknown, "", false)
		if res.Detail == "" {
			t.Fatal("no detail")
		}
		want(t, "lookup", r.lookup(t, "SLOW-1", 100), gateway.Approved, "00000", false)
	}
}

func TestSandboxFaultRates(t *testing.T) {
	r := newRig(t, sandbox.Options{FailRate: 0.3, DropRate: 0.3, Seed: 7}, false, nil)
	reg := r.register(t, "S", sandbox.CardOK)
	counts := map[gateway.Outcome]int{}
	for i := range 60 {
		ref := fmt.Sprintf("F-%d", i)
		res := r.charge(t, reg, "S", ref, 100)
		counts[res.Outcome]++
		if res.Outcome == gateway.Unknown {
			// Failed (00001/00097) charges were not made, dropped ones were.
			lk := r.lookup(t, ref, 100)
			if res.Code != "" && !lk.NotFound() || res.Code == "" && lk.Outcome != gateway.Approved {
				t.Fatalf("%s: %+v then lookup %+v", ref, res, lk)
			}
		}
	}
	if counts[gateway.Approved] == 0 || counts[gateway.Unknown] == 0 {
		t.Fatalf("fault rates had no effect: %v", counts)
	}
}
