package cli

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/inpctl/inpctl/internal/gateway/sandbox"
)

// TestReliabilityStaleLockSamePID kills a charge run that runs as PID 1 of
// its own PID namespace, as inpctl does in a container started for each
// cron run (same host name, always PID 1). The next run gets PID 1 again.
// The lock row of the killed run names pid 1 on this host, and the new
// run asks "is pid 1 alive?" — it is: it is the new run itself, or init
// for a run outside the namespace. So no run can ever take the lock over:
// every charge --due exits 11 until someone edits the database. A stale
// lock must be taken over when its pid is the asking process's own.
func TestReliabilityStaleLockSamePID(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("a PID namespace needs root")
	}
	unshare, err := exec.LookPath("unshare")
	if err != nil {
		t.Skip("no unshare")
	}
	if out, err := exec.Command(unshare, "--pid", "--fork", "--mount-proc", "true").CombinedOutput(); err != nil {
		t.Skipf("cannot create a PID namespace: %v %s", err, out)
	}
	y := year{n: 4}
	r := newRig(t, t.TempDir())
	r.setUp(y)
	sb := r.attachSandbox(sandbox.Options{Latency: time.Second})
	defer sb.close()
	r.at(debitDays[0][0])

	// Run as PID 1 of a fresh namespace, as a container would. (The crash
	// hook cannot be used: PID 1 ignores a SIGKILL sent from inside its
	// namespace, even by itself.)
	asPID1 := func() (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
		cmd, out, errb := r.command(nil, "charge", "--due")
		cmd.Args = append([]string{unshare, "--pid", "--fork", "--mount-proc", "--kill-child", r.bin}, cmd.Args[1:]...)
		cmd.Path = unshare
		return cmd, out, errb
	}
	cmd, out, errb := asPID1()
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Kill it (unshare, and with it its child) once the intents are
	// written and the charges are in flight.
	for len(r.readBooks().attempts) == 0 {
		if time.Since(start) > 30*time.Second {
			t.Fatal("the first run wrote no attempt in 30 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	_ = cmd.Process.Kill()
	if first := finish(cmd, out, errb, start, t); !first.killed {
		t.Fatalf("the first run was not killed: %s", first)
	}
	second := r.startAndFinish(asPID1())
	if second.code == 11 && strings.Contains(second.stderr, "(pid 1 on") {
		third := r.run(0, nil, "charge", "--due")
		t.Errorf("the lock of a killed run that was PID 1 is never taken over: the next run, itself PID 1, %s\nand a run outside the namespace exits %d too (pid 1 is init)", second, third.code)
	} else if second.code != 0 {
		t.Fatalf("second run: %s", second)
	}
	if t.Failed() {
		return
	}
	r.settle(3, nil)
	checkExactly(t, sb.sb.Records(), r.readBooks(), y.n)
}
