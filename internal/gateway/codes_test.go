package gateway

import (
	"strings"
	"testing"
)

// TestClassify covers every code of docs/paybox.md §2.6 (and the hosted-page
// codes of §3.5), one row each.
func TestClassify(t *testing.T) {
	const A, D, U, N = Approved, Declined, Unknown, Unavailable
	cases := []struct {
		code string
		out  Outcome
		hard bool
	}{
		// Platform codes.
		{"00000", A, false}, {"00001", U, false}, {"00002", N, false}, {"00003", U, false},
		{"00004", D, true}, {"00005", U, false}, {"00006", N, false}, {"00007", N, false},
		{"00008", D, true}, {"00009", D, true}, {"00010", N, false}, {"00011", N, false},
		{"00012", N, false}, {"00013", N, false}, {"00014", N, false}, {"00015", D, true},
		{"00016", D, true}, {"00017", D, true}, {"00018", D, true}, {"00019", D, true},
		{"00020", D, true}, {"00021", D, true}, {"00022", D, false}, {"00023", D, false},
		{"00024", D, true}, {"00025", N, false}, {"00026", N, false}, {"00027", N, false},
		{"00028", N, false}, {"00029", D, true}, {"00030", D, false}, {"00031", D, true},
		{"00032", D, true}, {"00033", D, true}, {"00039", U, false}, {"00040", D, true},
		{"00097", U, false}, {"00098", U, false}, {"00099", U, false}, {"99999", U, false},
		// Issuer codes 001xx.
		{"00100", A, false}, {"00101", D, true}, {"00102", D, true}, {"00103", D, true},
		{"00104", D, true}, {"00105", D, false}, {"00107", D, true}, {"00108", D, true},
		{"00112", D, true}, {"00113", D, true}, {"00114", D, true}, {"00115", D, true},
		{"00117", D, true}, {"00119", D, false}, {"00120", D, false}, {"00124", D, true},
		{"00125", D, true}, {"00126", D, true}, {"00127", D, true}, {"00128", D, true},
		{"00129", D, true}, {"00130", D, true}, {"00131", D, true}, {"00133", D, true},
		{"00134", D, true}, {"00138", D, true}, {"00141", D, true}, {"00143", D, true},
		{"00151", D, false}, {"00154", D, true}, {"00155", D, true}, {"00156", D, true},
		{"00157", D, false}, {"00158", D, true}, {"00159", D, true}, {"00160", D, true},
		{"00161", D, false}, {"00163", D, true}, {"00168", D, false}, {"00175", D, true},
		{"00176", D, true}, {"00189", D, true}, {"00190", D, false}, {"00191", D, false},
		{"00194", D, false}, {"00196", D, false}, {"00197", D, false}, {"00198", D, false},
		{"00199", D, false},
		// PSD2 alphanumeric codes.
		{"001A1", D, false}, {"001A4", D, true}, {"001R1", D, true}, {"001R3", D, true},
		// Not in any table: issuer → hard; other 5-char → hard; garbage → unknown.
		{"00162", D, true}, {"001Z9", D, true}, {"00050", D, true},
		{"", U, false}, {"0000", U, false}, {"000000", U, false}, {"00-01", U, false},
		// Surrounding spaces are tolerated.
		{" 00151 ", D, false},
	}
	for _, c := range cases {
		out, hard := Classify(c.code)
		if out != c.out || hard != c.hard {
			t.Errorf("Classify(%q) = %v, hard=%v; want %v, hard=%v", c.code, out, hard, c.out, c.hard)
		}
	}
}

func TestEveryTableCodeIsDescribed(t *testing.T) {
	for code, c := range platformCodes {
		if c.fr == "" || c.en == "" || len(code) != 5 {
			t.Errorf("platform code %q has no description", code)
		}
	}
	for xx, c := range issuerCodes {
		if c.fr == "" || c.en == "" || len(xx) != 2 {
			t.Errorf("issuer code %q has no description", xx)
		}
	}
}

func TestDescribe(t *testing.T) {
	cases := map[string]string{
		"00151": "provision insuffisante ou crédit dépassé (insufficient funds or over limit)",
		"00141": "carte perdue (lost card)",
		"00018": "transaction non trouvée (transaction not found)",
		"001R1": "paiements récurrents révoqués pour ce commerçant (recurring payments revoked for this merchant)",
		"00162": "refus de l'émetteur, code 62 (issuer refusal, code 62)",
		"":      "pas de réponse (no answer)",
		"ABCDE": "code inconnu (unknown code)",
	}
	for code, want := range cases {
		if got := Describe(code); got != want {
			t.Errorf("Describe(%q) = %q, want %q", code, got, want)
		}
	}
}

func TestOutcomeAndResult(t *testing.T) {
	if Outcome(0) != Unknown || Unknown.String() != "unknown" || Outcome(42).String() != "unknown" {
		t.Fatal("the zero Outcome must be Unknown")
	}
	for _, o := range []Outcome{Approved, Declined, Unavailable} {
		if strings.TrimSpace(o.String()) == "" || o.String() == "unknown" {
			t.Errorf("%d has no name", o)
		}
	}
	if !(Result{Outcome: Declined, Code: "00018"}).NotFound() || (Result{Outcome: Unknown, Code: "00018"}).NotFound() {
		t.Fatal("NotFound")
	}
}
