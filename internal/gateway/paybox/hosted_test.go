package paybox_test

import (
	"crypto/rsa"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/inpctl/inpctl/internal/gateway/paybox"
	"github.com/inpctl/inpctl/internal/gateway/sandbox"
)

// hostedKeys are the keys a sandbox notification is checked with.
func hostedKeys(t testing.TB) []*rsa.PublicKey {
	sbxKey, err := paybox.ParsePublicKeyPEM([]byte(sandbox.PublicKeyPEM))
	if err != nil {
		t.Fatal(err)
	}
	return []*rsa.PublicKey{payboxKey(t), sbxKey}
}

// TestHostedPageRoundTrip: a link built here is accepted by the sandbox
// over HTTP, paid, and its signed notification verifies with the sandbox
// key, and only with it.
func TestHostedPageRoundTrip(t *testing.T) {
	sbx, err := sandbox.New(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sbx)
	defer srv.Close()
	keys := hostedKeys(t)
	l, err := paybox.BuildLink(paybox.LinkConfigForTest(srv.URL), paybox.Student)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(l.URL + "&" + sandbox.ParamCard + "=" + sandbox.CardECard)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	n, err := paybox.VerifyIPN(string(body), keys)
	if err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	if n.Code != "00000" || n.Amount != 61800 || n.Cmd != paybox.Student.Cmd || n.Auth != "XXXXXX" || !n.ECard ||
		len(n.Token) != 11 || n.Expiry.IsZero() || len(n.NumTrans) != 10 || len(n.NumAppel) != 10 {
		t.Fatalf("notification %+v", n)
	}
	if _, err := paybox.VerifyIPN(string(body), keys[:1]); err == nil {
		t.Fatal("a sandbox notification verified with the Paybox key")
	}
	bad := strings.Replace(l.URL, "PBX_TOTAL=61800", "PBX_TOTAL=100", 1)
	if _, err := sbx.Pay(bad, ""); err == nil {
		t.Fatal("tampered link accepted")
	}
}

// TestHostedPageRefusalAndEncoding: a refused card is still signed, with
// no authorization; a reference with spaces comes back as %20 and verifies
// over the raw bytes.
func TestHostedPageRefusalAndEncoding(t *testing.T) {
	sbx, err := sandbox.New(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	keys := hostedKeys(t)
	l, _ := paybox.BuildLink(paybox.LinkConfigForTest("http://sandbox.invalid"), paybox.Student)
	q, err := sbx.Pay(l.URL, sandbox.CardInvalid)
	if err != nil {
		t.Fatal(err)
	}
	n, err := paybox.VerifyIPN(q, keys)
	if err != nil || n.Code != "00004" || n.Auth != "" || n.Token != "" {
		t.Fatalf("refusal %+v %v", n, err)
	}
	r := paybox.Student
	r.Cmd = "cmd with spaces/é"
	l, _ = paybox.BuildLink(paybox.LinkConfigForTest("http://sandbox.invalid"), r)
	q, err = sbx.Pay(l.URL, "")
	if err != nil || !strings.Contains(q, "Ref=cmd%20with%20spaces/%C3%A9") {
		t.Fatalf("%q %v", q, err)
	}
	if n, err = paybox.VerifyIPN(q, keys); err != nil || n.Cmd != r.Cmd {
		t.Fatalf("%+v %v", n, err)
	}
	if _, err := url.ParseQuery(q); err != nil {
		t.Fatal(err)
	}
}

// genuine are notifications signed by a real key (Paybox's or the
// sandbox's), with the amount, reference and code they carry.
type genuine struct {
	raw  string
	amt  int64
	cmd  string
	code string
}

func genuineIPNs(f *testing.F) ([]genuine, []*rsa.PublicKey) {
	sbx, err := sandbox.New(sandbox.Options{})
	if err != nil {
		f.Fatal(err)
	}
	l, err := paybox.BuildLink(paybox.LinkConfigForTest("http://sandbox"), paybox.Student)
	if err != nil {
		f.Fatal(err)
	}
	// The refused try first: once the link is paid, the sandbox answers
	// any further try 00015 (a PBX_CMD already paid).
	q2, err2 := sbx.Pay(l.URL, sandbox.CardInvalid)
	q1, err1 := sbx.Pay(l.URL, sandbox.CardOK)
	if err1 != nil || err2 != nil {
		f.Fatal(err1, err2)
	}
	sk, err := paybox.ParsePublicKeyPEM([]byte(sandbox.PublicKeyPEM))
	if err != nil {
		f.Fatal(err)
	}
	return []genuine{
		{paybox.IPNVector1, 1000, "CMD1349338388", "00000"},
		{paybox.IPNVector2, 8160, "COM000000117T1402932051", "00004"},
		{q1, 61800, paybox.Student.Cmd, "00000"},
		{q2, 61800, paybox.Student.Cmd, "00004"},
	}, []*rsa.PublicKey{payboxKey(f), sk}
}

// FuzzVerifyIPN: no input panics, and nothing is accepted unless it
// carries the fields of a notification that was really signed.
func FuzzVerifyIPN(f *testing.F) {
	gs, keys := genuineIPNs(f)
	for _, g := range gs {
		f.Add(g.raw)
		f.Add(strings.Replace(g.raw, "Mt=", "Mt=1", 1))
		f.Add(strings.Replace(g.raw, "Erreur=0000", "Erreur=0001", 1))
		f.Add("x=1&" + g.raw)
		f.Add(g.raw[:strings.LastIndex(g.raw, "&")])
	}
	f.Add("Mt=1&Sign=")
	f.Add("&&&Sign=%%%")
	f.Fuzz(func(t *testing.T, raw string) {
		n, err := paybox.VerifyIPN(raw, keys)
		if err != nil {
			return
		}
		for _, g := range gs {
			if int64(n.Amount) == g.amt && n.Cmd == g.cmd && n.Code == g.code {
				return
			}
		}
		t.Fatalf("accepted a notification nobody signed: %q → %+v", raw, n)
	})
}
