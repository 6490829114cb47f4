// Package siret validates SIRET numbers (the 14-digit identifier of a
// French business establishment: a 9-digit SIREN and a 5-digit NIC).
// siret imports pan (for the Luhn check) and the standard library only.
//
// A valid SIRET passes the Luhn check, exactly like a card number (see
// package pan): the two are told apart by the field that holds them, never
// by their digits. Only fields meant for a SIRET (payers.siret in the
// database, issuer.siret in the config) are checked with Valid; a SIRET
// typed in free text is refused as a card number would be.
package siret

import (
	"strings"

	"github.com/inpctl/inpctl/internal/pan"
)

// laPosteSIREN is La Poste's SIREN: its establishments' SIRETs do not pass
// the Luhn check; the sum of their digits is a multiple of 5 instead.
const laPosteSIREN = "356000000"

// Normalize removes the spaces a SIRET is often written with
// ("123 456 782 00002").
func Normalize(s string) string { return strings.ReplaceAll(strings.TrimSpace(s), " ", "") }

// Valid reports whether s (spaces allowed) is a valid SIRET: 14 digits,
// whose SIREN (first 9) and whole number pass the Luhn check; for La Poste
// (SIREN 356000000), whose digits add up to a multiple of 5.
func Valid(s string) bool {
	s = Normalize(s)
	if len(s) != 14 {
		return false
	}
	sum := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
		sum += int(s[i] - '0')
	}
	if s[:9] == laPosteSIREN {
		return sum%5 == 0
	}
	return pan.Luhn(s[:9]) && pan.Luhn(s)
}
