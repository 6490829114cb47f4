package sandbox

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// TestAnswerEncoding: values are written as Paybox writes them (raw
// spaces and accents, the token's padding), except what would split the
// answer or decode to something else: REFABONNE=A&B=C comes back as one
// field, which a standard decoder gives back.
func TestAnswerEncoding(t *testing.T) {
	x := newTB(t, Options{})
	for _, refab := range []string{"A&B=C", "50%+x", "élève 1", "a\nb"} {
		w := x.raw(x.signed(typeRegister, "MONTANT", "0000000100", "DEVISE", "978", "REFABONNE", refab,
			"PORTEUR", CardOK, "DATEVAL", "1229", "CVV", "123"))
		body := w.Body.String()
		q, err := url.ParseQuery(latin1ToUTF8(w.Body.Bytes()))
		if err != nil {
			t.Fatalf("%q: a standard decoder fails on %q: %v", refab, body, err)
		}
		if got := q["REFABONNE"]; len(got) != 1 || got[0] != refab {
			t.Fatalf("REFABONNE %q came back as %q in %q", refab, got, body)
		}
		if q.Get("CODEREPONSE") != "00000" || len(q) != 10 {
			t.Fatalf("%q: %d fields, CODEREPONSE %q: %q", refab, len(q), q.Get("CODEREPONSE"), body)
		}
		if p := q.Get("PORTEUR"); len(p) != 19 || !strings.HasSuffix(p, " ") {
			t.Fatalf("PORTEUR %q: the token's padding is raw spaces", p)
		}
	}
	// As in Paybox's samples: COMMENTAIRE raw, in Latin-1.
	w := x.raw(x.signed(typeRegister, "MONTANT", "0000000100", "DEVISE", "978", "REFABONNE", "A&B=C",
		"PORTEUR", CardOK, "DATEVAL", "1229"))
	if body := w.Body.String(); !strings.Contains(body, "&CODEREPONSE=00016&COMMENTAIRE=PAYBOX : ") ||
		!strings.Contains(body, "&REFABONNE=A%26B%3DC&PORTEUR=") {
		t.Fatalf("answer %q", body)
	}
}

// latin1ToUTF8 reads b as Latin-1.
func latin1ToUTF8(b []byte) string {
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}

// TestEmptyRequestEchoesNothing: an empty POST gets SITE and RANG empty,
// never the sandbox's own account.
func TestEmptyRequestEchoesNothing(t *testing.T) {
	x := newTB(t, Options{})
	want := "NUMTRANS=0000000000&NUMAPPEL=0000000000&NUMQUESTION=0000000000&SITE=&RANG=&AUTORISATION=&CODEREPONSE=00013&COMMENTAIRE="
	for _, body := range []string{"", "&", "VERSION="} {
		if got := x.raw(body).Body.String(); !strings.HasPrefix(got, want) {
			t.Fatalf("answer to %q:\n%q\nwant prefix\n%q", body, got, want)
		}
	}
	// A RANG that is not a number is echoed as received, encoded.
	m := x.raw("VERSION=00104&TYPE=00011&SITE=1999888&RANG=a%26b").Body.String()
	if !strings.Contains(m, "&SITE=1999888&RANG=a%26b&") || !strings.Contains(m, "CODEREPONSE=00006") {
		t.Fatalf("answer %q", m)
	}
}

// TestDirectPlusNeedsVersion104: subscriber TYPEs (00051 and above) need
// VERSION 00104; plain Direct TYPEs take 00103 or 00104.
func TestDirectPlusNeedsVersion104(t *testing.T) {
	x := newTB(t, Options{})
	v103 := func(typ string, kv ...string) map[string]string {
		all := append([]string{"VERSION", "00103", "TYPE", typ, "SITE", TestSite, "RANG", "032", "IDENTIFIANT", TestIdentifiant,
			"NUMQUESTION", fmt.Sprint(x.nq.Add(1))}, kv...)
		return parseAnswer(x.raw(signWith(testKey, all...)).Body.Bytes())
	}
	reg := []string{"MONTANT", "100", "DEVISE", "978", "REFABONNE", "S1", "PORTEUR", CardOK, "DATEVAL", "1229"}
	code(t, "00056 in 00103", v103(typeRegister, reg...), "00013")
	code(t, "00058 in 00103", v103(typeDelete, "REFABONNE", "S1"), "00013")
	code(t, "00053 in 00103", v103(typeCharge, "MONTANT", "100", "REFERENCE", "R", "REFABONNE", "S1", "PORTEUR", "X", "DATEVAL", "1229"), "00013")
	code(t, "00011 in 00103", v103(typeLookup, "MONTANT", "100", "REFERENCE", "R"), "00018")
	code(t, "00003 in 00103", v103(typeAuthCapt, "MONTANT", "100", "REFERENCE", "R", "PORTEUR", CardOK, "DATEVAL", "1229"), "00000")
	code(t, "00056 in 00104", x.do(typeRegister, reg...), "00000")
}

// TestCVVChecked: CVV, when sent, is 3 or 4 digits on 00001 and 00003 as
// on 00056.
func TestCVVChecked(t *testing.T) {
	x := newTB(t, Options{})
	pay := func(typ, ref, cvv string) map[string]string {
		return x.do(typ, "MONTANT", "100", "DEVISE", "978", "REFERENCE", ref, "PORTEUR", CardOK, "DATEVAL", "1229", "CVV", cvv)
	}
	for _, typ := range []string{typeAuthCapt, typeAuth} {
		code(t, typ+" CVV 12", pay(typ, "R1", "12"), "00004")
		code(t, typ+" CVV 12345", pay(typ, "R2", "12345"), "00004")
		code(t, typ+" CVV 12a", pay(typ, "R3", "12a"), "00004")
		code(t, typ+" CVV 123", pay(typ, "R4"+typ, "123"), "00000")
		code(t, typ+" CVV 1234", pay(typ, "R5"+typ, "1234"), "00000")
	}
	if n := len(x.Records()); n != 2 {
		t.Fatalf("%d payments recorded, want the 2 approved 00003", n)
	}
	code(t, "00056 CVV 12", x.do(typeRegister, "MONTANT", "100", "REFABONNE", "S", "PORTEUR", CardOK, "DATEVAL", "1229", "CVV", "12"), "00004")
}

// TestDeleteHasNoAutorisation: deleting a subscriber authorizes nothing,
// so AUTORISATION is empty; a registration carries XXXXXX.
func TestDeleteHasNoAutorisation(t *testing.T) {
	x := newTB(t, Options{})
	if m := x.register("S1", CardOK); m["AUTORISATION"] != "XXXXXX" {
		t.Fatalf("register: AUTORISATION %q", m["AUTORISATION"])
	}
	body := x.raw(x.signed(typeDelete, "REFABONNE", "S1")).Body.String()
	if !strings.Contains(body, "&AUTORISATION=&CODEREPONSE=00000&") {
		t.Fatalf("delete answer %q", body)
	}
}

// TestDocumentedDirectVector: the Direct request of docs/paybox.md §6.1,
// posted byte for byte with its published HMAC, is approved, and the
// answer has the shape of the preprod sample of §2.8.
func TestDocumentedDirectVector(t *testing.T) {
	x := newTB(t, Options{})
	x.setNow(day1.AddDate(-1, 0, 0)) // DATEVAL 1230 must not be past; any date works
	const body = "VERSION=00104&TYPE=00003&SITE=1999888&RANG=032&IDENTIFIANT=107904482&NUMQUESTION=0000000001" +
		"&MONTANT=0000001000&DEVISE=978&REFERENCE=TEST-REF-1&PORTEUR=1111222233334444&DATEVAL=1230&CVV=123" +
		"&ACTIVITE=024&DATEQ=01012025120000&HASH=SHA512" +
		"&HMAC=D4670A2237AB9AD70D87E349DEC42E50393E6ED75B394FBD28244C7660EA435006177BCD760B9D58D1E50FA9116F2FB99FEEF2C2A35679BE7FD11D272BBB4F8A"
	got := x.raw(body).Body.String()
	want := "NUMTRANS=0000000001&NUMAPPEL=1000000001&NUMQUESTION=0000000001&SITE=1999888&RANG=32&AUTORISATION=XXXXXX" +
		"&CODEREPONSE=00000&COMMENTAIRE=Demande trait\xe9e avec succ\xe8s&REFABONNE=&PORTEUR="
	if got != want {
		t.Fatalf("answer\n%q\nwant\n%q", got, want)
	}
	code(t, "one byte changed", parseAnswer(x.raw(strings.Replace(body, "TEST-REF-1", "TEST-REF-2", 1)).Body.Bytes()), "00006")
	// An older client on the CLE-only account of the AM fixture (rang 99)
	// consults it: STATUS Capturé.
	m := parseAnswer(x.raw("VERSION=00103&TYPE=00017&SITE=1999888&RANG=99&CLE=1999888I&NUMQUESTION=0000000002&NUMTRANS=0000000001").Body.Bytes())
	if m["CODEREPONSE"] != "00000" || m["STATUS"] != "Captur\u00e9" || m["RANG"] != "99" {
		t.Fatalf("consultation %v", m)
	}
}
