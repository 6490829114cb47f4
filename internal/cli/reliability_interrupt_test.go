package cli

import (
	"syscall"
	"testing"
	"time"

	"github.com/inpctl/inpctl/internal/gateway/sandbox"
)

// TestReliabilityInterrupt sends SIGINT to a charge run while charges are
// in flight. charge's help promises: "SIGINT/SIGTERM stop sending, record
// the charges in flight, and exit 130". So the run exits 130, sends
// nothing more, and leaves no attempt in doubt: what was answered is
// recorded, what was not sent is marked so. The next run then charges the
// rest, each instalment once.
func TestReliabilityInterrupt(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			y := year{n: 24}
			r := newRig(t, t.TempDir())
			r.setUp(y)
			sb := r.attachSandbox(sandbox.Options{Latency: 150 * time.Millisecond})
			defer sb.close()
			r.at(debitDays[0][0])

			run := r.start("charge", "--due", "-o", "json")
			// Signal once the first charge is answered: others are in flight.
			for deadline := time.Now().Add(30 * time.Second); chargesAt(sb) == 0; time.Sleep(5 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatalf("no charge reached the sandbox in 30s")
				}
			}
			if err := run.cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			res := run.wait(t)
			if res.code != ExitInterrupt {
				t.Errorf("charge --due interrupted by %s: want exit 130, got %s", sig, res)
			}
			charged := 0
			for _, rec := range sb.sb.Records() {
				if rec.Type == sandbox.TypeCharge {
					charged++
				}
			}
			if charged == 0 || charged == y.n {
				t.Fatalf("%d of %d charged before the signal took effect: the test did not interrupt a run in flight", charged, y.n)
			}
			t.Logf("%s while charging: %d of %d charged at Paybox, exit %d: %s", sig, charged, y.n, res.code, lastLine(res.stderr))
			if b := r.readBooks(); b.open != 0 {
				t.Errorf("after %s, %d attempts are left sent/unknown (to be looked up later): the charges in flight were not recorded before exiting", sig, b.open)
			}
			r.settle(4, nil)
			checkExactly(t, sb.sb.Records(), r.readBooks(), y.n)
			r.dbCheck()
		})
	}
}
