package schedule

import (
	"fmt"

	"github.com/inpctl/inpctl/internal/clock"
)

// RetryPolicy says how often a soft-declined instalment is tried again.
// Hard declines are never retried; that is the caller's decision.
type RetryPolicy struct {
	MaxAttempts int   // attempts per instalment before the order is blocked (default 3)
	Gaps        []int // days between attempt 1 and 2, 2 and 3… (default [3, 7])
}

// DefaultRetryPolicy returns the policy of SPEC §6: up to 3 attempts, 3 then
// 7 days apart.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{MaxAttempts: 3, Gaps: []int{3, 7}}
}

// Validate checks that p allows at least one attempt and gives a gap of at
// least one day between each pair of attempts.
func (p RetryPolicy) Validate() error {
	if p.MaxAttempts < 1 {
		return &ErrRetryPolicy{Msg: fmt.Sprintf("at least 1 attempt is needed, got %d", p.MaxAttempts)}
	}
	if len(p.Gaps) < p.MaxAttempts-1 {
		return &ErrRetryPolicy{Msg: fmt.Sprintf("%d attempts need %d gaps, got %d", p.MaxAttempts, p.MaxAttempts-1, len(p.Gaps))}
	}
	for i, g := range p.Gaps {
		if g < 1 {
			return &ErrRetryPolicy{Msg: fmt.Sprintf("gap %d must be at least 1 day, got %d", i+1, g)}
		}
	}
	return nil
}

// NextAttempt returns the date of the next attempt after attempts failed
// attempts, the last of them on lastAttempt. After 1 failed attempt on 10/10
// the next is on 13/10; after 2 (the second on 13/10) it is on 20/10; after
// MaxAttempts there is none and ok is false: the caller blocks the order.
// With attempts ≤ 0 nothing was tried yet and the first attempt is on
// lastAttempt (pass the due date). Should p have fewer gaps than it needs
// (a policy that fails Validate) the last gap, or 1 day, is reused.
func NextAttempt(p RetryPolicy, attempts int, lastAttempt clock.Date) (next clock.Date, ok bool) {
	if attempts <= 0 {
		return lastAttempt, p.MaxAttempts > 0
	}
	if attempts >= p.MaxAttempts {
		return clock.Date{}, false
	}
	gap := 1
	switch {
	case attempts-1 < len(p.Gaps):
		gap = p.Gaps[attempts-1]
	case len(p.Gaps) > 0:
		gap = p.Gaps[len(p.Gaps)-1]
	}
	return lastAttempt.AddDays(max(gap, 1)), true
}
