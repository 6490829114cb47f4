package schedule

import (
	"slices"
	"testing"
	"time"

	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/money"
	"pgregory.net/rapid"
)

// allowed says, independently of Split, whether plan p accepts total.
func allowed(total money.Cents, p Plan, r Rules) bool {
	switch p {
	case Plan1x:
		return total >= 1
	case Plan3x:
		return total >= 3
	case Plan5x:
		return total > r.MinTotal5x && total >= r.FirstAmount5x+4
	}
	return false
}

func drawRules(t *rapid.T) Rules {
	if rapid.Bool().Draw(t, "default rules") {
		return DefaultRules()
	}
	return Rules{
		FirstAmount5x: money.Cents(rapid.Int64Range(1, 2_000_000).Draw(t, "first")),
		MinTotal5x:    money.Cents(rapid.Int64Range(0, 2_000_000).Draw(t, "min total")),
		DebitDay:      rapid.IntRange(1, 28).Draw(t, "debit day"),
	}
}

func drawDate(t *rapid.T) clock.Date {
	return clock.NewDate(
		rapid.IntRange(2000, 2100).Draw(t, "year"),
		time.Month(rapid.IntRange(1, 12).Draw(t, "month")),
		rapid.IntRange(1, 31).Draw(t, "day"), // 31/02 normalises to a real date
	)
}

func TestBuildProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		r := drawRules(t)
		total := money.Cents(rapid.Int64Range(1, int64(money.MaxCents)).Draw(t, "total"))
		if rapid.Bool().Draw(t, "small total") {
			total = money.Cents(rapid.Int64Range(1, 3_000_000).Draw(t, "small"))
		}
		p := rapid.SampledFrom(Plans()).Draw(t, "plan")
		first := drawDate(t)

		got, err := Build(total, p, first, r)
		if !allowed(total, p, r) {
			if err == nil {
				t.Fatalf("Build(%d, %s) = %v, want a refusal", total, p, got)
			}
			return
		}
		if err != nil {
			t.Fatalf("Build(%d, %s): %v", total, p, err)
		}
		if len(got) != p.Instalments() {
			t.Fatalf("%d instalments for %s", len(got), p)
		}
		if Sum(got) != total {
			t.Fatalf("sum %d != total %d: %v", Sum(got), total, got)
		}
		lo, hi := got[0].Amount, got[0].Amount
		for i, in := range got {
			if in.Seq != i+1 {
				t.Fatalf("seq %d at %d", in.Seq, i)
			}
			if in.Amount < 1 {
				t.Fatalf("instalment %d is %d cents", in.Seq, in.Amount)
			}
			lo, hi = min(lo, in.Amount), max(hi, in.Amount)
			if i > 0 && !got[i-1].Due.Before(in.Due) {
				t.Fatalf("due dates do not increase: %s then %s", got[i-1].Due, in.Due)
			}
			if i > 0 && in.Due.Day != r.DebitDay {
				t.Fatalf("instalment %d due on %s, not on day %d", in.Seq, in.Due, r.DebitDay)
			}
		}
		if got[0].Due != first {
			t.Fatalf("first due %s, want %s", got[0].Due, first)
		}
		if p == Plan3x && hi-lo > 2 {
			t.Fatalf("3x amounts differ by %d cents: %v", hi-lo, got)
		}
		if p == Plan5x && got[0].Amount != r.FirstAmount5x {
			t.Fatalf("5x first amount %d, want %d", got[0].Amount, r.FirstAmount5x)
		}
		again, err := Build(total, p, first, r)
		if err != nil || !slices.Equal(got, again) {
			t.Fatalf("not deterministic: %v then %v (%v)", got, again, err)
		}
	})
}

func TestDueDatesProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		first := drawDate(t)
		n := rapid.IntRange(1, 24).Draw(t, "n")
		day := rapid.IntRange(1, 28).Draw(t, "debit day")
		got := DueDates(first, n, day)
		for i := 1; i < n; i++ {
			prev, cur := got[i-1], got[i]
			if !prev.Before(cur) {
				t.Fatalf("%s not before %s", prev, cur)
			}
			// Each later date is in the month right after the previous one.
			if next := clock.NewDate(prev.Year, prev.Month+1, 1); cur.Year != next.Year || cur.Month != next.Month {
				t.Fatalf("%s does not follow %s by one month", cur, prev)
			}
		}
	})
}
