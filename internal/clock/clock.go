// Package clock is the time seam: code that needs "now" takes a Clock.
//
// Nothing in inpctl calls time.Now directly except System. Calendar dates
// (what schedule and fees work on) are Date values computed once, in the
// configured time zone, by the caller. clock imports only the standard library.
package clock

import (
	"fmt"
	"time"
)

// Clock tells the time.
type Clock interface{ Now() time.Time }

// System is the real clock.
type System struct{}

// Now returns time.Now().
func (System) Now() time.Time { return time.Now() }

// Fixed is a clock stopped at one instant (tests, INPCTL_NOW).
type Fixed time.Time

// Now returns the fixed instant.
func (f Fixed) Now() time.Time { return time.Time(f) }

// Date is a calendar date with no time zone: what a due date or an invoice
// date is. The zero Date means "no date".
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the calendar date of t in loc.
func DateOf(t time.Time, loc *time.Location) Date {
	y, m, d := t.In(loc).Date()
	return Date{y, m, d}
}

// NewDate returns a normalised Date (so 2025-02-31 becomes 2025-03-03; use
// ParseDate to refuse such input).
func NewDate(y int, m time.Month, d int) Date {
	t := time.Date(y, m, d, 12, 0, 0, 0, time.UTC)
	return Date{t.Year(), t.Month(), t.Day()}
}

// ParseDate parses YYYY-MM-DD (or DD/MM/YYYY) and refuses dates that do
// not exist, such as 2025-02-30.
func ParseDate(s string) (Date, error) {
	var t time.Time
	var err error
	if len(s) == 10 && s[2] == '/' {
		t, err = time.Parse("02/01/2006", s)
	} else {
		t, err = time.Parse("2006-01-02", s)
	}
	if err != nil {
		return Date{}, fmt.Errorf("%q is not a date (expected YYYY-MM-DD, e.g. 2025-09-10)", s)
	}
	return Date{t.Year(), t.Month(), t.Day()}, nil
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// String formats d as YYYY-MM-DD; the zero Date formats as "".
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
}

// French formats d as DD/MM/YYYY; the zero Date formats as "".
func (d Date) French() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%02d/%02d/%04d", d.Day, d.Month, d.Year)
}

// Time returns midnight of d in loc.
func (d Date) Time(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// AddDays returns d plus n days.
func (d Date) AddDays(n int) Date { return NewDate(d.Year, d.Month, d.Day+n) }

// Before reports whether d is strictly before e.
func (d Date) Before(e Date) bool { return d.Compare(e) < 0 }

// After reports whether d is strictly after e.
func (d Date) After(e Date) bool { return d.Compare(e) > 0 }

// Compare returns -1, 0 or +1.
func (d Date) Compare(e Date) int {
	switch {
	case d.Year != e.Year:
		return sign(d.Year - e.Year)
	case d.Month != e.Month:
		return sign(int(d.Month) - int(e.Month))
	default:
		return sign(d.Day - e.Day)
	}
}

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}
