package sandbox

import (
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestJournalSharedByTwoProcesses (issue 17 §7): two sandboxes on one
// journal, as two inpctl commands running at once each have, see each
// other's writes: a card registered by one is charged by the other, and
// the NUMTRANS of their charges are all different, as the journal read
// afresh shows.
func TestJournalSharedByTwoProcesses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.jsonl")
	a := newTB(t, Options{StatePath: path})
	b := newTB(t, Options{StatePath: path})
	b.nq.Store(1_000_000) // each command numbers its own questions
	tok := strings.TrimSpace(a.register("S", CardOK)["PORTEUR"])
	var wg sync.WaitGroup
	for k, x := range []*tb{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 30 {
				m := x.charge("S", tok, fmt.Sprintf("R-%d-%d", k, i), 100+i)
				if m["CODEREPONSE"] != "00000" {
					t.Errorf("sandbox %d charge %d: %v", k, i, m)
				}
			}
		}()
	}
	wg.Wait()
	a.Close()
	b.Close()
	c := newTB(t, Options{StatePath: path})
	seen := map[string]bool{}
	for _, r := range c.Records() {
		if seen[r.NumTrans] {
			t.Fatalf("NUMTRANS %s given twice", r.NumTrans)
		}
		seen[r.NumTrans] = true
	}
	if len(seen) != 60 {
		t.Fatalf("%d records in the journal, want 60", len(seen))
	}
}
