package siret

import "testing"

func TestCheck(t *testing.T) {
	for _, c := range []struct {
		in string
		ok bool
	}{
		{"41200123210004", true},    // a made-up valid SIRET (Luhn)
		{"412 001 232 10004", true}, // written with spaces
		{"41200123210005", false},   // one digit off
		{"41200123450006", false},   // the whole passes Luhn, its SIREN 412001234 does not
		{"4120012321000", false},    // 13 digits
		{"4120012321000A", false},   // a letter
		{"35600000000047", true},    // La Poste: sum of digits 25
		{"35600000000048", false},   // La Poste: sum 26
		{"", false},
	} {
		if got := Valid(Normalize(c.in)); got != c.ok {
			t.Errorf("Valid(%q) = %v, want %v (%v)", c.in, got, c.ok, Check(Normalize(c.in)))
		}
	}
	if got := Format("41200123210004"); got != "412 001 232 10004" {
		t.Errorf("Format = %q", got)
	}
}

func FuzzCheck(f *testing.F) {
	f.Add("41200123210004")
	f.Add("356 000 000 00047")
	f.Fuzz(func(t *testing.T, s string) {
		n := Normalize(s)
		if Valid(n) && (len(n) != 14 || Format(n) == n) {
			t.Fatalf("valid %q but not 14 digits", n)
		}
	})
}
