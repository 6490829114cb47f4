// Package schedule turns an order total into instalment plans (échéanciers):
// the 1x, 3x and 5x splits, their due dates, the plan and instalment status
// machines, the soft-decline retry policy and the card checks for a plan.
//
// schedule is pure: every function works on its arguments and on dates passed
// in by the caller (computed once in the configured time zone). It imports
// only money, clock, fault and the standard library; never time.Now, os,
// database/sql or net/http.
package schedule

import (
	"fmt"
	"time"

	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/money"
)

// Plan is how an order is paid: in one, three or five instalments.
type Plan string

// The plans of SPEC §5.
const (
	Plan1x Plan = "1x" // the whole amount at once
	Plan3x Plan = "3x" // three equal thirds, remainder on the last
	Plan5x Plan = "5x" // a fixed first amount, then four equal parts
)

// Plans returns every plan, in order.
func Plans() []Plan { return []Plan{Plan1x, Plan3x, Plan5x} }

// ParsePlan reads "1x", "3x" or "5x".
func ParsePlan(s string) (Plan, error) {
	for _, p := range Plans() {
		if string(p) == s {
			return p, nil
		}
	}
	return "", &ErrUnknownPlan{Input: s}
}

// Instalments returns how many instalments p has (0 for an unknown plan).
func (p Plan) Instalments() int {
	switch p {
	case Plan1x:
		return 1
	case Plan3x:
		return 3
	case Plan5x:
		return 5
	}
	return 0
}

// NeedsApproval reports whether the accounting office must approve p before
// anything is charged (3x and 5x; 1x needs no approval).
func (p Plan) NeedsApproval() bool { return p == Plan3x || p == Plan5x }

// Rules are the configurable parameters of the plans.
type Rules struct {
	FirstAmount5x money.Cents // the fixed first instalment of a 5x plan (default 628,00 €)
	MinTotal5x    money.Cents // 5x only for totals strictly above this (default 1 000,00 €)
	DebitDay      int         // day of the month later instalments are debited (default 10)
}

// DefaultRules returns the rules of SPEC §5: 628,00 €, 1 000,00 €, the 10th.
func DefaultRules() Rules {
	return Rules{FirstAmount5x: 62800, MinTotal5x: 100000, DebitDay: 10}
}

// Validate checks that r can be used: a positive first 5x amount, a
// non-negative threshold and a debit day every month has (1 to 28).
func (r Rules) Validate() error {
	switch {
	case r.DebitDay < 1 || r.DebitDay > 28:
		return &ErrRules{Rule: "debit_day", Msg: fmt.Sprintf("must be a day from 1 to 28 (every month has it), got %d", r.DebitDay)}
	case r.FirstAmount5x <= 0:
		return &ErrRules{Rule: "plans.five.first_amount", Msg: fmt.Sprintf("must be above 0, got %s", r.FirstAmount5x)}
	case r.MinTotal5x < 0:
		return &ErrRules{Rule: "plans.five.min_total", Msg: fmt.Sprintf("must not be negative, got %s", r.MinTotal5x)}
	}
	return nil
}

// Split returns the instalment amounts of total under plan p. The amounts
// always sum to total, to the cent, and each is at least 1 cent:
//
//   - 1x: [total];
//   - 3x: three equal thirds, the remainder on the last (601,00 € → 200,33,
//     200,33, 200,34);
//   - 5x: r.FirstAmount5x, then the rest in four equal parts, the remainder
//     on the last (3 941,00 € → 628,00 + 4 × 828,25).
//
// It refuses a total of 0 or less (*ErrZeroTotal), a 5x plan on a total not
// strictly above r.MinTotal5x (*ErrBelowThreshold), and a total too small
// for every instalment to be at least 1 cent (*ErrTooSmall).
func Split(total money.Cents, p Plan, r Rules) ([]money.Cents, error) {
	if p.Instalments() == 0 {
		return nil, &ErrUnknownPlan{Input: string(p)}
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	if total <= 0 {
		return nil, &ErrZeroTotal{Total: total}
	}
	switch p {
	case Plan3x:
		if total < 3 {
			return nil, &ErrTooSmall{Plan: p, Total: total, Min: 3}
		}
		third := total / 3
		return []money.Cents{third, third, total - 2*third}, nil
	case Plan5x:
		if total <= r.MinTotal5x {
			return nil, &ErrBelowThreshold{Plan: p, Total: total, Threshold: r.MinTotal5x}
		}
		if min := r.FirstAmount5x + 4; total < min {
			return nil, &ErrTooSmall{Plan: p, Total: total, Min: min}
		}
		rest := total - r.FirstAmount5x
		q := rest / 4
		return []money.Cents{r.FirstAmount5x, q, q, q, rest - 3*q}, nil
	}
	return []money.Cents{total}, nil
}

// Instalment is one line of a plan: its rank (from 1), amount and due date.
type Instalment struct {
	Seq    int
	Amount money.Cents
	Due    clock.Date
}

// Build splits total under plan p (see Split) and dates the instalments
// (see DueDates): the first is due on first, the others on r.DebitDay of
// each following month.
func Build(total money.Cents, p Plan, first clock.Date, r Rules) ([]Instalment, error) {
	amounts, err := Split(total, p, r)
	if err != nil {
		return nil, err
	}
	dates := DueDates(first, len(amounts), r.DebitDay)
	out := make([]Instalment, len(amounts))
	for i, a := range amounts {
		out[i] = Instalment{Seq: i + 1, Amount: a, Due: dates[i]}
	}
	return out, nil
}

// Sum returns the total of the instalments' amounts.
func Sum(in []Instalment) money.Cents {
	var s money.Cents
	for _, i := range in {
		s += i.Amount
	}
	return s
}

// DueDates returns n due dates: first (the day of the first payment), then
// debitDay of each following month. "Following" counts from the month of the
// first payment, whatever its day: a first payment on 24/06 gives 10/07 and
// 10/08; on 05/09 (before the 10th) it still gives 10/10 and 10/11; on the
// 10th itself the next is the 10th of the next month; December runs on to
// January of the next year. A debitDay beyond the end of a month (only
// possible with an unvalidated Rules) is clamped to its last day. n ≤ 0
// gives no dates.
func DueDates(first clock.Date, n int, debitDay int) []clock.Date {
	if n <= 0 {
		return []clock.Date{}
	}
	out := make([]clock.Date, n)
	out[0] = first
	for i := 1; i < n; i++ {
		m := clock.NewDate(first.Year, first.Month+time.Month(i), 1)
		day := min(max(debitDay, 1), lastDay(m))
		out[i] = clock.Date{Year: m.Year, Month: m.Month, Day: day}
	}
	return out
}

// lastDay returns the number of days in d's month.
func lastDay(d clock.Date) int {
	return clock.NewDate(d.Year, d.Month+1, 0).Day
}
