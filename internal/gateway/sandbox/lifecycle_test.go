package sandbox

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// pay makes a Direct payment on CardOK: TYPE 00001 (authorization) or
// 00003 (authorization and capture).
func (x *tb) pay(typ, ref string, amt int) map[string]string {
	return x.do(typ, "MONTANT", fmt.Sprintf("%010d", amt), "DEVISE", "978", "REFERENCE", ref,
		"PORTEUR", CardOK, "DATEVAL", "1229", "CVV", "123", "ACTIVITE", "024")
}

// on sends TYPE typ on the transaction of answer m (its NUMTRANS and
// NUMAPPEL) for amt cents.
func (x *tb) on(typ string, m map[string]string, amt int, kv ...string) map[string]string {
	return x.do(typ, append([]string{"MONTANT", fmt.Sprintf("%010d", amt), "DEVISE", "978",
		"NUMAPPEL", m["NUMAPPEL"], "NUMTRANS", m["NUMTRANS"]}, kv...)...)
}

func (x *tb) consult(m map[string]string) map[string]string {
	return x.do(typeConsult, "NUMTRANS", m["NUMTRANS"], "NUMAPPEL", m["NUMAPPEL"])
}

func status(t *testing.T, what string, m map[string]string, wantStatus, wantRemise string) {
	t.Helper()
	code(t, what, m, "00000")
	if m["STATUS"] != latin1String(wantStatus) || m["REMISE"] != wantRemise {
		t.Fatalf("%s: STATUS=%q REMISE=%q, want %q %q", what, m["STATUS"], m["REMISE"], wantStatus, wantRemise)
	}
}

// latin1String is s as parseAnswer gives it back: its Latin-1 bytes, one
// rune each.
func latin1String(s string) string { return latin1ToUTF8(latin1(s)) }

// TestCaptureAuthorization: TYPE 00002 captures an authorization (00001)
// once, for at most its amount; the capture is a payment of its own, which
// a lookup finds and a refund refunds. The authorization alone moves no
// money.
func TestCaptureAuthorization(t *testing.T) {
	x := newTB(t, Options{})
	auth := x.pay(typeAuth, "A1", 1000)
	code(t, "authorization", auth, "00000")
	if n := len(x.Records()); n != 0 {
		t.Fatalf("an authorization is not a payment: %d records", n)
	}
	code(t, "lookup of an authorization", x.lookup("A1", 1000), "00018")
	code(t, "more than authorized", x.on(typeCapture, auth, 1001), "00011")
	code(t, "no amount", x.on(typeCapture, auth, 0), "00011")
	code(t, "wrong NUMAPPEL", x.do(typeCapture, "MONTANT", "800", "NUMAPPEL", "1000000099", "NUMTRANS", auth["NUMTRANS"]), "00018")
	code(t, "NUMTRANS not a number", x.do(typeCapture, "MONTANT", "800", "NUMAPPEL", auth["NUMAPPEL"], "NUMTRANS", "X1"), "00014")
	paid := x.pay(typeAuthCapt, "P1", 500)
	code(t, "capture of a payment", x.on(typeCapture, paid, 500), "00018")

	capt := x.on(typeCapture, auth, 800)
	code(t, "capture", capt, "00000")
	if capt["NUMTRANS"] == auth["NUMTRANS"] || capt["AUTORISATION"] != "XXXXXX" {
		t.Fatalf("capture %v of authorization %v", capt, auth)
	}
	code(t, "second capture", x.on(typeCapture, auth, 100), "00015")
	recs := x.Records()
	if len(recs) != 2 || recs[1].Type != TypeCapture || recs[1].Amount != 800 || recs[1].Reference != "A1" || recs[1].NumTrans != capt["NUMTRANS"] {
		t.Fatalf("records %+v", recs)
	}
	lk := x.lookup("A1", 800)
	if code(t, "lookup of the capture", lk, "00000"); lk["NUMTRANS"] != capt["NUMTRANS"] {
		t.Fatalf("lookup %v, capture %v", lk, capt)
	}
	code(t, "refund of the capture", x.on(typeRefund, capt, 800), "00000")

	// A capture sent with its own REFERENCE is found under it.
	auth2 := x.pay(typeAuth, "A2", 300)
	code(t, "capture with a reference", x.on(typeCapture, auth2, 300, "REFERENCE", "A2-CAPT"), "00000")
	code(t, "lookup under the capture's reference", x.lookup("A2-CAPT", 300), "00000")
}

// TestCancel: TYPE 00005 voids a payment or an authorization for its whole
// amount, the same day only, once; a voided payment is not found, not
// refunded, not exported.
func TestCancel(t *testing.T) {
	x := newTB(t, Options{})
	p1 := x.pay(typeAuthCapt, "P1", 1000)
	code(t, "part of the amount", x.on(typeCancel, p1, 999), "00011")
	c := x.on(typeCancel, p1, 1000)
	code(t, "cancel", c, "00000")
	if c["NUMTRANS"] != p1["NUMTRANS"] || c["AUTORISATION"] != "" {
		t.Fatalf("cancel answer %v for %v", c, p1)
	}
	code(t, "cancel again", x.on(typeCancel, p1, 1000), "00015")
	code(t, "lookup of a cancelled payment", x.lookup("P1", 1000), "00018")
	code(t, "refund of a cancelled payment", x.on(typeRefund, p1, 100), "00015")
	if recs := x.Records(); len(recs) != 1 || !recs[0].Cancelled {
		t.Fatalf("records %+v", recs)
	}
	var exp bytes.Buffer
	if err := x.Export(&exp, ExportLayout{Separator: ';', Reference: "Reference"}); err != nil || strings.Contains(exp.String(), "P1") {
		t.Fatalf("export lists a cancelled payment: %q %v", exp.String(), err)
	}

	auth := x.pay(typeAuth, "A1", 500)
	code(t, "cancel an authorization", x.on(typeCancel, auth, 500), "00000")
	code(t, "capture a cancelled authorization", x.on(typeCapture, auth, 500), "00015")
	auth2 := x.pay(typeAuth, "A2", 500)
	code(t, "capture", x.on(typeCapture, auth2, 500), "00000")
	code(t, "cancel a captured authorization", x.on(typeCancel, auth2, 500), "00015")

	p2 := x.pay(typeAuthCapt, "P2", 1000)
	code(t, "partial refund", x.on(typeRefund, p2, 100), "00000")
	code(t, "cancel a refunded payment", x.on(typeCancel, p2, 1000), "00015")
	code(t, "unknown", x.do(typeCancel, "MONTANT", "100", "NUMAPPEL", "1000000777", "NUMTRANS", "0000000777"), "00018")

	p3 := x.pay(typeAuthCapt, "P3", 1000)
	x.setNow(day1.AddDate(0, 0, 1))
	code(t, "cancel after settlement", x.on(typeCancel, p3, 1000), "00015")
	code(t, "refund after settlement", x.on(typeRefund, p3, 1000), "00000")
}

// TestConsult: TYPE 00017 gives a transaction's STATUS, and its REMISE
// once settled (the day after); no AUTORISATION.
func TestConsult(t *testing.T) {
	x := newTB(t, Options{})
	auth := x.pay(typeAuth, "A1", 1000)
	status(t, "authorization", x.consult(auth), statusAuthorized, "")
	capt := x.on(typeCapture, auth, 1000)
	status(t, "captured authorization", x.consult(auth), statusCaptured, "")
	status(t, "capture", x.consult(capt), statusCaptured, "")
	paid := x.pay(typeAuthCapt, "P1", 600)
	refund := x.on(typeRefund, paid, 600)
	status(t, "refunded", x.consult(paid), statusRefunded, "")
	status(t, "the refund", x.consult(refund), statusRefunded, "")
	part := x.pay(typeAuthCapt, "P2", 600)
	x.on(typeRefund, part, 100)
	status(t, "partly refunded", x.consult(part), statusCaptured, "")
	voided := x.pay(typeAuthCapt, "P3", 600)
	x.on(typeCancel, voided, 600)
	status(t, "cancelled", x.consult(voided), statusCancelled, "")

	body := x.raw(x.signed(typeConsult, "NUMTRANS", capt["NUMTRANS"])).Body.String()
	if want := "&AUTORISATION=&CODEREPONSE=00000&"; !strings.Contains(body, want) || !strings.HasSuffix(body, "&PORTEUR=&STATUS=Captur\xe9&REMISE=") {
		t.Fatalf("answer %q (NUMAPPEL is optional; STATUS and REMISE last, Latin-1)", body)
	}
	x.setNow(day1.AddDate(0, 0, 1))
	status(t, "settled", x.consult(capt), statusCaptured, "20250910")
	status(t, "an authorization is never settled", x.consult(auth), statusCaptured, "")
	status(t, "cancelled, not settled", x.consult(voided), statusCancelled, "")
	code(t, "unknown", x.do(typeConsult, "NUMTRANS", "0000000777"), "00018")
	code(t, "NUMAPPEL of another", x.do(typeConsult, "NUMTRANS", capt["NUMTRANS"], "NUMAPPEL", auth["NUMAPPEL"]), "00018")
	code(t, "not a number", x.do(typeConsult, "NUMTRANS", "12AB"), "00014")
}

// TestUpdateCard: TYPE 00057 gives an existing subscriber a new card, with
// a registration's checks: a new token and the new card's behaviour; the
// old token stops working.
func TestUpdateCard(t *testing.T) {
	x := newTB(t, Options{})
	old := strings.TrimSpace(x.register("S1", CardOK)["PORTEUR"])
	upd := func(refab, card string, kv ...string) map[string]string {
		return x.do(typeUpdate, append([]string{"MONTANT", "0000000100", "DEVISE", "978", "REFABONNE", refab,
			"PORTEUR", card, "DATEVAL", "1229", "CVV", "123"}, kv...)...)
	}
	code(t, "unknown subscriber", upd("NOBODY", CardOK), "00017")
	code(t, "invalid card", upd("S1", CardInvalid), "00004")
	code(t, "bad CVV", x.do(typeUpdate, "MONTANT", "100", "REFABONNE", "S1", "PORTEUR", CardOK, "DATEVAL", "1229", "CVV", "1"), "00004")
	code(t, "past expiry", x.do(typeUpdate, "MONTANT", "100", "REFABONNE", "S1", "PORTEUR", CardOK, "DATEVAL", "0825"), "00008")
	code(t, "no REFABONNE", upd("", CardOK), "00014")
	code(t, "bad amount", x.do(typeUpdate, "MONTANT", "1x", "REFABONNE", "S1", "PORTEUR", CardOK, "DATEVAL", "1229"), "00011")
	code(t, "old token still works before the update", x.charge("S1", old, "R0", 100), "00000")

	m := upd("S1", CardSoftAlways)
	code(t, "update", m, "00000")
	tok := strings.TrimSpace(m["PORTEUR"])
	if tok == old || len(tok) != 11 || m["REFABONNE"] != "S1" || m["AUTORISATION"] != "XXXXXX" {
		t.Fatalf("update answer %v (old token %q)", m, old)
	}
	code(t, "old token", x.charge("S1", old, "R1", 100), "00004")
	code(t, "new card's behaviour", x.charge("S1", tok, "R2", 100), "00151")
	code(t, "register again is still refused", x.register("S1", CardOK), "00016")
}

// TestLifecycleJournal: authorizations, captures, cancels and card updates
// are in the journal: a later process sees them, and two processes on one
// journal capture an authorization once between them.
func TestLifecycleJournal(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.jsonl")
	x := newTB(t, Options{StatePath: path})
	auth := x.pay(typeAuth, "A1", 1000)
	voided := x.pay(typeAuthCapt, "P1", 700)
	code(t, "cancel", x.on(typeCancel, voided, 700), "00000")
	old := strings.TrimSpace(x.register("S1", CardOK)["PORTEUR"])
	code(t, "update", x.do(typeUpdate, "MONTANT", "0", "REFABONNE", "S1", "PORTEUR", CardLost, "DATEVAL", "1229"), "00000")
	x.Close()

	a := newTB(t, Options{StatePath: path})
	b := newTB(t, Options{StatePath: path})
	a.nq.Store(1000)
	b.nq.Store(2000)
	status(t, "authorization after restart", a.consult(auth), statusAuthorized, "")
	status(t, "cancel after restart", a.consult(voided), statusCancelled, "")
	code(t, "old token after restart", a.charge("S1", old, "R1", 100), "00004")
	var wg sync.WaitGroup
	answers := make([]string, 2)
	for i, y := range []*tb{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			answers[i] = y.on(typeCapture, auth, 1000)["CODEREPONSE"]
		}()
	}
	wg.Wait()
	if !(answers[0] == "00000" && answers[1] == "00015" || answers[0] == "00015" && answers[1] == "00000") {
		t.Fatalf("two processes capturing one authorization: %v, want one 00000 and one 00015", answers)
	}
	if n := len(b.Records()); n != 2 {
		t.Fatalf("%d records, want the cancelled payment and one capture", n)
	}
}
