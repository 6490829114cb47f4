package serve

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeApply is the notification side under test's control: Check answers
// by the value of the notification's "Ref" (ok…, badsig, amount, db,
// anything else unreadable); Apply keeps what it applied, once per Ref as
// billing does (a replay writes nothing), and the sizes of its batches.
type fakeApply struct {
	mu      sync.Mutex
	got     []string       // every notification given to Apply
	applied map[string]int // Ref → times written
	batches []int
	delay   time.Duration // the commit's time (an fsync)
}

func (f *fakeApply) ipn() IPN[string] {
	return IPN[string]{Check: f.check, Apply: f.apply}
}

func (f *fakeApply) check(raw string) (string, string, Outcome, error) {
	ref := cmdOf(raw)
	switch {
	case strings.HasPrefix(ref, "ok"), ref == "amount", ref == "db":
		return ref, ref, Applied, nil
	case ref == "badsig":
		return "", "", Forbidden, errors.New("the notification signature does not verify")
	}
	return "", "", Unreadable, errors.New("unreadable")
}

func (f *fakeApply) apply(_ context.Context, refs []string) []Result {
	time.Sleep(f.delay)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.applied == nil {
		f.applied = map[string]int{}
	}
	f.batches = append(f.batches, len(refs))
	out := make([]Result, len(refs))
	for k, ref := range refs {
		f.got = append(f.got, ref)
		switch ref {
		case "amount":
			out[k] = Result{Refused, errors.New("notification for amount says 1,00 € but 628,00 € was requested")}
		case "db":
			out[k] = Result{Failed, errors.New("database is locked")}
		default:
			if f.applied[ref] == 0 {
				f.applied[ref]++
			}
			out[k] = Result{Outcome: Applied}
		}
	}
	return out
}

func server(t *testing.T, cfg Config, f *fakeApply, health func(context.Context) error) (*httptest.Server, *bytes.Buffer) {
	t.Helper()
	var log bytes.Buffer
	cfg.Log = &syncWriter{w: &log}
	h := Handler(cfg, f.ipn(), health)
	srv := httptest.NewServer(h)
	t.Cleanup(func() { srv.Close(); h.Close() })
	return srv, &log
}

type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(b []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(b)
}

func loopback(t *testing.T) []netip.Prefix {
	p, err := ParsePrefixes("serve.ipn_allow", []string{"127.0.0.1/8", "::1"})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func do(t *testing.T, method, url, body string, hdr map[string]string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// TestIPNStatuses: what Paybox is answered for each outcome, GET and POST;
// an applied notification gets 200 with an empty body.
func TestIPNStatuses(t *testing.T) {
	f := &fakeApply{}
	srv, log := server(t, Config{Allow: loopback(t)}, f, nil)
	for _, c := range []struct {
		method, query string
		want          int
	}{
		{"GET", "Mt=62800&Ref=ok&Sign=abc", 200},
		{"POST", "Mt=62800&Ref=ok&Sign=abc", 200},
		{"GET", "Mt=62800&Ref=badsig&Sign=abc", 403},
		{"GET", "Mt=100&Ref=amount&Sign=abc", 409},
		{"GET", "Mt=100&Ref=db&Sign=abc", 500},
		{"GET", "garbage", 400},
		{"GET", "", 400},
		{"PUT", "Ref=ok", 405},
	} {
		url, body := srv.URL+"/paybox/ipn", ""
		if c.method == "GET" {
			url += "?" + c.query
		} else {
			body = c.query
		}
		code, got := do(t, c.method, url, body, map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
		if code != c.want {
			t.Errorf("%s %q: %d, want %d", c.method, c.query, code, c.want)
		}
		if code == 200 && got != "" {
			t.Errorf("%s %q: body %q, want empty", c.method, c.query, got)
		}
	}
	if strings.Contains(log.String(), "Sign=") || strings.Contains(log.String(), "Mt=") {
		t.Errorf("the access log shows the query:\n%s", log)
	}
	if !strings.Contains(log.String(), "GET /paybox/ipn 200") || !strings.Contains(log.String(), "cmd=amount (notification for amount says") {
		t.Errorf("access log:\n%s", log)
	}
}

// TestIPNSourceAllowList: a source outside the allow-list gets 403 and the
// notification is never applied; X-Forwarded-For counts only from a
// trusted proxy.
func TestIPNSourceAllowList(t *testing.T) {
	paybox, _ := ParsePrefixes("k", []string{"194.2.122.158"})
	proxy := loopback(t)
	f := &fakeApply{}
	srv, _ := server(t, Config{Allow: paybox, TrustedProxies: proxy}, f, nil)
	u := srv.URL + "/paybox/ipn?Ref=ok&Sign=x"
	if code, _ := do(t, "GET", u, "", nil); code != 403 {
		t.Errorf("loopback, not allowed: %d", code)
	}
	if code, _ := do(t, "GET", u, "", map[string]string{"X-Forwarded-For": "203.0.113.9"}); code != 403 {
		t.Errorf("a stranger through the proxy: %d", code)
	}
	if code, _ := do(t, "GET", u, "", map[string]string{"X-Forwarded-For": "203.0.113.9, 194.2.122.158"}); code != 200 {
		t.Errorf("Paybox through the proxy: %d", code)
	}
	if len(f.got) != 1 {
		t.Errorf("applied %d notifications, want the allowed one only", len(f.got))
	}
	// Not a trusted proxy: its X-Forwarded-For is ignored.
	srv2, _ := server(t, Config{Allow: paybox}, f, nil)
	if code, _ := do(t, "GET", srv2.URL+"/paybox/ipn?Ref=ok", "", map[string]string{"X-Forwarded-For": "194.2.122.158"}); code != 403 {
		t.Errorf("a forged X-Forwarded-For from an untrusted peer: %d", code)
	}
}

// TestPagesAndHealth: the student's pages are French and change nothing;
// /healthz says whether the database answers; a body too large is refused.
func TestPagesAndHealth(t *testing.T) {
	f := &fakeApply{}
	var sick error
	srv, _ := server(t, Config{Allow: loopback(t), School: "Clermont Auvergne INP", Contact: "finances@example.org", MaxBody: 64}, f,
		func(context.Context) error { return sick })
	for path, want := range map[string]string{"/paybox/retour": "Paiement reçu, merci", "/paybox/refuse": "Paiement refusé", "/paybox/annule": "Paiement annulé"} {
		code, body := do(t, "GET", srv.URL+path+"?Ref=ok&Sign=x", "", nil)
		if code != 200 || !strings.Contains(body, want) || !strings.Contains(body, "finances@example.org") {
			t.Errorf("%s: %d %q", path, code, body)
		}
	}
	if len(f.got) != 0 {
		t.Errorf("a return page applied a notification")
	}
	if code, _ := do(t, "GET", srv.URL+"/healthz", "", nil); code != 200 {
		t.Errorf("healthz: %d", code)
	}
	sick = errors.New("database is closed")
	if code, _ := do(t, "GET", srv.URL+"/healthz", "", nil); code != 503 {
		t.Errorf("healthz of a sick database: %d", code)
	}
	if code, _ := do(t, "POST", srv.URL+"/paybox/ipn", strings.Repeat("x", 200), nil); code != 413 {
		t.Errorf("a body too large: %d", code)
	}
}

func TestParsePrefixes(t *testing.T) {
	if _, err := ParsePrefixes("serve.ipn_allow", []string{"194.2.122.158", "10.0.0.0/8", "::1"}); err != nil {
		t.Error(err)
	}
	if _, err := ParsePrefixes("serve.ipn_allow", []string{"paybox.com"}); err == nil || !strings.Contains(err.Error(), "serve.ipn_allow") {
		t.Errorf("a host name: %v", err)
	}
	if _, err := ParsePrefixes("k", DefaultAllow); err != nil {
		t.Errorf("DefaultAllow: %v", err)
	}
}
