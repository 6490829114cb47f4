package paybox_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/inpctl/inpctl/internal/gateway"
	"github.com/inpctl/inpctl/internal/gateway/paybox"
	"github.com/inpctl/inpctl/internal/gateway/sandbox"
)

// The two benchmarks measure the same exchange shape over loopback: the real
// client charging a registered card on the sandbox (with its journal), and a
// bare net/http form POST of the same size to a handler that only answers.
// Their ratio is the cost of the protocol (HMAC, checks, state, journal).

func BenchmarkSandboxRoundTrip(b *testing.B) {
	r := newRig(b, sandbox.Options{StatePath: filepath.Join(b.TempDir(), "sandbox.jsonl")}, false, nil)
	reg := r.register(b, "BENCH", sandbox.CardOK)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		res, err := r.c.Charge(context.Background(), gateway.ChargeRequest{Reference: fmt.Sprintf("BENCH-%d", i),
			NumQuestion: r.next(), Amount: 61800, RefAbonne: "BENCH", Token: reg.Token, DateVal: reg.DateVal,
			Recurring: true, When: testNow})
		if err != nil || res.Outcome != gateway.Approved {
			b.Fatalf("%+v %v", res, err)
		}
	}
}

func BenchmarkRawFormPost(b *testing.B) {
	reqSize, answer := exchangeSizes(b)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		io.WriteString(w, answer)
	}))
	defer srv.Close()
	body := "A=" + strings.Repeat("x", reqSize-2)
	hc := &http.Client{}
	b.ReportAllocs()
	for b.Loop() {
		resp, err := hc.Post(srv.URL+"/PPPS.php", "application/x-www-form-urlencoded", strings.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}

// exchangeSizes returns the size of a real charge request and a real
// sandbox answer.
func exchangeSizes(b *testing.B) (int, string) {
	sbx, err := sandbox.New(sandbox.Options{Now: func() time.Time { return testNow }})
	if err != nil {
		b.Fatal(err)
	}
	var size int
	var answer string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		size = len(body)
		rec := httptest.NewRecorder()
		r.Body = io.NopCloser(strings.NewReader(string(body)))
		sbx.ServeHTTP(rec, r)
		answer = rec.Body.String()
		w.Write(rec.Body.Bytes())
	}))
	defer srv.Close()
	cfg := paybox.NewTestConfig(srv.URL)
	c := paybox.New(cfg)
	reg, _ := c.Register(context.Background(), gateway.RegisterRequest{RefAbonne: "S", NumQuestion: 1, Amount: 100,
		PAN: sandbox.CardOK, DateVal: "1229", When: testNow})
	if _, err := c.Charge(context.Background(), gateway.ChargeRequest{Reference: "BENCH-0", NumQuestion: 2, Amount: 61800,
		RefAbonne: "S", Token: reg.Token, DateVal: reg.DateVal, Recurring: true, When: testNow}); err != nil || size == 0 {
		b.Fatal(err)
	}
	return size, answer
}
