// Command benchipn is the load generator of the serve benchmark
// (scripts/bench.d/20-serve.sh): Paybox notifications per second through
// `inpctl serve` against a bare net/http handler that only verifies the
// same RSA signature, both fed the same pre-signed notifications.
//
//	benchipn prepare -db DATABASE -n N -now RFC3339 -out FILE
//	    records a hosted-page request (billing.MakePayLink, as pay link
//	    does) for the first N students of a rehearsed year that have
//	    something to pay (fewer when fewer have: after rehearse
//	    --no-charges, the students of an approved 3x or 5x plan), pays
//	    each on the hosted page of the year's sandbox (DATABASE.sandbox,
//	    which it appends to; signed with the sandbox's RSA key) and writes
//	    the notifications, one raw query string a line, to FILE. Nothing
//	    is applied.
//	benchipn verify [-listen ADDR]
//	    serves the bare handler: GET ?QUERY → paybox.VerifyIPN with the
//	    sandbox's public key (the check serve runs before it applies), 200
//	    or 403, nothing else; prints its URL, stops on SIGTERM/SIGINT.
//	benchipn send -url URL [-c K] [-wait URL] [-repeat R] FILE
//	    waits until -wait answers 200, sends every line of FILE as the
//	    query of a GET to URL from K clients at once (keep-alive, as a
//	    proxy would), R times over, fails unless every answer is 200, and prints
//	    "NOTIFICATIONS SECONDS RATE" (RATE per second, wall time).
//
// It imports net/http, which archtest otherwise keeps to the gateway and
// serve packages: it is a benchmark tool, not part of inpctl.
package main

import (
	"bufio"
	"context"
	"crypto/rsa"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/inpctl/inpctl/internal/billing"
	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/config"
	"github.com/inpctl/inpctl/internal/gateway/paybox"
	"github.com/inpctl/inpctl/internal/gateway/sandbox"
	"github.com/inpctl/inpctl/internal/store"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "prepare":
		err = prepare(os.Args[2:])
	case "verify":
		err = verify(os.Args[2:])
	case "send":
		err = send(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchipn:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: benchipn prepare -db DATABASE -n N -now RFC3339 -out FILE | verify [-listen ADDR] | send -url URL [-c K] [-wait URL] [-repeat R] FILE")
	os.Exit(2)
}

// prepare writes n signed notifications of real pay requests of the year.
func prepare(args []string) error {
	fs := flag.NewFlagSet("prepare", flag.ExitOnError)
	dbPath := fs.String("db", "", "the rehearsed database")
	n := fs.Int("n", 1000, "notifications to write")
	nowArg := fs.String("now", "", "the date of the requests (RFC 3339), as INPCTL_NOW")
	out := fs.String("out", "", "file of notifications, one a line")
	_ = fs.Parse(args)
	now, err := time.Parse(time.RFC3339, *nowArg)
	if err != nil || *dbPath == "" || *out == "" {
		return fmt.Errorf("prepare needs -db, -out and -now RFC3339 (%v)", err)
	}
	ctx := context.Background()
	cfg, err := config.Load("", nil) // the built-in config: the sandbox, as make bench runs inpctl
	if err != nil {
		return err
	}
	db, err := store.Open(ctx, *dbPath, clock.Fixed(now), store.MustExist)
	if err != nil {
		return err
	}
	defer db.Close()
	svc, err := service(ctx, cfg, db)
	if err != nil {
		return err
	}
	students, err := db.ListStudents(ctx, store.StudentFilter{})
	if err != nil {
		return err
	}
	key, err := paybox.DecodeKey(sandbox.TestKeyHex)
	if err != nil {
		return err
	}
	lc := paybox.LinkConfig{URL: "http://sandbox.invalid/cgi/MYchoix_pagepaiement.cgi", Site: sandbox.TestSite, Rang: sandbox.TestRang,
		Identifiant: sandbox.TestIdentifiant, Key: key, IPNURL: cfg.Gateway.Paybox.IPNURL, Location: cfg.Location}
	var links []string
	skipped := 0
	for _, st := range students {
		if len(links) == *n {
			break
		}
		pl, err := svc.MakePayLink(ctx, st.ID, lc, now)
		if err != nil {
			skipped++ // nothing to pay, a plan awaiting approval…
			continue
		}
		links = append(links, pl.URL)
	}
	if len(links) == 0 {
		return fmt.Errorf("no student of %s has something to pay on the hosted page", *dbPath)
	}
	raws, err := payLinks(links, *dbPath+".sandbox", now)
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out, []byte(strings.Join(raws, "\n")+"\n"), 0o600); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "benchipn: %d notifications written to %s (%d students skipped: nothing to pay)\n", len(raws), *out, skipped)
	return nil
}

// service is the billing service as inpctl builds it (cli.Env.Service).
func service(ctx context.Context, cfg config.Config, db *store.DB) (*billing.Service, error) {
	cat, err := db.Catalogue(ctx)
	if err != nil {
		return nil, err
	}
	rules, retry, err := cfg.ScheduleRules()
	if err != nil {
		return nil, err
	}
	return &billing.Service{DB: db, Cat: cat, Year: cfg.AcademicYear, Location: cfg.Location, Rules: rules, Retry: retry}, nil
}

// payLinks pays the links on the hosted page of the year's sandbox (its
// journal, state: the transaction numbers follow the year's, so no
// notification looks like a replay of one already applied), on every core
// (the RSA signature is the costly part).
func payLinks(links []string, state string, now time.Time) ([]string, error) {
	sb, err := sandbox.New(sandbox.Options{StatePath: state, Now: func() time.Time { return now }})
	if err != nil {
		return nil, err
	}
	defer sb.Close()
	raws := make([]string, len(links))
	errs := make([]error, len(links))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for k := int(next.Add(1) - 1); k < len(links); k = int(next.Add(1) - 1) {
				raws[k], errs[k] = sb.Pay(links[k], "")
			}
		})
	}
	wg.Wait()
	return raws, errors.Join(errs...)
}

// verify serves the bare verify-only handler until SIGTERM or SIGINT.
func verify(args []string) error {
	fs := flag.NewFlagSet("verify", flag.ExitOnError)
	listen := fs.String("listen", "127.0.0.1:0", "HOST:PORT")
	_ = fs.Parse(args)
	pub, err := paybox.ParsePublicKeyPEM([]byte(sandbox.PublicKeyPEM))
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := paybox.VerifyIPN(r.URL.RawQuery, []*rsa.PublicKey{pub}); err != nil {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	fmt.Printf("http://%s/paybox/ipn\n", ln.Addr())
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	go func() {
		<-ctx.Done()
		_ = srv.Shutdown(context.Background())
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// send sends every notification of the file with k clients and prints the rate.
func send(args []string) error {
	fs := flag.NewFlagSet("send", flag.ExitOnError)
	target := fs.String("url", "", "the notification URL")
	k := fs.Int("c", 8, "concurrent clients")
	wait := fs.String("wait", "", "a URL to poll until it answers 200 (e.g. /healthz)")
	repeat := fs.Int("repeat", 1, "send the file this many times (the bare handler: a run long enough to time)")
	_ = fs.Parse(args)
	if *target == "" || fs.NArg() != 1 || *k < 1 {
		usage()
	}
	once, err := readLines(fs.Arg(0))
	if err != nil {
		return err
	}
	var raws []string
	for range max(*repeat, 1) {
		raws = append(raws, once...)
	}
	hc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: *k, MaxConnsPerHost: *k}}
	if *wait != "" {
		if err := waitOK(hc, *wait); err != nil {
			return err
		}
	}
	var next, bad atomic.Int64
	var first atomic.Value
	var wg sync.WaitGroup
	start := time.Now()
	for range *k {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < len(raws); i = int(next.Add(1) - 1) {
				if err := get(hc, *target+"?"+raws[i]); err != nil {
					bad.Add(1)
					first.CompareAndSwap(nil, err)
				}
			}
		})
	}
	wg.Wait()
	took := time.Since(start).Seconds()
	if n := bad.Load(); n > 0 {
		return fmt.Errorf("%d of %d notifications not answered 200; the first: %v", n, len(raws), first.Load())
	}
	fmt.Printf("%d %.3f %.1f\n", len(raws), took, float64(len(raws))/took)
	return nil
}

func get(hc *http.Client, u string) error {
	res, err := hc.Get(u)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, res.Body)
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", res.StatusCode)
	}
	return nil
}

func waitOK(hc *http.Client, u string) error {
	deadline := time.Now().Add(60 * time.Second)
	for {
		res, err := hc.Get(u)
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not answer 200 within 60 s (%v)", u, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func readLines(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" {
			out = append(out, line)
		}
	}
	return out, sc.Err()
}
