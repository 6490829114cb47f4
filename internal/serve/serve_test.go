package serve

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"regexp"
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
	gate    chan struct{} // when set, each Apply waits for a value
	entered chan int      // when set, each Apply sends its batch's size on entry
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
	if f.entered != nil {
		f.entered <- len(refs)
	}
	if f.gate != nil {
		<-f.gate
	}
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
			f.applied[ref]++ // every copy: replays are billing's to tell
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

// burst sends each query of qs as a GET notification, all at once, and
// returns the statuses in qs's order.
func burst(t *testing.T, base string, qs []string) []int {
	t.Helper()
	codes := make([]int, len(qs))
	var wg sync.WaitGroup
	for k, q := range qs {
		wg.Go(func() {
			res, err := http.Get(base + "/paybox/ipn?" + q)
			if err != nil {
				t.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			codes[k] = res.StatusCode
		})
	}
	wg.Wait()
	return codes
}

// TestGroupCommitDistinct: N distinct notifications at once are all
// applied, each once, and they share commits (batches larger than one, as
// Stats and the access log say).
func TestGroupCommitDistinct(t *testing.T) {
	const n = 200
	f := &fakeApply{delay: 2 * time.Millisecond}
	var log bytes.Buffer
	h := Handler(Config{Allow: loopback(t), Log: &syncWriter{w: &log}}, f.ipn(), nil)
	srv := httptest.NewServer(h)
	defer h.Close()
	defer srv.Close()
	qs := make([]string, n)
	for k := range qs {
		qs[k] = fmt.Sprintf("Ref=ok%d&Sign=x", k)
	}
	for k, code := range burst(t, srv.URL, qs) {
		if code != 200 {
			t.Errorf("notification %d: %d, want 200", k, code)
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.applied) != n || len(f.got) != n {
		t.Errorf("%d applied, %d given to Apply, want %d each", len(f.applied), len(f.got), n)
	}
	st := h.Stats()
	if st.Notifications != n || st.Largest < 2 || st.Batches >= n || st.Largest > MaxBatch {
		t.Errorf("stats %+v: want %d notifications in fewer commits, batches of 2 to %d", st, n, MaxBatch)
	}
	if !regexp.MustCompile(`GET /paybox/ipn 200 \S+ cmd=ok\d+ batch=([2-9]|\d\d+)\n`).MatchString(log.String()) {
		t.Errorf("no access-log line shows a batch larger than one:\n%s", log.String())
	}
	t.Logf("%d notifications in %d commits (largest %d)", st.Notifications, st.Batches, st.Largest)
}

// TestGroupCommitBadOnesStayOut: bad signatures and junk mixed in a burst
// get their own 403 and 400 and never enter a batch; a notification the
// books refuse gets its 409 and a database failure its 500 while the
// others of the same batches get 200.
func TestGroupCommitBadOnesStayOut(t *testing.T) {
	f := &fakeApply{delay: 2 * time.Millisecond}
	srv, _ := server(t, Config{Allow: loopback(t)}, f, nil)
	var qs []string
	want := map[int]int{}
	for k := range 60 {
		switch k % 10 {
		case 3:
			qs = append(qs, "Ref=badsig&Sign=x")
			want[k] = 403
		case 5:
			qs = append(qs, "garbage")
			want[k] = 400
		case 7:
			qs = append(qs, "Ref=amount&Sign=x")
			want[k] = 409
		case 9:
			qs = append(qs, "Ref=db&Sign=x")
			want[k] = 500
		default:
			qs = append(qs, fmt.Sprintf("Ref=ok%d&Sign=x", k))
			want[k] = 200
		}
	}
	for k, code := range burst(t, srv.URL, qs) {
		if code != want[k] {
			t.Errorf("%s: %d, want %d", qs[k], code, want[k])
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, ref := range f.got {
		if ref == "" || ref == "badsig" {
			t.Errorf("a notification that did not check entered a batch: %q", ref)
		}
	}
	if len(f.applied) != 36 {
		t.Errorf("%d good notifications applied, want 36", len(f.applied))
	}
}

// TestGroupCommitReplays: the same notification 20 times at once: serve
// does not decide what a replay is, it hands every copy to the applier
// (billing writes a replay nothing: TestApplyCheckedIPNsOneCommit) and
// answers each 200.
func TestGroupCommitReplays(t *testing.T) {
	f := &fakeApply{delay: 2 * time.Millisecond}
	srv, _ := server(t, Config{Allow: loopback(t)}, f, nil)
	qs := make([]string, 20)
	for k := range qs {
		qs[k] = "Ref=ok-same&Sign=x"
	}
	for k, code := range burst(t, srv.URL, qs) {
		if code != 200 {
			t.Errorf("copy %d: %d, want 200", k, code)
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.applied["ok-same"] != 20 || len(f.got) != 20 {
		t.Errorf("the applier was given %d copies (%d applied), want every one of the 20", len(f.got), f.applied["ok-same"])
	}
}

// TestGroupCommitClose: Close answers what is queued before it returns,
// and after it a notification is answered 503 (Paybox tries again),
// never left waiting.
func TestGroupCommitClose(t *testing.T) {
	f := &fakeApply{gate: make(chan struct{}), entered: make(chan int, 10)}
	h := Handler(Config{Allow: loopback(t)}, f.ipn(), nil)
	srv := httptest.NewServer(h)
	defer srv.Close()
	codes := make(chan int, 10)
	get := func(ref string) {
		res, err := http.Get(srv.URL + "/paybox/ipn?Ref=" + ref)
		if err != nil {
			codes <- 0
			return
		}
		res.Body.Close()
		codes <- res.StatusCode
	}
	go get("ok0")
	if n := <-f.entered; n != 1 {
		t.Fatalf("first batch of %d", n)
	}
	// The first commit is under way; nine more arrive and wait in the queue.
	for k := 1; k < 10; k++ {
		go get(fmt.Sprintf("ok%d", k))
	}
	for deadline := time.Now().Add(5 * time.Second); h.queued() < 9; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d queued, want 9", h.queued())
		}
	}
	closed := make(chan struct{})
	go func() { h.Close(); close(closed) }()
	f.gate <- struct{}{} // the first commit ends
	if n := <-f.entered; n != 9 {
		t.Errorf("second batch of %d, want the 9 queued", n)
	}
	f.gate <- struct{}{}
	<-closed
	if st := h.Stats(); st.Notifications != 10 || st.Batches != 2 {
		t.Errorf("Close returned with %+v, want 10 notifications in 2 commits", st)
	}
	for range 10 {
		if code := <-codes; code != 200 {
			t.Errorf("a notification queued before Close: %d, want 200", code)
		}
	}
	if code, _ := do(t, "GET", srv.URL+"/paybox/ipn?Ref=ok-late", "", nil); code != 503 {
		t.Errorf("after Close: %d, want 503", code)
	}
}
