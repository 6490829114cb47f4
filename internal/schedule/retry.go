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

// MaxAttemptsLimit bounds RetryPolicy.MaxAttempts: a card declined ten
// times in a month will not pay the eleventh, and each decline is a
// notice to the student and a line on their statement.
const MaxAttemptsLimit = 10

// Validate checks that p allows from 1 to MaxAttemptsLimit attempts and
// gives a gap of at least one day between each pair of attempts. It is the
// one check of the retry rules (config check calls it).
func (p RetryPolicy) Validate() error {
	if p.MaxAttempts < 1 || p.MaxAttempts > MaxAttemptsLimit {
		return &ErrRetryPolicy{Rule: "retry.max_attempts", Msg: fmt.Sprintf("must be from 1 to %d, got %d", MaxAttemptsLimit, p.MaxAttempts)}
	}
	if len(p.Gaps) < p.MaxAttempts-1 {
		return &ErrRetryPolicy{Rule: "retry.gaps_days", Msg: fmt.Sprintf("needs %d gaps for %d attempts, got %d", p.MaxAttempts-1, p.MaxAttempts, len(p.Gaps))}
	}
	for i, g := range p.Gaps {
		if g < 1 {
			return &ErrRetryPolicy{Rule: fmt.Sprintf("retry.gaps_days[%d]", i), Msg: fmt.Sprintf("must be at least 1 day, got %d", g)}
		}
	}
	return nil
}

// Blocks reports whether a decline blocks the order: a hard decline
// always does; a soft one when it was the policy's last allowed attempt
// (attempts counts the attempts made, this one included).
func (p RetryPolicy) Blocks(attempts int, hard bool) bool {
	return hard || attempts >= p.MaxAttempts
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
