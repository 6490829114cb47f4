package paybox

import "strings"

// panMask replaces anything that looks like a card number in text we hand
// to the caller: inpctl must never store a PAN, even one echoed by mistake.
const panMask = "[card number removed]"

// luhn reports whether the digit string d passes the Luhn check.
func luhn(d string) bool {
	sum := 0
	for i := len(d) - 1; i >= 0; i-- {
		n := int(d[i] - '0')
		if (len(d)-i)%2 == 0 {
			n *= 2
			if n > 9 {
				n -= 9
			}
		}
		sum += n
	}
	return sum%10 == 0
}

// redactPAN masks every run of digits (with single spaces or dashes between
// groups) in which some consecutive groups make a card number.
func redactPAN(s string) string {
	if !strings.ContainsAny(s, "0123456789") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		j := runEnd(s, i)
		switch {
		case j == i:
			b.WriteByte(s[i])
			j = i + 1
		case hasPAN(s[i:j]):
			b.WriteString(panMask)
		default:
			b.WriteString(s[i:j])
		}
		i = j
	}
	return b.String()
}

// hasPAN reports whether consecutive groups of the digit run make a number
// that looks like a PAN.
func hasPAN(run string) bool {
	groups := strings.FieldsFunc(run, func(r rune) bool { return r == ' ' || r == '-' })
	for a := range groups {
		d := ""
		for _, g := range groups[a:] {
			d += g
			if len(d) > 19 {
				break
			}
			if len(d) >= 13 && luhn(d) {
				return true
			}
		}
	}
	return false
}

// runEnd returns the end of the digit run starting at i (digits, with single
// separators between digits), or i if s[i] is not a digit.
func runEnd(s string, i int) int {
	j := i
	for j < len(s) {
		c := s[j]
		if c >= '0' && c <= '9' {
			j++
			continue
		}
		if (c == ' ' || c == '-') && j > i && j+1 < len(s) && s[j+1] >= '0' && s[j+1] <= '9' {
			j++
			continue
		}
		break
	}
	return j
}
