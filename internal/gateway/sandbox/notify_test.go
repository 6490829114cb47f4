package sandbox

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestNotifyRetriesUntil200: the hosted page calls PBX_REPONDRE_A (a real
// HTTP server on loopback) with a GET whose query is the signed
// notification; the server answers 500 twice then 200: three calls, each
// signature verifies over the raw query as received, the back-off doubles.
func TestNotifyRetriesUntil200(t *testing.T) {
	var calls atomic.Int32
	var mu sync.Mutex
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.Method+" "+r.URL.Path+" "+r.URL.RawQuery)
		mu.Unlock()
		if calls.Add(1) <= 2 {
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	defer srv.Close()
	var slept []time.Duration
	x := newTB(t, Options{Hosted: HostedOptions{Notify: srv.Client(), Sleep: func(d time.Duration) { slept = append(slept, d) }}})
	body, err := x.Pay(hostedLink(t, "IPN-1", "PBX_REFABONNE", "AB1", "PBX_REPONDRE_A", srv.URL+"/paybox/ipn"), "")
	if err != nil {
		t.Fatal(err)
	}
	ds, all := x.WaitNotify(5 * time.Second)
	if !all || len(ds) != 1 || !ds[0].Delivered || ds[0].Tries != 3 || calls.Load() != 3 {
		t.Fatalf("deliveries %+v (all %v), calls %d", ds, all, calls.Load())
	}
	if len(slept) != 2 || slept[0] != DefaultNotifyBackoff || slept[1] != 2*DefaultNotifyBackoff {
		t.Fatalf("back-off %v", slept)
	}
	for _, g := range got {
		want := "GET /paybox/ipn " + body
		if g != want {
			t.Fatalf("call\n%s\nwant\n%s", g, want)
		}
		q := g[len("GET /paybox/ipn "):]
		if v := verify(t, q); v.Get("Erreur") != "00000" || v.Get("Ref") != "IPN-1" {
			t.Fatalf("%v", v)
		}
	}
}

// TestNotifyBounded: a server that never answers 200 is called
// MaxNotifyTries times (the back-off capped at 30 s); a refused payment
// is notified too; without Notify, or without PBX_REPONDRE_A, nobody is
// called.
func TestNotifyBounded(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		http.Error(w, "down", http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	var slept []time.Duration
	x := newTB(t, Options{Hosted: HostedOptions{Notify: srv.Client(), Sleep: func(d time.Duration) { slept = append(slept, d) }}})
	if _, err := x.Pay(hostedLink(t, "IPN-2", "PBX_REPONDRE_A", srv.URL+"/ipn"), CardInvalid); err != nil {
		t.Fatal(err)
	}
	ds, _ := x.WaitNotify(5 * time.Second)
	if len(ds) != 1 || ds[0].Delivered || ds[0].Tries != MaxNotifyTries || calls.Load() != MaxNotifyTries {
		t.Fatalf("deliveries %+v, calls %d", ds, calls.Load())
	}
	want := []time.Duration{1, 2, 4, 8, 16, 30, 30}
	for i := range want {
		if i >= len(slept) || slept[i] != want[i]*time.Second {
			t.Fatalf("back-off %v", slept)
		}
	}
	calls.Store(0)
	y := newTB(t, Options{})
	if _, err := y.Pay(hostedLink(t, "IPN-3", "PBX_REPONDRE_A", srv.URL+"/ipn"), ""); err != nil {
		t.Fatal(err)
	}
	if _, err := x.Pay(hostedLink(t, "IPN-4"), ""); err != nil {
		t.Fatal(err)
	}
	if ds, _ := y.WaitNotify(time.Second); len(ds) != 0 || calls.Load() != 0 {
		t.Fatalf("called without Notify or PBX_REPONDRE_A: %+v %d", ds, calls.Load())
	}
}

// TestNotifyDoesNotBlock: Pay answers while the merchant's server is still
// busy with the call; WaitNotify waits for it, or gives up at its timeout.
func TestNotifyDoesNotBlock(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release }))
	defer srv.Close()
	x := newTB(t, Options{Hosted: HostedOptions{Notify: srv.Client()}})
	done := make(chan error, 1)
	go func() {
		_, err := x.Pay(hostedLink(t, "IPN-5", "PBX_REPONDRE_A", srv.URL+"/ipn"), "")
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Pay waited for PBX_REPONDRE_A")
	}
	if _, all := x.WaitNotify(50 * time.Millisecond); all {
		t.Fatal("WaitNotify did not time out")
	}
	close(release)
	if ds, all := x.WaitNotify(5 * time.Second); !all || len(ds) != 1 || !ds[0].Delivered || ds[0].Tries != 1 {
		t.Fatalf("%+v %v", ds, all)
	}
}
