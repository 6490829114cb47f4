package cli

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/inpctl/inpctl/internal/gateway/sandbox"
)

// TestReliabilitySetCodeDuringCharge (issue 17) runs dossier set-code on
// students while charge --due debits them, at random moments: a code change
// either waits for the student's debit and goes through, or is refused with
// exit 11 naming the charge run; the run ends 0 or 3, never 5; afterwards
// every charge Paybox approved is recorded once, nothing is left to look
// up, and db check is clean.
func TestReliabilitySetCodeDuringCharge(t *testing.T) {
	y := year{n: 12, cards: map[int]string{}}
	tmpl := t.TempDir()
	newRig(t, tmpl).setUp(y)
	seeds := 3
	if soak() {
		seeds = 20
	}
	forSeeds(t, seeds, func(t *testing.T, seed uint64) {
		rng := rand.New(rand.NewPCG(seed, 0x33))
		r := newRig(t, t.TempDir())
		copyDir(t, tmpl, r.dir)
		sb := r.attachSandbox(sandbox.Options{Latency: 150 * time.Millisecond, Seed: int64(seed)})
		defer sb.close()
		r.at("2025-10-10T06:00:00+02:00")
		run := r.start("charge", "--due", "--concurrency", "1")
		changed := 0
		for k := 0; k < 3; k++ {
			time.Sleep(time.Duration(rng.IntN(300)) * time.Millisecond)
			id := studentID(1 + rng.IntN(y.n))
			res := r.run(0, nil, "dossier", "set-code", id, "07", "--proof", fmt.Sprintf("convention %d", k), "--reason", "mobilité", "--yes")
			switch {
			case res.code == ExitOK:
				changed++
			case res.code == ExitLocked && strings.Contains(res.stderr, "on its way to Paybox, sent by charge --due"):
			case res.code == ExitConflict && strings.Contains(res.stderr, "already"): // the same student twice
			default:
				t.Errorf("set-code %s during the run: %s", id, res)
			}
		}
		res := run.wait(t)
		if res.code != ExitOK && res.code != ExitPartial {
			t.Fatalf("charge --due while codes changed: %s", res)
		}
		for k := 0; k < 5; k++ {
			if res := r.run(0, nil, "charge", "--due"); res.code == ExitOK {
				break
			}
		}
		b := r.readBooks()
		checkExactly(t, sb.sb.Records(), b, -1)
		r.dbCheck()
		t.Logf("seed %d: %d code changes went through, run exit %d", seed, changed, res.code)
	})
}
