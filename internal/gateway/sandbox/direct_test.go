package sandbox

import (
	"net/http/httptest"
	"strings"
	"testing"
)

func TestDirectAnswerFormat(t *testing.T) {
	x := newTB(t, Options{})
	w := x.raw(x.signed(typeRegister, "NUMQUESTION", "0000000007", "MONTANT", "0000000100", "DEVISE", "978",
		"REFABONNE", "S1", "PORTEUR", CardOK, "DATEVAL", "1229", "CVV", "123"))
	body := w.Body.String()
	want := "NUMTRANS=0000000001&NUMAPPEL=1000000001&NUMQUESTION=0000000007&SITE=1999888&RANG=32&AUTORISATION=XXXXXX" +
		"&CODEREPONSE=00000&COMMENTAIRE=Demande trait\xe9e avec succ\xe8s&REFABONNE=S1&PORTEUR="
	if !strings.HasPrefix(body, want) {
		t.Fatalf("answer\n%q\nwant prefix\n%q", body, want)
	}
	porteur := body[len(want):]
	if len(porteur) != 19 || len(strings.TrimRight(porteur, " ")) != 11 ||
		strings.Trim(porteur, tokenLetters+" ") != "" {
		t.Fatalf("PORTEUR %q is not an 11-letter token padded to 19", porteur)
	}
	if ct := w.Header().Get("Content-Type"); !strings.Contains(ct, "ISO-8859-1") {
		t.Fatalf("content type %q", ct)
	}
}

func TestDirectRefusals(t *testing.T) {
	x := newTB(t, Options{})
	tok := strings.TrimSpace(x.register("S1", CardOK)["PORTEUR"])
	bad := x.signed(typeLookup, "MONTANT", "0000000100", "DEVISE", "978", "REFERENCE", "R")
	cases := []struct {
		name, body, code string
	}{
		{"bad HMAC", strings.Replace(bad, "REFERENCE=R", "REFERENCE=X", 1), "00006"},
		{"no auth", "VERSION=00104&TYPE=00011&SITE=1999888&RANG=32&NUMQUESTION=99&MONTANT=100&DEVISE=978&REFERENCE=R", "00006"},
		{"CLE", "VERSION=00104&TYPE=00011&SITE=1999888&RANG=32&CLE=1999888I&NUMQUESTION=98&MONTANT=100&DEVISE=978&REFERENCE=R", "00018"},
		{"wrong CLE", "VERSION=00104&TYPE=00011&SITE=1999888&RANG=32&CLE=nope&NUMQUESTION=97&MONTANT=100&DEVISE=978&REFERENCE=R", "00006"},
		{"wrong site", strings.Replace(bad, "SITE=1999888", "SITE=1999887", 1), "00006"},
		{"version", strings.Replace(x.signed(typeLookup, "MONTANT", "1", "REFERENCE", "R"), "VERSION=00104", "VERSION=00102", 1), "00013"},
	}
	for _, c := range cases {
		code(t, c.name, parseAnswer(x.raw(c.body).Body.Bytes()), c.code)
	}
	if m := parseAnswer(x.raw(cases[0].body).Body.Bytes()); m["COMMENTAIRE"] != "Non autorise" {
		t.Fatalf("COMMENTAIRE %q", m["COMMENTAIRE"])
	}
	fields := []struct {
		name string
		kv   []string
		code string
	}{
		{"amount", []string{"MONTANT", "12a", "DEVISE", "978", "REFERENCE", "R"}, "00011"},
		{"zero amount", []string{"MONTANT", "0", "DEVISE", "978", "REFERENCE", "R"}, "00011"},
		{"currency", []string{"MONTANT", "100", "DEVISE", "999", "REFERENCE", "R"}, "00010"},
		{"reference", []string{"MONTANT", "100", "DEVISE", "978", "REFERENCE", ""}, "00012"},
		{"activite", []string{"MONTANT", "100", "DEVISE", "978", "REFERENCE", "R", "ACTIVITE", "030"}, "00026"},
		{"numquestion", []string{"NUMQUESTION", "2147483648", "MONTANT", "100", "REFERENCE", "R"}, "00005"},
		{"numquestion 0", []string{"NUMQUESTION", "0", "MONTANT", "100", "REFERENCE", "R"}, "00005"},
	}
	for _, c := range fields {
		code(t, c.name, x.do(typeLookup, c.kv...), c.code)
	}
	code(t, "bad type", x.do("00099"), "00009")
	code(t, "token mismatch", x.charge("S1", "ABCDEFGHIJK", "R1", 100), "00004")
	code(t, "token padded", x.charge("S1", padToken(tok), "R1", 100), "00000")
	code(t, "past expiry", x.do(typeCharge, "MONTANT", "100", "DEVISE", "978", "REFERENCE", "R2", "REFABONNE", "S1", "PORTEUR", tok, "DATEVAL", "0825"), "00008")
	code(t, "dateval 0101", x.do(typeRegister, "MONTANT", "100", "DEVISE", "978", "REFABONNE", "S2", "PORTEUR", CardOK, "DATEVAL", "0101"), "00008")
	code(t, "invalid card", x.register("S3", CardInvalid), "00004")
	code(t, "existing", x.register("S1", CardOK), "00016")
	code(t, "unknown subscriber", x.charge("NOBODY", tok, "R3", 100), "00017")
}

func TestDuplicateNumQuestion(t *testing.T) {
	x := newTB(t, Options{})
	q := []string{"NUMQUESTION", "0000000042", "MONTANT", "100", "DEVISE", "978", "REFERENCE", "R"}
	code(t, "first", x.do(typeLookup, q...), "00018")
	code(t, "same day", x.do(typeLookup, q...), "00005")
	x.setNow(day1.AddDate(0, 0, 1))
	code(t, "next day", x.do(typeLookup, q...), "00018")
}

func TestErrorCodeTest(t *testing.T) {
	x := newTB(t, Options{})
	tok := strings.TrimSpace(x.register("S1", CardOK)["PORTEUR"])
	for _, c := range []string{"00151", "00141", "001R1", "00001", "00097"} {
		code(t, c, x.charge("S1", tok, "R-"+c, 100, "ERRORCODETEST", c), c)
	}
	code(t, "00000 is ignored", x.charge("S1", tok, "R-ok", 100, "ERRORCODETEST", "00000"), "00000")
	if n := len(x.Records()); n != 1 {
		t.Fatalf("forced codes acted: %d records", n)
	}
}

func TestLoadHTML(t *testing.T) {
	x := newTB(t, Options{})
	w := httptest.NewRecorder()
	x.ServeHTTP(w, httptest.NewRequest("GET", "/load.html", nil))
	if !strings.Contains(w.Body.String(), `<div id="server_status">OK</div>`) {
		t.Fatal(w.Body.String())
	}
	w = httptest.NewRecorder()
	x.ServeHTTP(w, httptest.NewRequest("GET", "/nothing", nil))
	if w.Code != 404 {
		t.Fatal(w.Code)
	}
}
