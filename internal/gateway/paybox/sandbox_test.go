package paybox_test

// These tests run the real client against the sandbox. They live in the
// external test package because package sandbox imports paybox.

import (
	"context"
	"crypto/rsa"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/inpctl/inpctl/internal/gateway"
	"github.com/inpctl/inpctl/internal/gateway/paybox"
	"github.com/inpctl/inpctl/internal/gateway/sandbox"
	"github.com/inpctl/inpctl/internal/money"
)

var testNow = paybox.FixedNow

func payboxKey(t testing.TB) *rsa.PublicKey {
	t.Helper()
	k, err := paybox.ParsePublicKeyPEM([]byte(paybox.PayboxPublicKeyPEM))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// rig is a client wired to a sandbox.
type rig struct {
	c   *paybox.Client
	sbx *sandbox.Sandbox
	nq  atomic.Int64
}

func (r *rig) next() int64 { return r.nq.Add(1) }

// newRig serves a sandbox over httptest (or in-process if inProcess) and
// returns a client for it.
func newRig(t testing.TB, opt sandbox.Options, inProcess bool, mod func(*paybox.Config)) *rig {
	t.Helper()
	if opt.Now == nil {
		opt.Now = func() time.Time { return testNow }
	}
	sbx, err := sandbox.New(opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sbx.Close() })
	cfg := paybox.NewTestConfig()
	if inProcess {
		cfg.URLs = []string{"http://sandbox.invalid/PPPS.php"}
		cfg.HTTP = &http.Client{Transport: sandbox.InProcessTransport(sbx)}
	} else {
		srv := httptest.NewServer(sbx)
		t.Cleanup(srv.Close)
		cfg.URLs = []string{srv.URL}
	}
	if mod != nil {
		mod(&cfg)
	}
	return &rig{c: paybox.New(cfg), sbx: sbx}
}

func (r *rig) register(t testing.TB, refab, card string) gateway.Result {
	t.Helper()
	res, err := r.c.Register(context.Background(), gateway.RegisterRequest{RefAbonne: refab, NumQuestion: r.next(),
		Amount: 100, PAN: card, DateVal: "1229", CVV: "123", When: testNow})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func (r *rig) charge(t testing.TB, reg gateway.Result, refab, ref string, amt money.Cents) gateway.Result {
	t.Helper()
	res, err := r.c.Charge(context.Background(), gateway.ChargeRequest{Reference: ref, NumQuestion: r.next(), Amount: amt,
		RefAbonne: refab, Token: reg.Token, DateVal: reg.DateVal, Recurring: true, When: testNow})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func (r *rig) lookup(t testing.TB, ref string, amt money.Cents) gateway.Result {
	t.Helper()
	res, err := r.c.Lookup(context.Background(), gateway.LookupRequest{Reference: ref, NumQuestion: r.next(), Amount: amt, When: testNow})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func want(t testing.TB, what string, res gateway.Result, out gateway.Outcome, code string, hard bool) {
	t.Helper()
	if res.Outcome != out || res.Code != code || res.Hard != hard {
		t.Fatalf("%s: got %v code=%q hard=%v (%s %s), want %v code=%q hard=%v",
			what, res.Outcome, res.Code, res.Hard, res.Text, res.Detail, out, code, hard)
	}
}

func TestClientEveryType(t *testing.T) {
	for _, inProcess := range []bool{false, true} {
		r := newRig(t, sandbox.Options{}, inProcess, nil)
		reg := r.register(t, "S1", sandbox.CardOK)
		want(t, "register", reg, gateway.Approved, "00000", false)
		if len(reg.Token) != 11 || strings.Trim(reg.Token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") != "" || reg.DateVal != "1229" {
			t.Fatalf("token %q dateval %q", reg.Token, reg.DateVal)
		}
		want(t, "register again", r.register(t, "S1", sandbox.CardOK), gateway.Declined, "00016", true)

		ch := r.charge(t, reg, "S1", "INV-1-1", 61800)
		want(t, "charge", ch, gateway.Approved, "00000", false)
		if len(ch.NumTrans) != 10 || len(ch.NumAppel) != 10 || ch.Authorisation != "XXXXXX" || ch.Text != "Demande traitée avec succès" {
			t.Fatalf("charge result %+v", ch)
		}
		lk := r.lookup(t, "INV-1-1", 61800)
		want(t, "lookup", lk, gateway.Approved, "00000", false)
		if lk.NumTrans != ch.NumTrans || lk.NumAppel != ch.NumAppel {
			t.Fatalf("lookup found %s/%s, charge was %s/%s", lk.NumTrans, lk.NumAppel, ch.NumTrans, ch.NumAppel)
		}
		if nf := r.lookup(t, "INV-1-1", 61801); !nf.NotFound() {
			t.Fatalf("lookup of another amount: %+v", nf)
		}
		if nf := r.lookup(t, "INV-404", 61800); !nf.NotFound() || nf.Hard != true {
			t.Fatalf("lookup of another reference: %+v", nf)
		}

		refund := func(amt money.Cents) gateway.Result {
			res, err := r.c.Refund(context.Background(), gateway.RefundRequest{Reference: "AV-1", NumQuestion: r.next(),
				Amount: amt, NumTrans: ch.NumTrans, NumAppel: ch.NumAppel, When: testNow})
			if err != nil {
				t.Fatal(err)
			}
			return res
		}
		want(t, "refund part", refund(10000), gateway.Approved, "00000", false)
		want(t, "refund too much", refund(51801), gateway.Unavailable, "00011", false)
		want(t, "refund rest", refund(51800), gateway.Approved, "00000", false)
		if recs := r.sbx.Records(); len(recs) != 1 || recs[0].Refunded != 61800 || recs[0].Reference != "INV-1-1" || recs[0].Type != sandbox.TypeCharge {
			t.Fatalf("records %+v", recs)
		}

		del := func() gateway.Result {
			res, err := r.c.Delete(context.Background(), "S1", r.next(), testNow)
			if err != nil {
				t.Fatal(err)
			}
			return res
		}
		want(t, "delete", del(), gateway.Approved, "00000", false)
		want(t, "delete again", del(), gateway.Declined, "00017", true)
		want(t, "charge deleted", r.charge(t, reg, "S1", "INV-1-2", 61800), gateway.Declined, "00017", true)
	}
}

func TestClientRegisterRefusals(t *testing.T) {
	r := newRig(t, sandbox.Options{}, false, nil)
	want(t, "invalid PAN", r.register(t, "S1", sandbox.CardInvalid), gateway.Declined, "00004", true)
	res, err := r.c.Register(context.Background(), gateway.RegisterRequest{RefAbonne: "S2", NumQuestion: r.next(),
		Amount: 100, PAN: sandbox.CardOK, DateVal: "0101", When: testNow})
	if err != nil {
		t.Fatal(err)
	}
	want(t, "past expiry", res, gateway.Declined, "00008", true)
	want(t, "unknown subscriber", r.charge(t, gateway.Result{Token: "ABCDEFGHIJK", DateVal: "1229"}, "NOBODY", "R", 100),
		gateway.Declined, "00017", true)
}

// TestClientUpdateCard (issue 18): TYPE 00057 through the client gives a
// subscriber a new card: a new token that charges with the new card's
// behaviour, the old token refused; an unknown subscriber is 00017.
func TestClientUpdateCard(t *testing.T) {
	for _, inProcess := range []bool{false, true} {
		r := newRig(t, sandbox.Options{}, inProcess, nil)
		reg := r.register(t, "S1", sandbox.CardOK)
		update := func(refab, card string) gateway.Result {
			res, err := r.c.UpdateCard(context.Background(), gateway.RegisterRequest{RefAbonne: refab, NumQuestion: r.next(),
				Amount: 100, PAN: card, DateVal: "1130", CVV: "123", When: testNow})
			if err != nil {
				t.Fatal(err)
			}
			return res
		}
		want(t, "unknown subscriber", update("NOBODY", sandbox.CardOK), gateway.Declined, "00017", true)
		want(t, "invalid card", update("S1", sandbox.CardInvalid), gateway.Declined, "00004", true)
		upd := update("S1", sandbox.CardSoftAlways)
		want(t, "update", upd, gateway.Approved, "00000", false)
		if upd.Token == reg.Token || len(upd.Token) != 11 || upd.DateVal != "1130" {
			t.Fatalf("update %+v after registration %+v", upd, reg)
		}
		want(t, "old token", r.charge(t, reg, "S1", "INV-1", 100), gateway.Declined, "00004", true)
		want(t, "new card", r.charge(t, upd, "S1", "INV-2", 100), gateway.Declined, "00151", false)
	}
}
