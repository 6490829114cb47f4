package sandbox

import (
	"crypto/hmac"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

var (
	testKey, _ = hex.DecodeString(TestKeyHex)
	day1       = time.Date(2025, 9, 10, 9, 0, 0, 0, paris())
)

// tb is a sandbox with a settable clock and a question counter.
type tb struct {
	*Sandbox
	t   testing.TB
	now atomic.Pointer[time.Time]
	nq  atomic.Int64
}

func newTB(t testing.TB, opt Options) *tb {
	t.Helper()
	x := &tb{t: t}
	x.now.Store(&day1)
	opt.Now = func() time.Time { return *x.now.Load() }
	s, err := New(opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	x.Sandbox = s
	return x
}

func (x *tb) setNow(t time.Time) { x.now.Store(&t) }

// raw posts body to /PPPS.php and returns the recorder.
func (x *tb) raw(body string) (w *httptest.ResponseRecorder) {
	req := httptest.NewRequest(http.MethodPost, "/PPPS.php", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w = httptest.NewRecorder()
	defer func() {
		if p := recover(); p != nil {
			if p != http.ErrAbortHandler {
				panic(p)
			}
			w.Code = -1 // answer dropped
		}
	}()
	x.ServeHTTP(w, req)
	return w
}

// signed builds a signed Direct body from name, value pairs; the common
// fields come first, NUMQUESTION from the counter unless given.
func (x *tb) signed(typ string, kv ...string) string {
	head := []string{"VERSION", "00104", "TYPE", typ, "SITE", TestSite, "RANG", "032", "IDENTIFIANT", TestIdentifiant}
	if !hasName(kv, "NUMQUESTION") {
		head = append(head, "NUMQUESTION", fmt.Sprintf("%010d", x.nq.Add(1)))
	}
	all := append(head, kv...)
	all = append(all, "DATEQ", "10092025090000", "HASH", "SHA512")
	var sign, post []string
	for i := 0; i < len(all); i += 2 {
		sign = append(sign, all[i]+"="+all[i+1])
		post = append(post, url.QueryEscape(all[i])+"="+url.QueryEscape(all[i+1]))
	}
	m := hmac.New(sha512.New, testKey)
	m.Write([]byte(strings.Join(sign, "&")))
	return strings.Join(post, "&") + "&HMAC=" + strings.ToUpper(hex.EncodeToString(m.Sum(nil)))
}

func hasName(kv []string, n string) bool {
	for i := 0; i < len(kv); i += 2 {
		if kv[i] == n {
			return true
		}
	}
	return false
}

// do sends a signed request and parses the Latin-1 answer.
func (x *tb) do(typ string, kv ...string) map[string]string {
	x.t.Helper()
	w := x.raw(x.signed(typ, kv...))
	if w.Code == -1 {
		return map[string]string{}
	}
	if w.Code != 200 {
		x.t.Fatalf("HTTP %d", w.Code)
	}
	return parseAnswer(w.Body.Bytes())
}

func parseAnswer(b []byte) map[string]string {
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	m := map[string]string{}
	for _, p := range strings.Split(string(r), "&") {
		k, v, _ := strings.Cut(p, "=")
		m[k] = v
	}
	return m
}

func (x *tb) register(refab, card string) map[string]string {
	return x.do(typeRegister, "MONTANT", "0000000100", "DEVISE", "978", "REFABONNE", refab, "PORTEUR", card, "DATEVAL", "1229", "CVV", "123")
}

func (x *tb) charge(refab, token, ref string, amt int, extra ...string) map[string]string {
	kv := append([]string{"MONTANT", fmt.Sprintf("%010d", amt), "DEVISE", "978", "REFERENCE", ref,
		"REFABONNE", refab, "PORTEUR", token, "DATEVAL", "1229", "ACTIVITE", "027"}, extra...)
	return x.do(typeCharge, kv...)
}

func (x *tb) lookup(ref string, amt int) map[string]string {
	return x.do(typeLookup, "MONTANT", fmt.Sprintf("%010d", amt), "DEVISE", "978", "REFERENCE", ref)
}

func code(t testing.TB, what string, m map[string]string, want string) {
	t.Helper()
	if m["CODEREPONSE"] != want {
		t.Fatalf("%s: CODEREPONSE=%s (%s), want %s", what, m["CODEREPONSE"], m["COMMENTAIRE"], want)
	}
}
