package schedule

import (
	"fmt"

	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/money"
)

// Every error type below unwraps to a *fault.Error that carries only its
// Kind and Hint, so that fault.KindOf and fault.HintOf classify it (and cli
// picks the exit status) while errors.As still finds the precise type.
func classify(k fault.Kind, hint string) error { return &fault.Error{Kind: k, Hint: hint} }

// ErrUnknownPlan is returned for a plan name other than 1x, 3x or 5x.
type ErrUnknownPlan struct{ Input string }

// Error returns the message.
func (e *ErrUnknownPlan) Error() string {
	return fmt.Sprintf("%q is not a payment plan (expected 1x, 3x or 5x)", e.Input)
}

// Unwrap classifies e as a usage error.
func (e *ErrUnknownPlan) Unwrap() error { return classify(fault.Usage, "") }

// ErrRules is returned when Rules cannot be used (a configuration error).
type ErrRules struct {
	Rule string // which rule, by its name in the schedule section of the config (debit_day, plans.five.first_amount…)
	Msg  string
}

// Error returns the message.
func (e *ErrRules) Error() string { return "invalid plan rules: " + e.Rule + " " + e.Msg }

// Unwrap classifies e as a usage (configuration) error.
func (e *ErrRules) Unwrap() error { return classify(fault.Usage, "") }

// ErrZeroTotal refuses a plan for an order of 0 € (or less): there is
// nothing to pay.
type ErrZeroTotal struct{ Total money.Cents }

// Error returns the message.
func (e *ErrZeroTotal) Error() string {
	if e.Total == 0 {
		return "a zero-amount order needs no payment plan"
	}
	return fmt.Sprintf("an order of %s cannot have a payment plan", e.Total)
}

// Unwrap classifies e as a refusal by a business rule.
func (e *ErrZeroTotal) Unwrap() error { return classify(fault.Conflict, "") }

// ErrBelowThreshold refuses a 5x plan for an order not strictly above the
// threshold (1 000,00 € by default).
type ErrBelowThreshold struct {
	Plan      Plan
	Total     money.Cents
	Threshold money.Cents
}

// Error returns the message.
func (e *ErrBelowThreshold) Error() string {
	return fmt.Sprintf("the %s plan is for orders above %s; this order is %s", e.Plan, e.Threshold, e.Total)
}

// Unwrap classifies e as a refusal, with a hint naming the other plans.
func (e *ErrBelowThreshold) Unwrap() error {
	return classify(fault.Conflict, "choose the 1x or 3x plan")
}

// ErrTooSmall refuses a plan whose instalments could not all be at least
// 1 cent (3x under 0,03 €; 5x under the first amount plus 0,04 €).
type ErrTooSmall struct {
	Plan  Plan
	Total money.Cents
	Min   money.Cents // the smallest total the plan accepts
}

// Error returns the message.
func (e *ErrTooSmall) Error() string {
	return fmt.Sprintf("the %s plan needs an order of at least %s; this order is %s", e.Plan, e.Min, e.Total)
}

// Unwrap classifies e as a refusal by a business rule.
func (e *ErrTooSmall) Unwrap() error { return classify(fault.Conflict, "choose the 1x plan") }

// ErrECard refuses a temporary card (e-carte) for a 3x or 5x plan.
type ErrECard struct{ Plan Plan }

// Error returns the message.
func (e *ErrECard) Error() string {
	return "temporary cards (e-cartes) cannot be used for instalment plans"
}

// Unwrap classifies e as a refusal by a business rule.
func (e *ErrECard) Unwrap() error {
	return classify(fault.Conflict, "pay with a physical card, or choose the 1x plan")
}

// ErrCardExpiry says that a card expires before the last due date of its
// plan. It is a distinct type because the caller treats it differently at
// each step: a warning at approval, a refusal at registration.
type ErrCardExpiry struct {
	Expiry  clock.Date // last day the card is valid; zero if unknown
	LastDue clock.Date
}

// Error returns the message.
func (e *ErrCardExpiry) Error() string {
	if e.Expiry.IsZero() {
		return fmt.Sprintf("the card's expiry date is unknown; it must be valid until the last due date %s", e.LastDue.French())
	}
	return fmt.Sprintf("the card expires on %s, before the last due date %s", e.Expiry.French(), e.LastDue.French())
}

// Unwrap classifies e as a refusal by a business rule.
func (e *ErrCardExpiry) Unwrap() error {
	return classify(fault.Conflict, "register a card valid until the last due date")
}

// ErrTransition refuses a status change that the plan or instalment state
// machine does not allow.
type ErrTransition struct {
	Entity   string // "plan" or "instalment"
	From, To string
}

// Error returns the message.
func (e *ErrTransition) Error() string {
	if e.From == e.To {
		return fmt.Sprintf("the %s is already %s", e.Entity, e.From)
	}
	return fmt.Sprintf("%s %s that is %s cannot become %s", article(e.Entity), e.Entity, e.From, e.To)
}

// Unwrap classifies e as a conflict.
func (e *ErrTransition) Unwrap() error { return classify(fault.Conflict, "") }

// ErrUnknownStatus is returned for a status value outside the state machine.
type ErrUnknownStatus struct {
	Entity string // "plan" or "instalment"
	Status string
}

// Error returns the message.
func (e *ErrUnknownStatus) Error() string {
	return fmt.Sprintf("%q is not %s %s status", e.Status, article(e.Entity), e.Entity)
}

// Unwrap classifies e as an unexpected failure: statuses come from the code
// and the database, never from the user.
func (e *ErrUnknownStatus) Unwrap() error { return classify(fault.Failure, "") }

// ErrRetryPolicy is returned when a RetryPolicy cannot be used.
type ErrRetryPolicy struct {
	Rule string // retry.max_attempts, retry.gaps_days or retry.gaps_days[i]
	Msg  string
}

// Error returns the message.
func (e *ErrRetryPolicy) Error() string { return "invalid retry policy: " + e.Rule + " " + e.Msg }

// Unwrap classifies e as a usage (configuration) error.
func (e *ErrRetryPolicy) Unwrap() error { return classify(fault.Usage, "") }

func article(word string) string {
	if word != "" && (word[0] == 'a' || word[0] == 'e' || word[0] == 'i' || word[0] == 'o' || word[0] == 'u') {
		return "an"
	}
	return "a"
}
