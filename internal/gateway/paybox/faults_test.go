package paybox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/inpctl/inpctl/internal/gateway"
)

// answer writes a Direct answer echoing the request's NUMQUESTION.
func answer(w http.ResponseWriter, r *http.Request, code string) {
	_ = r.ParseForm()
	fmt.Fprintf(w, "NUMTRANS=0000000001&NUMAPPEL=0000000002&NUMQUESTION=%s&SITE=1999888&RANG=32&AUTORISATION=XXXXXX&CODEREPONSE=%s&COMMENTAIRE=x&REFABONNE=&PORTEUR=",
		r.PostForm.Get("NUMQUESTION"), code)
}

// server serves h and counts the requests it got.
func server(t *testing.T, h http.HandlerFunc) (string, *atomic.Int64) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/PPPS.php", &n
}

// refusedURL is a loopback URL nobody listens on.
func refusedURL(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr + "/PPPS.php"
}

func doCharge(t *testing.T, cfg Config) gateway.Result {
	t.Helper()
	res, err := New(cfg).Charge(context.Background(), gateway.ChargeRequest{Reference: "R", NumQuestion: 42, Amount: 100,
		RefAbonne: "S", Token: "ABCDEFGHIJK", DateVal: "1229", Recurring: true, When: testNow})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func doLookup(t *testing.T, cfg Config) gateway.Result {
	t.Helper()
	res, err := New(cfg).Lookup(context.Background(), gateway.LookupRequest{Reference: "R", NumQuestion: 43, Amount: 100, When: testNow})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestChargeFaults(t *testing.T) {
	cases := []struct {
		name string
		h    http.HandlerFunc
		out  gateway.Outcome
	}{
		{"timeout", func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			select {
			case <-time.After(2 * time.Second):
			case <-r.Context().Done():
			}
		}, gateway.Unknown},
		{"drop after body", func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			panic(http.ErrAbortHandler)
		}, gateway.Unknown},
		{"hijack and close", func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close()
		}, gateway.Unknown},
		{"wrong NUMQUESTION", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, "NUMTRANS=0000000001&NUMAPPEL=0000000002&NUMQUESTION=0000000999&CODEREPONSE=00000&COMMENTAIRE=ok")
		}, gateway.Unknown},
		{"HTTP 500", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "boom", 500) }, gateway.Unknown},
		{"HTTP 503", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "busy", http.StatusServiceUnavailable) }, gateway.Unknown},
		{"garbage", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "<html><body>Erreur</body></html>") }, gateway.Unknown},
		{"empty", func(w http.ResponseWriter, r *http.Request) {}, gateway.Unknown},
		{"cut answer", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "500")
			fmt.Fprint(w, "NUMTRANS=0000000001&NUMAPP")
		}, gateway.Unknown},
		{"00001", func(w http.ResponseWriter, r *http.Request) { answer(w, r, "00001") }, gateway.Unknown},
		{"00097", func(w http.ResponseWriter, r *http.Request) { answer(w, r, "00097") }, gateway.Unknown},
		{"HTTP 404", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) }, gateway.Unavailable},
		{"redirect", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/elsewhere", http.StatusFound) }, gateway.Unavailable},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			primary, _ := server(t, c.h)
			backup, hits := server(t, func(w http.ResponseWriter, r *http.Request) { answer(w, r, "00000") })
			cfg := testConfig(primary, backup)
			cfg.Timeout = 200 * time.Millisecond
			res := doCharge(t, cfg)
			if res.Outcome != c.out {
				t.Fatalf("outcome %v (%s), want %v", res.Outcome, res.Detail, c.out)
			}
			if hits.Load() != 0 {
				t.Fatal("a charge the primary may have received went to the backup")
			}
			// A lookup may go to the backup on any doubtful answer.
			if lk := doLookup(t, cfg); c.out == gateway.Unknown && lk.Outcome != gateway.Approved {
				t.Fatalf("lookup did not fail over: %+v", lk)
			}
		})
	}
}

func TestChargeFailsOverWhenNeverSent(t *testing.T) {
	backup, hits := server(t, func(w http.ResponseWriter, r *http.Request) { answer(w, r, "00000") })
	res := doCharge(t, testConfig(refusedURL(t), backup))
	if res.Outcome != gateway.Approved || hits.Load() != 1 {
		t.Fatalf("refused primary: %+v, backup hits %d", res, hits.Load())
	}
	res = doCharge(t, testConfig(refusedURL(t)))
	if res.Outcome != gateway.Unavailable || res.Detail == "" {
		t.Fatalf("refused, no backup: %+v", res)
	}
	// A DNS failure, through a custom dialer.
	cfg := testConfig("http://ppps.example.invalid/PPPS.php", backup)
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		if addr == "ppps.example.invalid:80" {
			return nil, &net.OpError{Op: "dial", Net: network, Err: &net.DNSError{Err: "no such host", Name: "ppps.example.invalid", IsNotFound: true}}
		}
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}}
	cfg.HTTP = &http.Client{Transport: tr}
	if res := doCharge(t, cfg); res.Outcome != gateway.Approved || hits.Load() != 2 {
		t.Fatalf("DNS failure: %+v", res)
	}
}

// A custom RoundTripper that does not report connections: only a dial
// error proves the request was not sent.
type failingRT struct{ err error }

func (f failingRT) RoundTrip(*http.Request) (*http.Response, error) { return nil, f.err }

func TestCustomTransportErrors(t *testing.T) {
	cfg := testConfig("https://ppps.example/PPPS.php")
	cfg.HTTP = &http.Client{Transport: failingRT{errors.New("connection reset by peer")}}
	if res := doCharge(t, cfg); res.Outcome != gateway.Unknown {
		t.Fatalf("unknown error from a custom transport: %v", res.Outcome)
	}
	cfg.HTTP = &http.Client{Transport: failingRT{&net.OpError{Op: "dial", Err: errors.New("connection refused")}}}
	if res := doCharge(t, cfg); res.Outcome != gateway.Unavailable {
		t.Fatalf("dial error: %v", res.Outcome)
	}
	cfg.HTTP = &http.Client{Transport: failingRT{&url.Error{Op: "Post", URL: "x", Err: context.DeadlineExceeded}}}
	if res := doLookup(t, cfg); res.Outcome != gateway.Unavailable {
		t.Fatalf("a lookup is never Unknown: %v", res.Outcome)
	}
}

func TestLookupFailover(t *testing.T) {
	for _, code := range []string{"00001", "00097", "00098"} {
		primary, _ := server(t, func(w http.ResponseWriter, r *http.Request) { answer(w, r, code) })
		backup, hits := server(t, func(w http.ResponseWriter, r *http.Request) { answer(w, r, "00018") })
		if res := doLookup(t, testConfig(primary, backup)); !res.NotFound() || hits.Load() != 1 {
			t.Fatalf("%s: %+v", code, res)
		}
		// Without a backup the lookup is Unavailable, with the code kept.
		if res := doLookup(t, testConfig(primary)); res.Outcome != gateway.Unavailable || res.Code != code {
			t.Fatalf("%s without backup: %+v", code, res)
		}
	}
	// A lookup refused for a reason of ours is not "not found".
	primary, _ := server(t, func(w http.ResponseWriter, r *http.Request) { answer(w, r, "00006") })
	if res := doLookup(t, testConfig(primary)); res.Outcome != gateway.Unavailable || res.NotFound() {
		t.Fatalf("00006 lookup: %+v", res)
	}
}

func TestDeleteFailoverKeepsUnknown(t *testing.T) {
	primary, _ := server(t, func(w http.ResponseWriter, r *http.Request) { http.Error(w, "boom", http.StatusBadGateway) })
	cfg := testConfig(primary, refusedURL(t))
	res, err := New(cfg).Delete(context.Background(), "S", 7, testNow)
	if err != nil || res.Outcome != gateway.Unknown {
		t.Fatalf("primary may have deleted, backup refused: %+v %v", res, err)
	}
}

func TestLatin1Answer(t *testing.T) {
	u, _ := server(t, func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		w.Write([]byte("NUMTRANS=0000000001&NUMAPPEL=0000000002&NUMQUESTION=" + r.PostForm.Get("NUMQUESTION") +
			"&SITE=1999888&RANG=32&AUTORISATION=XXXXXX&CODEREPONSE=00000&COMMENTAIRE=Demande trait\xe9e avec succ\xe8s&REFABONNE=S&PORTEUR=SLDLrcsLMPC        \r\n"))
	})
	res := doCharge(t, testConfig(u))
	if res.Outcome != gateway.Approved || res.Text != "Demande traitée avec succès" || res.Token != "SLDLrcsLMPC" {
		t.Fatalf("%+v", res)
	}
}
