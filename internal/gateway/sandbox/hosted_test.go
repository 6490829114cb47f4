package sandbox

import (
	"crypto"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// hostedLink builds a signed hosted-page URL for cmd with extra fields.
func hostedLink(t testing.TB, cmd string, extra ...string) string {
	kv := append([]string{"PBX_SITE", TestSite, "PBX_RANG", "032", "PBX_IDENTIFIANT", TestIdentifiant,
		"PBX_TOTAL", "61800", "PBX_DEVISE", "978", "PBX_CMD", cmd, "PBX_PORTEUR", "lea@example.fr",
		"PBX_RETOUR", "Mt:M;Ref:R;Auto:A;Appel:T;Trans:S;Abo:U;Carte:C;Erreur:E;Sign:K"}, extra...)
	kv = append(kv, "PBX_HASH", "SHA512", "PBX_TIME", "2025-09-10T09:00:00+02:00")
	var sign, q []string
	for i := 0; i < len(kv); i += 2 {
		sign = append(sign, kv[i]+"="+kv[i+1])
		q = append(q, kv[i]+"="+url.QueryEscape(kv[i+1]))
	}
	m := hmac.New(sha512.New, testKey)
	m.Write([]byte(strings.Join(sign, "&")))
	return "http://sandbox/cgi/MYchoix_pagepaiement.cgi?" + strings.Join(q, "&") + "&PBX_HMAC=" + strings.ToUpper(hex.EncodeToString(m.Sum(nil)))
}

// verify checks the signature as a merchant would and returns the fields.
func verify(t *testing.T, q string) url.Values {
	t.Helper()
	i := strings.LastIndex(q, "&Sign=")
	if i < 0 {
		t.Fatalf("unsigned: %s", q)
	}
	block, _ := pem.Decode([]byte(PublicKeyPEM))
	k, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	enc, _ := url.QueryUnescape(q[i+6:])
	sig, _ := base64.StdEncoding.DecodeString(enc)
	h := sha1.Sum([]byte(q[:i]))
	if err := rsa.VerifyPKCS1v15(k.(*rsa.PublicKey), crypto.SHA1, h[:], sig); err != nil {
		t.Fatalf("signature: %v", err)
	}
	v, _ := url.ParseQuery(q[:i])
	return v
}

func TestHostedPayAndRegister(t *testing.T) {
	x := newTB(t, Options{})
	q, err := x.Pay(hostedLink(t, "CMD 1", "PBX_REFABONNE", "22104567"), "soft-once")
	if err != nil {
		t.Fatal(err)
	}
	v := verify(t, q)
	if v.Get("Erreur") != "00000" || v.Get("Mt") != "61800" || v.Get("Auto") != "XXXXXX" || v.Get("Carte") != "CB" {
		t.Fatalf("%v", v)
	}
	// U is encoded whole (+ as %2B), so a standard decoder gives back
	// token++YYMM++---.
	if !strings.Contains(q, "Ref=CMD%201&") || !strings.Contains(q, "%2B%2B2812%2B%2B---&") || !strings.HasSuffix(v.Get("Abo"), "++2812++---") {
		t.Fatalf("encoding: %s", q)
	}
	tok, _, _ := strings.Cut(v.Get("Abo"), "++")
	// The token registered on the hosted page charges through Direct, with
	// the behaviour of the card that paid.
	code(t, "first debit", x.charge("22104567", tok, "INV-2", 30000), "00151")
	code(t, "retry", x.charge("22104567", tok, "INV-2b", 30000), "00000")
	code(t, "lookup of the hosted payment", x.lookup("CMD 1", 61800), "00000")
	if r := x.Records(); len(r) != 2 || r[0].Type != TypeHosted || r[0].RefAbonne != "22104567" {
		t.Fatalf("%+v", r)
	}
	// Paying again with the same PBX_REFABONNE replaces the card.
	q, _ = x.Pay(hostedLink(t, "CMD 2", "PBX_REFABONNE", "22104567"), CardECard)
	v = verify(t, q)
	if v.Get("Carte") != "E_CARD" || strings.Split(v.Get("Abo"), "++")[0] == tok {
		t.Fatalf("%v", v)
	}
	code(t, "old token", x.charge("22104567", tok, "INV-3", 100), "00004")
}

func TestHostedRefusals(t *testing.T) {
	x := newTB(t, Options{})
	for card, want := range map[string]string{CardInvalid: "00004", "nonsense": "00004"} {
		q, err := x.Pay(hostedLink(t, "C-"+card), card)
		if err != nil {
			t.Fatal(err)
		}
		if v := verify(t, q); v.Get("Erreur") != want || v.Has("Auto") {
			t.Fatalf("%s: %v", card, v)
		}
	}
	q, _ := x.Pay(hostedLink(t, "C-forced", "PBX_ERRORCODETEST", "00151"), "")
	if v := verify(t, q); v.Get("Erreur") != "00151" {
		t.Fatal(v)
	}
	q, _ = x.Pay(hostedLink(t, "C-exp")+"&"+ParamDateVal+"=0101", "")
	if v := verify(t, q); v.Get("Erreur") != "00008" {
		t.Fatal(v)
	}
	if len(x.Records()) != 0 {
		t.Fatal("a refused payment was recorded")
	}
	// Tampering and wrong accounts are refused before paying.
	link := hostedLink(t, "C")
	for _, bad := range []string{strings.Replace(link, "PBX_TOTAL=61800", "PBX_TOTAL=1", 1),
		strings.Replace(link, "PBX_SITE=1999888", "PBX_SITE=1999887", 1), strings.Replace(link, "&PBX_HMAC=", "&X=", 1)} {
		if _, err := x.Pay(bad, ""); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
	// Over HTTP, GET and POST; an error is an HTTP error.
	w := httptest.NewRecorder()
	x.ServeHTTP(w, httptest.NewRequest("GET", link+"&SBX_CARD=ecard", nil))
	if w.Code != 200 || !strings.Contains(w.Body.String(), "Carte=E_CARD") {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	u, _ := url.Parse(hostedLink(t, "C-post"))
	req := httptest.NewRequest("POST", u.Path, strings.NewReader(u.RawQuery))
	w = httptest.NewRecorder()
	x.ServeHTTP(w, req)
	if w.Code != 200 {
		t.Fatalf("POST: %d %s", w.Code, w.Body)
	}
	w = httptest.NewRecorder()
	x.ServeHTTP(w, httptest.NewRequest("GET", strings.Replace(link, "PBX_TOTAL=61800", "PBX_TOTAL=1", 1), nil))
	if w.Code != 403 {
		t.Fatalf("tampered over HTTP: %d", w.Code)
	}
}

// TestHostedDateValMax: a card that expires before PBX_DATEVALMAX (YYMM)
// is refused with 00008 (docs/paybox.md §3.1) and nothing is taken; one
// that expires in that month or later pays. A malformed value is a 400.
func TestHostedDateValMax(t *testing.T) {
	x := newTB(t, Options{}) // sandbox clock: day1
	for _, c := range []struct{ dateval, want string }{{"1225", "00008"}, {"0126", "00000"}, {"0527", "00000"}} {
		q, err := x.Pay(hostedLink(t, "DVM-"+c.dateval, "PBX_REFABONNE", "AB-"+c.dateval, "PBX_DATEVALMAX", "2601")+"&"+ParamDateVal+"="+c.dateval, "")
		if err != nil {
			t.Fatal(err)
		}
		v := verify(t, q)
		if v.Get("Erreur") != c.want || (c.want != "00000") != (v.Get("Abo") == "") {
			t.Fatalf("card %s under PBX_DATEVALMAX=2601: %v", c.dateval, v)
		}
	}
	if r := x.Records(); len(r) != 2 {
		t.Fatalf("records %+v", r)
	}
	for _, bad := range []string{"26", "2613", "26-1"} {
		w := httptest.NewRecorder()
		x.ServeHTTP(w, httptest.NewRequest("GET", hostedLink(t, "DVM-bad", "PBX_DATEVALMAX", url.QueryEscape(bad)), nil))
		if w.Code != 400 {
			t.Errorf("PBX_DATEVALMAX=%s: %d %s", bad, w.Code, w.Body)
		}
	}
}

// TestHostedDuplicate: a PBX_CMD already paid is refused with 00015
// ("payment already done", docs/paybox.md §3.5) and nothing is taken; a
// refused try does not count; HostedOptions.AllowDuplicate pays it again.
func TestHostedDuplicate(t *testing.T) {
	x := newTB(t, Options{})
	first, _ := x.Pay(hostedLink(t, "DUP-1"), CardInvalid)
	if v := verify(t, first); v.Get("Erreur") != "00004" {
		t.Fatal(v)
	}
	for i, want := range []string{"00000", codeDuplicate, codeDuplicate} {
		q, err := x.Pay(hostedLink(t, "DUP-1"), "")
		if err != nil {
			t.Fatal(err)
		}
		if v := verify(t, q); v.Get("Erreur") != want || (want != "00000" && v.Has("Auto")) {
			t.Fatalf("try %d: %v", i, v)
		}
	}
	if r := x.Records(); len(r) != 1 {
		t.Fatalf("a duplicate took money: %+v", r)
	}
	y := newTB(t, Options{Hosted: HostedOptions{AllowDuplicate: true}})
	for range 2 {
		q, _ := y.Pay(hostedLink(t, "DUP-2"), "")
		if v := verify(t, q); v.Get("Erreur") != "00000" {
			t.Fatal(v)
		}
	}
	if r := y.Records(); len(r) != 2 || r[0].NumTrans == r[1].NumTrans {
		t.Fatalf("AllowDuplicate: %+v", r)
	}
}

// TestHostedAccounts: the hosted page accepts every configured account
// (Sandbox.Account), each with its own key, and no other.
func TestHostedAccounts(t *testing.T) {
	other, err := ParseAccount("1999888:63:109518543:" + strings.Repeat("AB", 64))
	if err != nil {
		t.Fatal(err)
	}
	x := newTB(t, Options{Accounts: append(PreprodAccounts(), other)})
	link := hostedLink(t, "ACC-1")
	// The test account's link, moved to rang 63 and re-signed with rang 63's key.
	q := strings.Replace(link[strings.IndexByte(link, '?')+1:strings.Index(link, "&PBX_HMAC=")], "PBX_RANG=032", "PBX_RANG=63", 1)
	q = strings.Replace(q, "PBX_IDENTIFIANT="+TestIdentifiant, "PBX_IDENTIFIANT=109518543", 1)
	vals, _ := url.ParseQuery(q)
	var sign []string
	for _, kv := range strings.Split(q, "&") {
		n, _, _ := strings.Cut(kv, "=")
		sign = append(sign, n+"="+vals.Get(n))
	}
	m := hmac.New(sha512.New, other.Key)
	m.Write([]byte(strings.Join(sign, "&")))
	good := q + "&PBX_HMAC=" + strings.ToUpper(hex.EncodeToString(m.Sum(nil)))
	if r, err := x.Pay(good, ""); err != nil || verify(t, r).Get("Erreur") != "00000" {
		t.Fatalf("rang 63: %v %s", err, r)
	}
	if _, err := x.Pay(strings.Replace(link, "PBX_RANG=032", "PBX_RANG=63", 1), ""); err == nil {
		t.Fatal("rang 63 with the test key accepted")
	}
}
