// Package pan is inpctl's one card-number detector: every caller that must
// keep a card number (PAN) out of the books, the audit log, a message or a
// gateway answer asks this package, so that they all agree on what a card
// number is. pan imports the standard library only.
//
// A card number is 13 to 19 ASCII digits that pass the Luhn check and are
// not all zeros. It is found anywhere in a text, also inside longer text
// ("VIR 22104567 1111222233334444", "ref1111222233334444x") and across
// single spaces or dashes between groups of digits ("1111 2222 3333 4444",
// "1111-2222-3333-4444"). Within a run of digit groups, every sequence of
// consecutive whole groups is tried, so a card number typed after another
// number ("22104567 1111222233334444") is found. A card number glued to
// other digits without a separator ("221045671111222233334444") is not:
// any long digit string would then hold a Luhn-valid window.
//
// A SIRET (14 digits) passes the Luhn check like a card number and cannot
// be told apart from one by its digits. inpctl never guesses in free text:
// a SIRET is recognised by its field only (payers.siret, issuer.siret),
// where internal/siret validates it, and everywhere else 14 Luhn-valid
// digits are a card number.
package pan

import "strings"

// MinDigits and MaxDigits bound the length of a card number (ISO/IEC 7812).
const (
	MinDigits = 13
	MaxDigits = 19
)

// Match is one card number found in a text: s[Start:End] is the number as
// written (its digits and the single separators between its groups).
type Match struct {
	Start, End int
	Digits     string // the digits alone
}

// Masked is the number as it may be shown: its last four digits only.
func (m Match) Masked() string { return "****" + m.Digits[len(m.Digits)-4:] }

// Luhn reports whether the digit string d passes the Luhn check. d must be
// ASCII digits only.
func Luhn(d string) bool {
	sum := 0
	for i := len(d) - 1; i >= 0; i-- {
		n := int(d[i] - '0')
		if (len(d)-i)%2 == 0 {
			if n *= 2; n > 9 {
				n -= 9
			}
		}
		sum += n
	}
	return sum%10 == 0
}

// IsCardNumber reports whether d, digits only, is a card number.
func IsCardNumber(d string) bool {
	return Digits(d, MinDigits, MaxDigits) && strings.Trim(d, "0") != "" && Luhn(d)
}

// Digits reports whether s is min to max ASCII digits and nothing else:
// the one check of a numeric field for the Paybox client, the sandbox and
// the card detectors.
func Digits(s string, min, max int) bool {
	if len(s) < min || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// Contains reports whether s holds a card number.
func Contains(s string) bool { return len(find(s, true)) > 0 }

// Find returns every card number of s, left to right, without overlap.
func Find(s string) []Match { return find(s, false) }

// Mask replaces every card number of s by "****" and its last four
// digits. It repeats until none is left, so that the kept digits never
// make a new card number with the digits that follow them.
func Mask(s string) string {
	for {
		ms := Find(s)
		if len(ms) == 0 {
			return s
		}
		var b strings.Builder
		last := 0
		for _, m := range ms {
			b.WriteString(s[last:m.Start])
			b.WriteString(m.Masked())
			last = m.End
		}
		b.WriteString(s[last:])
		s = b.String()
	}
}

// Redact replaces every run of digit groups that holds a card number,
// the whole run, by repl (which must hold no digit): a gateway's answer
// keeps nothing of the number, not even the digits next to it.
func Redact(s, repl string) string {
	if !hasDigit(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		j := runEnd(s, i)
		switch {
		case j == i:
			b.WriteByte(s[i])
			j = i + 1
		case !inDigest(s, i, j) && len(scanRun(s, i, j, true, nil)) > 0:
			b.WriteString(repl)
		default:
			b.WriteString(s[i:j])
		}
		i = j
	}
	return b.String()
}

func find(s string, first bool) []Match {
	if !hasDigit(s) {
		return nil
	}
	var out []Match
	for i := 0; i < len(s); {
		j := runEnd(s, i)
		if j == i {
			i++
			continue
		}
		if !inDigest(s, i, j) {
			out = scanRun(s, i, j, first, out)
		}
		if first && len(out) > 0 {
			return out
		}
		i = j
	}
	return out
}

// MinDigestLen is the length from which a run of hexadecimal characters
// (with at least one letter) is a digest — an HMAC, a SHA-256, a MAC in a
// payment link — and not text: no one types a card number glued between
// the letters of a 32-character hex string, while about one digest in a
// few hundred holds 13 to 19 digits in a row that pass the Luhn check.
const MinDigestLen = 32

// inDigest reports whether the run s[i:j], digits with no separator, lies
// inside a hexadecimal token of MinDigestLen characters or more that holds
// a letter.
func inDigest(s string, i, j int) bool {
	for k := i; k < j; k++ {
		if !isDigit(s[k]) {
			return false // a run with separators is text
		}
	}
	a, b := i, j
	for a > 0 && isHex(s[a-1]) {
		a--
	}
	for b < len(s) && isHex(s[b]) {
		b++
	}
	return b-a >= MinDigestLen && (a < i || b > j)
}

func isHex(c byte) bool { return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

// group is one group of digits of a run: s[start:end].
type group struct{ start, end int }

// scanRun appends the card numbers of the run s[i:j]: from each group, the
// longest sequence of whole groups that is a card number; the search goes
// on after it.
func scanRun(s string, i, j int, first bool, out []Match) []Match {
	if j-i < MinDigits {
		return out
	}
	var gs []group
	for k := i; k < j; {
		e := k
		for e < j && isDigit(s[e]) {
			e++
		}
		gs = append(gs, group{k, e})
		k = e + 1 // skip the separator
	}
	var d []byte
	for a := 0; a < len(gs); {
		d = d[:0]
		best := -1
		for b := a; b < len(gs); b++ {
			d = append(d, s[gs[b].start:gs[b].end]...)
			if len(d) > MaxDigits {
				break
			}
			if IsCardNumber(string(d)) {
				best = b
			}
		}
		if best < 0 {
			a++
			continue
		}
		var digits strings.Builder
		for _, g := range gs[a : best+1] {
			digits.WriteString(s[g.start:g.end])
		}
		out = append(out, Match{Start: gs[a].start, End: gs[best].end, Digits: digits.String()})
		if first {
			return out
		}
		a = best + 1
	}
	return out
}

// runEnd returns the end of the run of digit groups starting at i (digits,
// with single spaces or dashes between digits), or i if s[i] is no digit.
func runEnd(s string, i int) int {
	j := i
	for j < len(s) {
		c := s[j]
		if isDigit(c) {
			j++
			continue
		}
		if isSep(c) && j > i && j+1 < len(s) && isDigit(s[j+1]) {
			j++
			continue
		}
		break
	}
	return j
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
func isSep(c byte) bool   { return c == ' ' || c == '-' }

func hasDigit(s string) bool { return strings.ContainsAny(s, "0123456789") }
