package schedule

import (
	"math/rand/v2"
	"testing"

	"github.com/inpctl/inpctl/internal/money"
)

func TestReplanSeedCases(t *testing.T) {
	r := Rules{FirstAmount5x: 62800, MinTotal5x: 100000, DebitDay: 10}
	cases := []struct {
		name           string
		plan           Plan
		base, received money.Cents
		want           []money.Cents // Left of each slot
		status         []InstalmentStatus
	}{
		{"5x approved, nothing paid", Plan5x, 394100, 0, []money.Cents{62800, 82825, 82825, 82825, 82825}, nil},
		{"5x exempted after the first instalment", Plan5x, 62800, 62800, []money.Cents{0, 0, 0, 0, 0},
			[]InstalmentStatus{InstalmentPaid, InstalmentCancelled, InstalmentCancelled, InstalmentCancelled, InstalmentCancelled}},
		{"5x exempted before any payment", Plan5x, 62800, 0, []money.Cents{62800, 0, 0, 0, 0},
			[]InstalmentStatus{InstalmentPending, InstalmentCancelled, InstalmentCancelled, InstalmentCancelled, InstalmentCancelled}},
		{"3x, first debit then a cheque of 300,00", Plan3x, 60100, 20033 + 30000, []money.Cents{0, 0, 10067},
			[]InstalmentStatus{InstalmentPaid, InstalmentPaid, InstalmentPending}},
		{"5x for the rest after a code change", Plan5x, 331300, 0, []money.Cents{62800, 67125, 67125, 67125, 67125}, nil},
		{"more received than the base", Plan1x, 62800, 70000, []money.Cents{0}, []InstalmentStatus{InstalmentPaid}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Replan(c.plan, r, c.base, c.received)
			for k, s := range got {
				if s.Left != c.want[k] {
					t.Errorf("slot %d left %s, want %s", s.Seq, s.Left, c.want[k])
				}
				if c.status != nil && s.Status() != c.status[k] {
					t.Errorf("slot %d %s, want %s", s.Seq, s.Status(), c.status[k])
				}
			}
		})
	}
}

// TestReplanProperties: the parts sum to the base, the slots ask exactly
// what is owed, money counts on the earliest slots first, and no slot asks
// for more than its part.
func TestReplanProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(16, 2025))
	r := Rules{FirstAmount5x: 62800, MinTotal5x: 100000, DebitDay: 10}
	for range 20000 {
		p := Plans()[rng.IntN(3)]
		base := money.Cents(rng.Int64N(1_000_000))
		received := money.Cents(rng.Int64N(1_200_000)) - 100_000
		slots := Replan(p, r, base, received)
		var parts money.Cents
		for k, s := range slots {
			parts += s.Part
			if s.Left < 0 || s.Left > s.Part || s.Part < 0 {
				t.Fatalf("%s base %d received %d: slot %+v out of bounds", p, base, received, s)
			}
			if k > 0 && s.Received > 0 && slots[k-1].Left > 0 {
				t.Fatalf("%s base %d received %d: slot %d received money while slot %d still asks %s", p, base, received, s.Seq, k, slots[k-1].Left)
			}
		}
		if base > 0 && parts != base {
			t.Fatalf("%s base %d: parts sum to %d", p, base, parts)
		}
		if want := max(base-max(received, 0), 0); Remaining(slots) != want {
			t.Fatalf("%s base %d received %d: slots ask %d, want %d", p, base, received, Remaining(slots), want)
		}
		if base > r.MinTotal5x && p == Plan5x {
			split, err := Split(base, p, r)
			if err == nil {
				for k := range split {
					if split[k] != slots[k].Part {
						t.Fatalf("5x %d: Shape %v differs from Split %v", base, slots, split)
					}
				}
			}
		}
	}
}
