package siret

import (
	"testing"

	"github.com/inpctl/inpctl/internal/pan"
)

func TestValid(t *testing.T) {
	cases := map[string]bool{
		"12345678200002":    true, // made up: SIREN and SIRET pass Luhn
		"123 456 782 00002": true,
		"12345678200003":    false, // Luhn fails
		"35600000000123":    true,  // La Poste: digits add up to 30
		"35600000000121":    false, // La Poste: passes Luhn, but the sum is 28
		"36133990076017":    false, // Paybox's Diners test card: its SIREN fails Luhn
		"1234567820000":     false,
		"1234567820000a":    false,
		"":                  false,
	}
	for in, want := range cases {
		if got := Valid(in); got != want {
			t.Errorf("Valid(%q) = %v, want %v", in, got, want)
		}
	}
	// Why the field decides: a valid SIRET is a card number to the detector.
	if !pan.IsCardNumber("12345678200002") {
		t.Error("a Luhn-valid SIRET should look like a card number to package pan")
	}
}
