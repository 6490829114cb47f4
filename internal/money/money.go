// Package money is integer-cent arithmetic, parsing and French formatting.
//
// Amounts are int64 cents of euros; there is no floating point anywhere.
// money imports only the standard library.
package money

import (
	"fmt"
	"strings"
)

// Cents is an amount in euro cents.
type Cents int64

// Currency is the only currency inpctl handles (ISO 4217).
const Currency = "EUR"

// MaxCents bounds what Parse accepts: 99 999 999,99 €, far above any fee,
// and well inside Paybox's 10-digit MONTANT.
const MaxCents Cents = 9_999_999_999

// ParseError says why a text is not an amount.
type ParseError struct {
	Input  string
	Reason string
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("%q is not an amount: %s (expected e.g. 618,00 or 618.00 or 618)", e.Input, e.Reason)
}

// spaces turns the thousands separators Parse accepts into spaces; one
// for the process (a Replacer builds its tables at its first use, once: a
// new one per call built them for every amount, 0.3 M instructions of
// each command's config load, whose tariffs hold 27 amounts).
var spaces = strings.NewReplacer(" ", " ", "\u00a0", " ", "\u202f", " ")

// Parse reads a non-negative amount: "618,00", "618.00", "618", "3 770,00",
// "3770,5" (= 3 770,50). Thousands may be separated by a space, a no-break
// space or a narrow no-break space; a trailing "€" is allowed. Anything else
// is refused: signs, three decimals, letters, exponents, empty text.
func Parse(s string) (Cents, error) {
	in := s
	s = strings.TrimSpace(s)
	s = strings.TrimSpace(strings.TrimSuffix(s, "€"))
	if s == "" {
		return 0, &ParseError{in, "it is empty"}
	}
	s = spaces.Replace(s)
	intPart, frac, hasFrac := cutDecimal(s)
	if hasFrac && (len(frac) == 0 || len(frac) > 2) {
		return 0, &ParseError{in, "it must have one or two decimals"}
	}
	digits, err := groupedDigits(intPart)
	if err != nil {
		return 0, &ParseError{in, err.Error()}
	}
	for _, r := range frac {
		if r < '0' || r > '9' {
			return 0, &ParseError{in, "the decimals must be digits"}
		}
	}
	if len(frac) == 1 {
		frac += "0"
	}
	if len(digits) > 8 {
		return 0, &ParseError{in, "it is too large"}
	}
	var c Cents
	for _, r := range digits + frac + strings.Repeat("0", 2-len(frac)) {
		c = c*10 + Cents(r-'0')
	}
	return c, nil
}

// cutDecimal splits at the one decimal separator (',' or '.').
func cutDecimal(s string) (intPart, frac string, ok bool) {
	i := strings.LastIndexAny(s, ",.")
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+1:], true
}

// groupedDigits accepts "3770" or "3 770" (groups of three after the first)
// and returns the bare digits.
func groupedDigits(s string) (string, error) {
	if s == "" {
		return "", fmt.Errorf("it has no whole part")
	}
	groups := strings.Split(s, " ")
	for i, g := range groups {
		if g == "" || strings.Trim(g, "0123456789") != "" {
			if strings.ContainsAny(s, "-+") {
				return "", fmt.Errorf("it must not have a sign")
			}
			return "", fmt.Errorf("it must contain only digits, spaces and one decimal comma")
		}
		if i > 0 && len(g) != 3 || i == 0 && len(groups) > 1 && len(g) > 3 {
			return "", fmt.Errorf("thousands must be grouped by three")
		}
	}
	return strings.Join(groups, ""), nil
}

// String formats c the French way: "3 770,00 €" (narrow no-break space
// U+202F between thousands, as the French typographic norm asks).
func (c Cents) String() string { return c.Format() + " €" }

// Format formats c as "3 770,00" without the currency sign.
func (c Cents) Format() string { return format(c, "\u202f") }

// Plain formats c as "3770.00": for CSV cells a spreadsheet reads as a number.
func (c Cents) Plain() string {
	neg, v := split(c)
	return fmt.Sprintf("%s%d.%02d", neg, v/100, v%100)
}

func split(c Cents) (string, uint64) {
	if c < 0 {
		return "-", uint64(-c)
	}
	return "", uint64(c)
}

func format(c Cents, sep string) string {
	neg, v := split(c)
	whole := fmt.Sprint(v / 100)
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(r)
	}
	return fmt.Sprintf("%s%s,%02d", neg, b.String(), v%100)
}

// CurrencyCode is the "currency" field of a JSON object holding amounts: it
// always reads "EUR", the one currency, so that every object with amounts
// carries its currency (the JSON contract) without each reader filling it in.
type CurrencyCode struct{}

// MarshalJSON writes "EUR".
func (CurrencyCode) MarshalJSON() ([]byte, error) { return []byte(`"` + Currency + `"`), nil }

// UnmarshalJSON accepts "EUR" only.
func (*CurrencyCode) UnmarshalJSON(b []byte) error {
	if string(b) != `"`+Currency+`"` {
		return fmt.Errorf("currency %s: only %s is handled", b, Currency)
	}
	return nil
}

// Sum is the total of amount over rows: the total line of a list of rows
// that each show an amount, so that no printer adds amounts itself.
func Sum[T any](rows []T, amount func(T) Cents) Cents {
	var total Cents
	for _, r := range rows {
		total += amount(r)
	}
	return total
}
