package pan

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// The card numbers below are Paybox's published test cards
// (docs/paybox.md §4.2): never put any other card number in a test.
const (
	cardOK    = "1111222233334444"
	card3DS   = "4012001037141112"
	cardAmex  = "374907403001005"  // 15 digits
	cardDiner = "36133990076017"   // 14 digits
	cardBad   = "1111222233335555" // fails the Luhn check
	cardLong  = "9250004100000127783"
)

func TestFind(t *testing.T) {
	cases := []struct {
		in   string
		want []string // the masked numbers found
	}{
		{"VIR 22104567 " + cardOK, []string{"****4444"}},
		{"carte 1111 2222 3333 4444 refusée", []string{"****4444"}},
		{"1111-2222-3333-4444", []string{"****4444"}},
		{"ref" + card3DS + "x", []string{"****1112"}},
		{cardAmex + " et " + cardDiner, []string{"****1005", "****6017"}},
		{cardLong, []string{"****7783"}},
		{"0000000009903985", nil}, // Paybox's Paysafecard test number fails Luhn
		{cardBad, nil},
		{"22104567", nil},
		{"2025-09-01T09:00:00+02:00", nil},
		{"NUMTRANS 0000000001 et 0000000002", nil},
		{"0000000000000", nil},        // zeros only: no card
		{"12" + cardOK, nil},          // glued to other digits (see package doc)
		{"1111  2222 3333 4444", nil}, // a double space ends the run
		{"22104567 1111 2222 3333 4444", []string{"****4444"}},
	}
	for _, c := range cases {
		var got []string
		for _, m := range Find(c.in) {
			if !IsCardNumber(m.Digits) || strings.NewReplacer(" ", "", "-", "").Replace(c.in[m.Start:m.End]) != m.Digits {
				t.Errorf("Find(%q): bad match %+v", c.in, m)
			}
			got = append(got, m.Masked())
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("Find(%q) = %v, want %v", c.in, got, c.want)
		}
		if Contains(c.in) != (len(c.want) > 0) {
			t.Errorf("Contains(%q) = %v", c.in, !(len(c.want) > 0))
		}
	}
}

func TestMask(t *testing.T) {
	cases := map[string]string{
		"VIR 22104567 " + cardOK:     "VIR 22104567 ****4444",
		"--card=1111 2222 3333 4444": "--card=****4444",
		cardOK:                       "****4444",
		"22104567":                   "22104567",
		cardBad:                      cardBad,
	}
	for in, want := range cases {
		if got := Mask(in); got != want {
			t.Errorf("Mask(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRedact(t *testing.T) {
	const r = "[card number removed]"
	cases := map[string]string{
		"carte " + cardOK + " refusée":      "carte " + r + " refusée",
		"1111-2222-3333-4444 12":            r,
		"NUMTRANS 0000000001 et 0000000002": "NUMTRANS 0000000001 et 0000000002",
		"Demande traitée avec succès":       "Demande traitée avec succès",
	}
	for in, want := range cases {
		if got := Redact(in, r); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLuhn(t *testing.T) {
	for _, c := range []string{cardOK, card3DS, cardAmex, cardDiner, cardLong, "4012001038443335"} {
		if !Luhn(c) || !IsCardNumber(c) {
			t.Errorf("%s: Luhn-valid test card refused", c)
		}
	}
	for _, c := range []string{cardBad, "1111222233334445", "4012001037141113", "12345"} {
		if IsCardNumber(c) {
			t.Errorf("%s taken for a card number", c)
		}
	}
}

// TestDigestsAreNotCardNumbers: a digit run inside a long hex token (an
// HMAC in a payment link, a SHA-256) is not a card number, even when it
// passes the Luhn check; the same digits as text still are.
func TestDigestsAreNotCardNumbers(t *testing.T) {
	const card = cardOK // a Paybox test card, Luhn-valid
	hmac := "F927B59CEF4A3D29CE8C2C348C8ABE4" + card + "D6FC26DD8134293C53FF30007FC36CB8"
	for _, s := range []string{hmac, "PBX_HMAC=" + hmac + "&x=1", strings.ToLower(hmac), "536101288371510ABCDEF0123456789abcdef01234"} {
		if Find(s) != nil || Contains(s) || Redact(s, "X") != s {
			t.Errorf("digest %q read as a card number", s)
		}
	}
	for _, s := range []string{card, "CB" + card, "carte " + card + " merci", "ref=" + card + "&a=b", "1111 2222 3333 4444",
		"ABCDEF" + card, // a short hex prefix is not a digest
		card + " ABCDEF0123456789ABCDEF0123456789ABCDEF", // a digest next to it, apart
	} {
		if len(Find(s)) != 1 {
			t.Errorf("%q: the card number is not found", s)
		}
	}
	// Random digests never trip the detector.
	rng := rand.New(rand.NewPCG(1, 2))
	const hexdig = "0123456789ABCDEF"
	for n := 0; n < 20000; n++ {
		b := make([]byte, 64)
		for i := range b {
			b[i] = hexdig[rng.IntN(16)]
		}
		if strings.ContainsAny(string(b), "ABCDEF") && Find(string(b)) != nil {
			t.Fatalf("random digest %s read as a card number", b)
		}
	}
}
