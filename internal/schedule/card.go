package schedule

import (
	"strconv"
	"strings"
	"time"

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

// CardExpiry turns a card expiry as the gateway gives it, "MMYY" (or
// "MM/YY"), into the last day the card is valid: "0227" → 2027-02-28.
func CardExpiry(mmyy string) (clock.Date, error) {
	s := strings.Replace(strings.TrimSpace(mmyy), "/", "", 1)
	if len(s) != 4 || strings.Trim(s, "0123456789") != "" {
		return clock.Date{}, &ErrCardExpiryFormat{Input: mmyy}
	}
	m, _ := strconv.Atoi(s[:2])
	yy, _ := strconv.Atoi(s[2:])
	if m < 1 || m > 12 {
		return clock.Date{}, &ErrCardExpiryFormat{Input: mmyy}
	}
	// Day 0 of the next month is the last day of this one.
	return clock.NewDate(2000+yy, time.Month(m)+1, 0), nil
}
