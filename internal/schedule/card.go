package schedule

import (
	"github.com/inpctl/inpctl/internal/clock"
)

// CheckCardForPlan checks that a card may pay plan p: a temporary card
// (e-carte) is refused for 3x and 5x (*ErrECard), and the card must still be
// valid on the last due date (*ErrCardExpiry, a distinct type: the caller
// warns at approval and refuses at card registration). expiry is the last
// day the card is valid (see CardExpiry); a zero expiry counts as unknown
// and fails the check.
func CheckCardForPlan(p Plan, eCard bool, expiry clock.Date, lastDue clock.Date) error {
	if eCard && p.NeedsApproval() {
		return &ErrECard{Plan: p}
	}
	if expiry.IsZero() || expiry.Before(lastDue) {
		return &ErrCardExpiry{Expiry: expiry, LastDue: lastDue}
	}
	return nil
}
