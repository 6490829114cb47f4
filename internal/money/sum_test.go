package money

import (
	"testing"

	"pgregory.net/rapid"
)

func TestSumEmpty(t *testing.T) {
	if got := Sum([]Cents(nil), func(c Cents) Cents { return c }); got != 0 {
		t.Errorf("Sum(nil) = %d, want 0", got)
	}
}

// TestSumIsTheLoop: Sum of any rows, with any amount of a row (here a part
// of a struct, negative amounts included), is the loop that adds them.
func TestSumIsTheLoop(t *testing.T) {
	type row struct {
		Name   string
		Amount Cents
	}
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(0, 50).Draw(t, "n")
		rows := make([]row, n)
		var want Cents
		for i := range rows {
			rows[i].Amount = Cents(rapid.Int64Range(-int64(MaxCents), int64(MaxCents)).Draw(t, "amount"))
			want += rows[i].Amount
		}
		if got := Sum(rows, func(r row) Cents { return r.Amount }); got != want {
			t.Fatalf("Sum = %d, the loop = %d", got, want)
		}
	})
}
