package schedule

import "github.com/inpctl/inpctl/internal/money"

// Shape returns the parts of base under plan p: the plan's shape applied to
// whatever it must collect, never refused (Split is the refusing version,
// used when a plan is asked for or approved):
//
//   - 1x: [base];
//   - 3x: three equal thirds, the remainder on the last;
//   - 5x: r.FirstAmount5x capped at base, then the rest in four equal
//     parts, the remainder on the last.
//
// A part may be 0 (a 5x plan exempted down to its first part: the four
// others are 0). A base of 0 or less gives parts of 0. An unknown plan
// gives nil.
func Shape(base money.Cents, p Plan, r Rules) []money.Cents {
	n := p.Instalments()
	if n == 0 {
		return nil
	}
	out := make([]money.Cents, n)
	if base <= 0 {
		return out
	}
	switch p {
	case Plan3x:
		third := base / 3
		out[0], out[1], out[2] = third, third, base-2*third
	case Plan5x:
		first := min(max(r.FirstAmount5x, 0), base)
		rest := base - first
		q := rest / 4
		out[0], out[1], out[2], out[3], out[4] = first, q, q, q, rest-3*q
	default:
		out[0] = base
	}
	return out
}

// Slot is one instalment as the rule sees it: its rank (from 1), its part
// of the plan's base, what was received against it and what is left.
type Slot struct {
	Seq      int
	Part     money.Cents // the shape's part of the base
	Received money.Cents // money counted against this part
	Left     money.Cents // Part − Received: what this instalment still asks
}

// Status is what the slot's instalment is: paid when its part is received
// in full, cancelled when its part is 0 (nothing to collect), otherwise
// still to be paid (pending, or failed after a decline: the caller keeps
// which).
func (s Slot) Status() InstalmentStatus {
	switch {
	case s.Part == 0:
		return InstalmentCancelled
	case s.Left == 0:
		return InstalmentPaid
	}
	return InstalmentPending
}

// Replan is the rule of what a plan still asks (SPEC §5): the plan's shape
// over base (what the plan must collect: what the order owes now plus what
// was received on the plan since its approval), then received counted
// against the earliest parts first. The Left of the slots always sums to
// max(base − received, 0): the unpaid instalments of a plan are what its
// order still owes. Money received beyond the base (a credit) is counted on
// no slot.
func Replan(p Plan, r Rules, base, received money.Cents) []Slot {
	parts := Shape(base, p, r)
	out := make([]Slot, len(parts))
	left := max(received, 0)
	for k, part := range parts {
		take := min(left, part)
		left -= take
		out[k] = Slot{Seq: k + 1, Part: part, Received: take, Left: part - take}
	}
	return out
}

// Remaining is the total the slots still ask.
func Remaining(slots []Slot) money.Cents {
	var s money.Cents
	for _, x := range slots {
		s += x.Left
	}
	return s
}
