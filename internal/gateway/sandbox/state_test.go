package sandbox

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/inpctl/inpctl/internal/pan"
)

func TestJournalReplay(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sandbox.jsonl")
	x := newTB(t, Options{StatePath: path})
	tok := strings.TrimSpace(x.register("S1", CardOK)["PORTEUR"])
	softTok := strings.TrimSpace(x.register("S2", CardSoftOnce)["PORTEUR"])
	ch := x.charge("S1", tok, "INV-1", 61800)
	code(t, "charge", ch, "00000")
	code(t, "soft once", x.charge("S2", softTok, "INV-2a", 30000), "00151")
	code(t, "refund", x.do(typeRefund, "MONTANT", "1000", "DEVISE", "978", "NUMTRANS", ch["NUMTRANS"], "NUMAPPEL", ch["NUMAPPEL"]), "00000")
	code(t, "delete", x.do(typeDelete, "REFABONNE", "S1"), "00000")
	used := fmt.Sprintf("%010d", x.nq.Load())
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}

	// A second process on the same file.
	y := newTB(t, Options{StatePath: path})
	y.nq.Store(x.nq.Load())
	lk := y.lookup("INV-1", 61800)
	code(t, "lookup after restart", lk, "00000")
	if lk["NUMTRANS"] != ch["NUMTRANS"] || lk["NUMAPPEL"] != ch["NUMAPPEL"] {
		t.Fatalf("lookup %v, charge %v", lk, ch)
	}
	code(t, "soft-once retry", y.charge("S2", softTok, "INV-2b", 30000), "00000")
	code(t, "deleted stays deleted", y.charge("S1", tok, "INV-3", 100), "00017")
	code(t, "question number stays used", y.do(typeLookup, "NUMQUESTION", used, "MONTANT", "1", "REFERENCE", "R"), "00005")
	recs := y.Records()
	if len(recs) != 2 || recs[0].Refunded != 1000 || recs[1].Reference != "INV-2b" {
		t.Fatalf("records %+v", recs)
	}
	// New numbers continue after the replayed ones.
	if recs[1].NumTrans <= recs[0].NumTrans {
		t.Fatalf("numbers restarted: %+v", recs)
	}
	y.Close()

	// A last line cut short by a crash is ignored; the next line is whole.
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"op":"charge","tx":{"ty`)
	f.Close()
	z := newTB(t, Options{StatePath: path})
	z.nq.Store(1000)
	code(t, "after truncated line", z.lookup("INV-1", 61800), "00000")
	z.Close()
	if _, err := New(Options{StatePath: path}); err != nil {
		t.Fatalf("replay after repair: %v", err)
	}
	// A corrupt line in the middle is an error.
	os.WriteFile(path, []byte("{bad\n{\"op\":\"q\"}\n"), 0o600)
	if _, err := New(Options{StatePath: path}); err == nil {
		t.Fatal("corrupt journal accepted")
	}
}

// TestNoCardNumberPersisted: the journal holds behaviours and tokens, never
// a number that could be a card.
func TestNoCardNumberPersisted(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sandbox.jsonl")
	x := newTB(t, Options{StatePath: path, SlowDelay: time.Millisecond})
	for i, c := range []string{CardOK, CardSoftOnce, CardSoftAlways, CardLost, CardExpired, CardLoseAnswer, CardSlow, CardECard, "4012001037141112"} {
		tok := strings.TrimSpace(x.register(fmt.Sprintf("S%d", i), c)["PORTEUR"])
		x.charge(fmt.Sprintf("S%d", i), tok, fmt.Sprintf("R%d", i), 100)
	}
	x.Pay(hostedLink(t, "H1", "PBX_REFABONNE", "H1"), CardOK)
	x.Close()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if ms := pan.Find(string(b)); len(ms) > 0 {
		t.Fatalf("journal holds %s", ms[0].Masked())
	}
	if strings.Contains(string(b), "1111") {
		t.Fatalf("journal mentions a card prefix:\n%s", b)
	}
}

func TestConcurrentCharges(t *testing.T) {
	x := newTB(t, Options{StatePath: filepath.Join(t.TempDir(), "s.jsonl")})
	tok := strings.TrimSpace(x.register("S", CardOK)["PORTEUR"])
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 25 {
				m := x.charge("S", tok, fmt.Sprintf("R-%d-%d", g, i), 100+i)
				if m["CODEREPONSE"] != "00000" {
					t.Errorf("%v", m)
				}
				x.lookup(fmt.Sprintf("R-%d-%d", g, i), 100+i)
			}
		}()
	}
	wg.Wait()
	seen := map[string]bool{}
	for _, r := range x.Records() {
		if seen[r.NumTrans] {
			t.Fatalf("NUMTRANS %s twice", r.NumTrans)
		}
		seen[r.NumTrans] = true
	}
	if len(seen) != 200 {
		t.Fatalf("%d records", len(seen))
	}
}

func TestFaultsAreDeterministic(t *testing.T) {
	run := func() string {
		x := newTB(t, Options{FailRate: 0.2, DropRate: 0.2, Seed: 42})
		tok := strings.TrimSpace(x.register("S", CardOK)["PORTEUR"])
		var out []string
		for i := range 30 {
			w := x.raw(x.signed(typeCharge, "MONTANT", "100", "DEVISE", "978", "REFERENCE", fmt.Sprint(i),
				"REFABONNE", "S", "PORTEUR", tok, "DATEVAL", "1229"))
			out = append(out, parseAnswer(w.Body.Bytes())["CODEREPONSE"])
		}
		return strings.Join(out, ",")
	}
	a, b := run(), run()
	if a != b || !strings.Contains(a, "0000") || !strings.Contains(a, "0009") && !strings.Contains(a, "00001") {
		t.Fatalf("runs differ or show no fault:\n%s\n%s", a, b)
	}
}

// TestTenThousandCharges: the journal stays fast, and replays fast.
func TestTenThousandCharges(t *testing.T) {
	if testing.Short() {
		t.Skip("long")
	}
	path := filepath.Join(t.TempDir(), "s.jsonl")
	x := newTB(t, Options{StatePath: path})
	tok := strings.TrimSpace(x.register("S", CardOK)["PORTEUR"])
	start := time.Now()
	for i := range 10000 {
		if m := x.charge("S", tok, fmt.Sprintf("R%d", i), 100); m["CODEREPONSE"] != "00000" {
			t.Fatal(m)
		}
	}
	code(t, "lookup", x.lookup("R9999", 100), "00000")
	t.Logf("10 000 signed charges through ServeHTTP: %s", time.Since(start))
	x.Close()
	start = time.Now()
	y, err := New(Options{StatePath: path})
	if err != nil {
		t.Fatal(err)
	}
	defer y.Close()
	if n := len(y.Records()); n != 10000 {
		t.Fatalf("%d records", n)
	}
	t.Logf("replay of 10 000 charges: %s", time.Since(start))
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("replay took %s", d)
	}
}
