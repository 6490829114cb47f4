// Package siret checks French company identifiers: a SIREN (9 digits) and a
// SIRET (14 digits: the SIREN and a 5-digit establishment number).
//
// A SIRET passes the Luhn check, as a card number does; inpctl tells the two
// apart by field, never by guessing in free text: the payer's SIRET is a
// field of its own, checked here, and the card-number detectors leave that
// field alone (db check E011, the audit arguments).
package siret

import (
	"fmt"
	"strings"

	"github.com/inpctl/inpctl/internal/pan"
)

// laPoste is the SIREN of La Poste, whose establishments' SIRETs follow
// another rule (INSEE): the sum of the digits is a multiple of 5.
const laPoste = "356000000"

// Normalize removes the spaces, dots and dashes a SIRET is often written
// with ("732 829 320 00074").
func Normalize(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '.' || r == '-' || r == '\u00a0' || r == '\u202f' {
			return -1
		}
		return r
	}, strings.TrimSpace(s))
}

// Check says what is wrong with a SIRET (after Normalize), or nil.
func Check(s string) error {
	if len(s) != 14 {
		return fmt.Errorf("a SIRET has 14 digits, %q has %d characters", s, len(s))
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return fmt.Errorf("a SIRET has only digits, %q has %q", s, c)
		}
	}
	if s[:9] == laPoste {
		sum := 0
		for _, c := range []byte(s) {
			sum += int(c - '0')
		}
		if sum%5 != 0 {
			return fmt.Errorf("SIRET %s fails La Poste's check (sum of digits a multiple of 5)", s)
		}
		return nil
	}
	if !pan.Luhn(s[:9]) {
		return fmt.Errorf("SIRET %s: its SIREN %s fails the check digit (Luhn): a digit is probably mistyped", s, s[:9])
	}
	if !pan.Luhn(s) {
		return fmt.Errorf("SIRET %s fails the check digit (Luhn): a digit is probably mistyped", s)
	}
	return nil
}

// Valid reports whether s is a valid SIRET.
func Valid(s string) bool { return Check(Normalize(s)) == nil }

// Format writes a SIRET as it is printed: "732 829 320 00074".
func Format(s string) string {
	if len(s) != 14 {
		return s
	}
	return s[:3] + " " + s[3:6] + " " + s[6:9] + " " + s[9:]
}
