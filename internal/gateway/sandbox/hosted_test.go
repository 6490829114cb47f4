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
	if !strings.Contains(q, "Ref=CMD%201&") || !strings.Contains(q, "++2812++---") {
		t.Fatalf("encoding: %s", q)
	}
	tok := strings.Fields(v.Get("Abo"))[0]
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
	if v.Get("Carte") != "E_CARD" || strings.Fields(v.Get("Abo"))[0] == tok {
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
