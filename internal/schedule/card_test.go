package schedule

import (
	"testing"

	"github.com/inpctl/inpctl/internal/clock"
)

func TestCheckCardForPlan(t *testing.T) {
	last := d(2026, 1, 10)
	tests := []struct {
		name   string
		plan   Plan
		eCard  bool
		expiry clock.Date
		want   string // "" = accepted
		check  func(error) bool
	}{
		{"1x e-card", Plan1x, true, d(2027, 9, 30), "", nil},
		{"3x physical card", Plan3x, false, d(2027, 9, 30), "", nil},
		{"expires on the last due date", Plan5x, false, last, "", nil},
		{"3x e-card", Plan3x, true, d(2027, 9, 30), "temporary cards (e-cartes) cannot be used for instalment plans", isType[*ErrECard]},
		{"5x e-card", Plan5x, true, d(2027, 9, 30), "temporary cards (e-cartes) cannot be used for instalment plans", isType[*ErrECard]},
		{"expires before", Plan5x, false, d(2025, 12, 31), "the card expires on 31/12/2025, before the last due date 10/01/2026", isType[*ErrCardExpiry]},
		{"expiry unknown", Plan3x, false, clock.Date{}, "the card's expiry date is unknown; it must be valid until the last due date 10/01/2026", isType[*ErrCardExpiry]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckCardForPlan(tt.plan, tt.eCard, tt.expiry, last)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || err.Error() != tt.want || !tt.check(err) {
				t.Errorf("got %T %v, want %q", err, err, tt.want)
			}
		})
	}
}
