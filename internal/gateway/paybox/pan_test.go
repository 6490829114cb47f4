package paybox

import "testing"

func TestRedactPAN(t *testing.T) {
	cases := map[string]string{
		"carte 1111222233334444 refusée":    "carte " + panMask + " refusée",
		"carte 1111 2222 3333 4444":         "carte " + panMask,
		"1111-2222-3333-4444 12":            panMask,
		"NUMTRANS 0000000001 et 0000000002": "NUMTRANS 0000000001 et 0000000002",
		"1111222233335555":                  "1111222233335555", // not Luhn-valid
		"Demande traitée avec succès":       "Demande traitée avec succès",
	}
	for in, want := range cases {
		if got := redactPAN(in); got != want {
			t.Errorf("redactPAN(%q) = %q, want %q", in, got, want)
		}
	}
	for _, s := range []string{"4012001037141112", "4012 0010 3714 1112"} {
		if redactPAN(s) != panMask {
			t.Errorf("%s not masked", s)
		}
	}
	for _, s := range []string{"SLDLrcsLMPC", "0000000001", "2147483647", "XXXXXX"} {
		if redactPAN(s) != s {
			t.Errorf("%s masked", s)
		}
	}
}
