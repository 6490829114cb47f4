package schedule

import (
	"testing"

	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/fault"
)

func TestCheckPlanTransition(t *testing.T) {
	ok := map[[2]PlanStatus]bool{
		{PlanRequested, PlanApproved}:  true,
		{PlanRequested, PlanRejected}:  true,
		{PlanRequested, PlanCancelled}: true,
		{PlanApproved, PlanActive}:     true,
		{PlanApproved, PlanCancelled}:  true,
		{PlanActive, PlanCompleted}:    true,
		{PlanActive, PlanCancelled}:    true,
		{PlanCompleted, PlanActive}:    true, // reopened: an unpaid made the order owe again
	}
	n := 0
	for _, from := range PlanStatuses() {
		for _, to := range PlanStatuses() {
			err := CheckPlanTransition(from, to)
			if want := ok[[2]PlanStatus{from, to}]; want != (err == nil) {
				t.Errorf("%s → %s: err = %v, want allowed=%v", from, to, err, want)
			}
			if err != nil {
				n++
				if !isType[*ErrTransition](err) || fault.KindOf(err) != fault.Conflict {
					t.Errorf("%s → %s: %T of kind %v", from, to, err, fault.KindOf(err))
				}
			}
		}
	}
	if n != 36-len(ok) {
		t.Errorf("%d refused pairs", n)
	}
	msgs := map[[2]PlanStatus]string{
		{PlanCompleted, PlanCancelled}: "a plan that is completed cannot become cancelled",
		{PlanRequested, PlanActive}:    "a plan that is requested cannot become active",
		{PlanApproved, PlanApproved}:   "the plan is already approved",
		{PlanRejected, PlanApproved}:   "a plan that is rejected cannot become approved",
		{PlanCancelled, PlanRequested}: "a plan that is cancelled cannot become requested",
	}
	for pair, want := range msgs {
		if err := CheckPlanTransition(pair[0], pair[1]); err == nil || err.Error() != want {
			t.Errorf("%v: %v, want %q", pair, err, want)
		}
	}
}

func TestCheckInstalmentTransition(t *testing.T) {
	ok := map[[2]InstalmentStatus]bool{
		{InstalmentPending, InstalmentPaid}:      true,
		{InstalmentPending, InstalmentFailed}:    true,
		{InstalmentPending, InstalmentCancelled}: true,
		{InstalmentFailed, InstalmentPaid}:       true,
		{InstalmentFailed, InstalmentFailed}:     true,
		{InstalmentFailed, InstalmentCancelled}:  true,
		{InstalmentFailed, InstalmentPending}:    true,
		{InstalmentPaid, InstalmentPending}:      true, // the money counted on it was reversed
		{InstalmentPaid, InstalmentCancelled}:    true, // its part fell to 0 (an exemption)
		{InstalmentCancelled, InstalmentPending}: true, // the plan's base grew again
		{InstalmentCancelled, InstalmentPaid}:    true,
	}
	for _, from := range InstalmentStatuses() {
		for _, to := range InstalmentStatuses() {
			err := CheckInstalmentTransition(from, to)
			if want := ok[[2]InstalmentStatus{from, to}]; want != (err == nil) {
				t.Errorf("%s → %s: err = %v, want allowed=%v", from, to, err, want)
			}
			if err != nil && !isType[*ErrTransition](err) {
				t.Errorf("%s → %s: %T", from, to, err)
			}
		}
	}
	msgs := map[[2]InstalmentStatus]string{
		{InstalmentPaid, InstalmentFailed}:      "an instalment that is paid cannot become failed",
		{InstalmentPaid, InstalmentPaid}:        "the instalment is already paid",
		{InstalmentCancelled, InstalmentFailed}: "an instalment that is cancelled cannot become failed",
		{InstalmentPending, InstalmentPending}:  "the instalment is already pending",
	}
	for pair, want := range msgs {
		if err := CheckInstalmentTransition(pair[0], pair[1]); err == nil || err.Error() != want {
			t.Errorf("%v: %v, want %q", pair, err, want)
		}
	}
}

func TestUnknownStatus(t *testing.T) {
	err := CheckPlanTransition("draft", PlanApproved)
	if !isType[*ErrUnknownStatus](err) || err.Error() != `"draft" is not a plan status` {
		t.Errorf("got %v", err)
	}
	err = CheckInstalmentTransition(InstalmentPending, "refunded")
	if !isType[*ErrUnknownStatus](err) || err.Error() != `"refunded" is not an instalment status` {
		t.Errorf("got %v", err)
	}
}

func TestNextAttempt(t *testing.T) {
	p := DefaultRetryPolicy()
	tests := []struct {
		attempts int
		last     clock.Date
		want     clock.Date
		ok       bool
	}{
		{0, d(2025, 10, 10), d(2025, 10, 10), true},
		{1, d(2025, 10, 10), d(2025, 10, 13), true},
		{2, d(2025, 10, 13), d(2025, 10, 20), true},
		{3, d(2025, 10, 20), clock.Date{}, false},
		{4, d(2025, 10, 20), clock.Date{}, false},
		{1, d(2025, 12, 30), d(2026, 1, 2), true},
		{2, d(2028, 2, 25), d(2028, 3, 3), true},
	}
	for _, tt := range tests {
		got, ok := NextAttempt(p, tt.attempts, tt.last)
		if got != tt.want || ok != tt.ok {
			t.Errorf("NextAttempt(%d, %s) = %s, %v; want %s, %v", tt.attempts, tt.last, got, ok, tt.want, tt.ok)
		}
	}
	// A short policy reuses its last gap rather than failing.
	short := RetryPolicy{MaxAttempts: 4, Gaps: []int{2}}
	if got, ok := NextAttempt(short, 3, d(2025, 10, 10)); !ok || got != d(2025, 10, 12) {
		t.Errorf("short policy: %s %v", got, ok)
	}
	if _, ok := NextAttempt(RetryPolicy{MaxAttempts: 1}, 1, d(2025, 10, 10)); ok {
		t.Error("one attempt only: want no retry")
	}
}

func TestRetryPolicyValidate(t *testing.T) {
	if err := DefaultRetryPolicy().Validate(); err != nil {
		t.Fatal(err)
	}
	if err := (RetryPolicy{MaxAttempts: 1}).Validate(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		p    RetryPolicy
		want string
	}{
		{RetryPolicy{MaxAttempts: 0}, "invalid retry policy: retry.max_attempts must be from 1 to 10, got 0"},
		{RetryPolicy{MaxAttempts: 11, Gaps: []int{1, 1, 1, 1, 1, 1, 1, 1, 1, 1}}, "invalid retry policy: retry.max_attempts must be from 1 to 10, got 11"},
		{RetryPolicy{MaxAttempts: 3, Gaps: []int{3}}, "invalid retry policy: retry.gaps_days needs 2 gaps for 3 attempts, got 1"},
		{RetryPolicy{MaxAttempts: 3, Gaps: []int{3, 0}}, "invalid retry policy: retry.gaps_days[1] must be at least 1 day, got 0"},
	}
	for _, tt := range tests {
		err := tt.p.Validate()
		if err == nil || err.Error() != tt.want || fault.KindOf(err) != fault.Usage {
			t.Errorf("%+v: %v, want %q", tt.p, err, tt.want)
		}
	}
}

// TestRetryPolicyBlocks: a hard decline blocks at once, a soft one on the
// policy's last attempt only.
func TestRetryPolicyBlocks(t *testing.T) {
	p := DefaultRetryPolicy()
	for _, c := range []struct {
		attempts int
		hard     bool
		want     bool
	}{{1, false, false}, {2, false, false}, {3, false, true}, {4, false, true}, {1, true, true}} {
		if got := p.Blocks(c.attempts, c.hard); got != c.want {
			t.Errorf("Blocks(%d, %v) = %v", c.attempts, c.hard, got)
		}
	}
}
