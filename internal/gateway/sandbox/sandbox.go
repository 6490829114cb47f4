// Package sandbox is a Paybox simulator: an http.Handler that speaks the
// Paybox Direct Plus protocol on /PPPS.php and the hosted payment page on
// /cgi/MYchoix_pagepaiement.cgi, with Paybox's test cards, its own test
// cards for declines and lost answers, fault injection and a persistent
// journal. docs/sandbox.md describes its behaviour.
//
// The sandbox shares no protocol code with package paybox on purpose: it
// is a second, independent reading of docs/paybox.md, so a client bug is
// not mirrored here. It imports gateway, money, clock, fault and the
// standard library; paybox only to wire the real client to an in-process
// sandbox (NewInProcess). It keeps card behaviours, never card numbers.
package sandbox

import (
	"bytes"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"
)

// The Paybox public pre-production test account (docs/paybox.md §4.1),
// the first of the accounts the sandbox accepts by default
// (PreprodAccounts).
const (
	TestSite        = "1999888"
	TestRang        = "32"
	TestIdentifiant = "107904482"
	TestKeyHex      = "0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF" +
		"0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF"
	TestCLE = "1999888I"
)

// DefaultSlowDelay is how long CardSlow takes to answer.
const DefaultSlowDelay = 2 * time.Second

// Options configures a Sandbox. The zero value is a memory-only sandbox
// for the public pre-production accounts (PreprodAccounts), without faults.
type Options struct {
	StatePath string        // journal file; "" keeps the state in memory only
	Latency   time.Duration // added before every Direct answer
	// DropRate is the share of charges/refunds (TYPE 00053, 00014) that
	// act, are recorded, and then lose their answer (connection closed).
	DropRate float64
	// FailRate is the share of charges/refunds answered 00001 or 00097
	// without acting.
	FailRate float64
	Seed     int64            // seeds the fault draws: same seed, same faults
	Now      func() time.Time // the sandbox's clock (time.Now if nil)
	// Accounts are the merchant accounts accepted. With none, and none of
	// the single-account fields below, the sandbox accepts the
	// pre-production accounts (PreprodAccounts).
	Accounts []Account
	// Site, Rang, Identifiant and Key (decoded HMAC key) of one account,
	// accepted before Accounts; Site "" with a Key or CLE means the Paybox
	// test account with that key or CLE.
	Site, Rang, Identifiant string
	Key                     []byte
	// CLE is accepted instead of an HMAC; empty means "1999888I" for the
	// test account and no CLE otherwise.
	CLE string
	// SlowDelay is how long CardSlow waits before answering (2 s if zero).
	SlowDelay time.Duration
	// Hosted configures the hosted page.
	Hosted HostedOptions
}

// Sandbox is the simulator. It is an http.Handler, safe for concurrent
// requests.
type Sandbox struct {
	opt     Options
	loc     *time.Location
	signer  *rsa.PrivateKey
	accts   []Account  // accepted accounts (accountsOf); opt's single-account fields are the first
	macs    *macs      // HMAC states of opt.Key
	mu      sync.Mutex // guards st, rng and journal writes (see lock)
	st      *state
	notif   notifier // calls of PBX_REPONDRE_A under way and done
	rng     *rand.Rand
	journal *os.File
	off     int64         // bytes of the journal applied to st
	line    bytes.Buffer  // the journal line being written
	enc     *json.Encoder // encodes into line
}

// New returns a sandbox, replaying opt.StatePath if it exists.
func New(opt Options) (*Sandbox, error) {
	accts := accountsOf(opt)
	first := accts[0]
	opt.Site, opt.Rang, opt.Identifiant, opt.Key, opt.CLE = first.Site, first.Rang, first.Identifiant, first.Key, first.CLE
	if first.macs == nil { // a CLE-only first account: keep a key for opt
		opt.Key, first.macs = testKey128, newMACs(testKey128)
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.SlowDelay <= 0 {
		opt.SlowDelay = DefaultSlowDelay
	}
	signer, err := signingKey()
	if err != nil {
		return nil, err
	}
	s := &Sandbox{opt: opt, accts: accts, loc: paris(), signer: signer, macs: first.macs, st: newState(),
		rng: rand.New(rand.NewPCG(uint64(opt.Seed), 0x5ba4d0b0))}
	s.enc = json.NewEncoder(&s.line)
	if opt.StatePath != "" {
		if s.journal, s.off, err = openJournal(opt.StatePath, s.st); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Close closes the journal.
func (s *Sandbox) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.journal == nil {
		return nil
	}
	err := s.journal.Close()
	s.journal = nil
	return err
}

// Account returns the accepted account of site, rang (compared as numbers)
// and identifiant ("" when the request has none): the first one that
// verify accepts, or, with a nil verify, the first that matches. Direct
// (/PPPS.php) uses it with an HMAC or CLE check as verify; the hosted page
// can do the same with PBX_HMAC. ok is false when no account matches, or
// none passes verify.
func (s *Sandbox) Account(site, rang, identifiant string, verify func(Account) bool) (Account, bool) {
	for _, a := range s.accts {
		if a.matches(site, rang, identifiant) && (verify == nil || verify(a)) {
			return a, true
		}
	}
	return Account{}, false
}

// ServeHTTP serves /PPPS.php (Direct), /cgi/MYchoix_pagepaiement.cgi and
// /php/ (hosted page) and /load.html (health probe). Paths may have a
// prefix, so the sandbox can be mounted anywhere.
func (s *Sandbox) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case strings.HasSuffix(p, "/PPPS.php"):
		s.serveDirect(w, r)
	case strings.HasSuffix(p, "/MYchoix_pagepaiement.cgi") || strings.HasSuffix(p, "/php/") || strings.HasSuffix(p, "/php"):
		s.serveHosted(w, r)
	case strings.HasSuffix(p, "/load.html"):
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, "<!DOCTYPE html><html><body><div id=\"server_status\">OK</div></body></html>\n")
	default:
		http.NotFound(w, r)
	}
}

// now is the sandbox time in Paris.
func (s *Sandbox) now() time.Time { return s.opt.Now().In(s.loc) }

// paris returns Europe/Paris, or UTC when the system has no zone database.
func paris() *time.Location {
	if loc, err := time.LoadLocation("Europe/Paris"); err == nil {
		return loc
	}
	return time.UTC
}

// sleep waits d or until the request is abandoned.
func sleep(r *http.Request, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
	}
}
