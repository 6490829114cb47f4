package gateway

import (
	"fmt"
	"strings"
	"time"

	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/pan"
)

// CardExpiry is the month a card expires, read once where Paybox writes
// it: "YYMM" on the hosted page (the U of a notification, PBX_DATEVALMAX)
// and in the cards table, "MMYY" in Direct's DATEVAL. It is the one
// reading of both forms for inpctl and the sandbox. The zero value is an
// unknown expiry: its LastDay is the zero Date, which the plan rules treat
// as not valid.
type CardExpiry struct {
	Year  int // 2000–2099
	Month time.Month
}

// ParseYYMM reads "YYMM" ("2702": February 2027).
func ParseYYMM(s string) (CardExpiry, error) {
	if !pan.Digits(s, 4, 4) {
		return CardExpiry{}, fmt.Errorf("card expiry %q is not YYMM", s)
	}
	return expiryOf(s[:2], s[2:], s, "YYMM")
}

// ParseMMYY reads "MMYY" or "MM/YY" ("0227": February 2027).
func ParseMMYY(s string) (CardExpiry, error) {
	t := strings.Replace(strings.TrimSpace(s), "/", "", 1)
	if !pan.Digits(t, 4, 4) {
		return CardExpiry{}, fmt.Errorf("card expiry %q is not MMYY", s)
	}
	return expiryOf(t[2:], t[:2], s, "MMYY")
}

func expiryOf(yy, mm, s, form string) (CardExpiry, error) {
	m := time.Month(10*int(mm[0]-'0') + int(mm[1]-'0'))
	if m < 1 || m > 12 {
		return CardExpiry{}, fmt.Errorf("card expiry %q is not %s (month %s)", s, form, mm)
	}
	return CardExpiry{Year: 2000 + 10*int(yy[0]-'0') + int(yy[1]-'0'), Month: m}, nil
}

// IsZero reports an unknown expiry.
func (e CardExpiry) IsZero() bool { return e.Month == 0 }

// YYMM is the hosted page's form.
func (e CardExpiry) YYMM() string {
	if e.IsZero() {
		return ""
	}
	return fmt.Sprintf("%02d%02d", e.Year%100, int(e.Month))
}

// MMYY is Direct's DATEVAL.
func (e CardExpiry) MMYY() string {
	if e.IsZero() {
		return ""
	}
	return fmt.Sprintf("%02d%02d", int(e.Month), e.Year%100)
}

// LastDay is the last day the card is valid (the zero Date when unknown).
func (e CardExpiry) LastDay() clock.Date {
	if e.IsZero() {
		return clock.Date{}
	}
	return clock.NewDate(e.Year, e.Month+1, 0) // day 0 of the next month
}

// Before reports whether the card expires in an earlier month than o.
func (e CardExpiry) Before(o CardExpiry) bool {
	return e.Year*12+int(e.Month) < o.Year*12+int(o.Month)
}

// StoredExpiry is the expiry of a cards row (YYMM), zero when unreadable.
func StoredExpiry(yymm string) CardExpiry {
	e, _ := ParseYYMM(yymm)
	return e
}
