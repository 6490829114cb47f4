package cli

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/inpctl/inpctl/internal/gateway/sandbox"
)

// sandboxProc is "inpctl gateway sandbox" running as its own process.
type sandboxProc struct {
	cmd    *exec.Cmd
	url    string // http://127.0.0.1:PORT/PPPS.php
	state  string
	stderr bytes.Buffer
	done   chan error
}

// startSandboxProc starts inpctl gateway sandbox on a free loopback port
// with the rig's journal and the given fault flags, and points the rig at
// it.
func (r *rig) startSandboxProc(flags ...string) *sandboxProc {
	r.t.Helper()
	p := &sandboxProc{state: r.db() + ".sandbox", done: make(chan error, 1)}
	args := append([]string{"gateway", "sandbox", "--listen", "127.0.0.1:0", "--state", p.state}, flags...)
	p.cmd = exec.Command(r.bin, args...)
	p.cmd.Dir, p.cmd.Env, p.cmd.Stderr = r.dir, r.environ(), &p.stderr
	out, err := p.cmd.StdoutPipe()
	if err != nil {
		r.t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		if sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		_, _ = io.Copy(io.Discard, out)
		p.done <- p.cmd.Wait()
	}()
	select {
	case line, ok := <-lines:
		if !ok || !strings.HasPrefix(line, "http://127.0.0.1:") || !strings.HasSuffix(line, "/PPPS.php") {
			r.t.Fatalf("gateway sandbox printed %q, want its URL; stderr: %s", line, p.stderr.String())
		}
		p.url = line
	case <-time.After(20 * time.Second):
		_ = p.cmd.Process.Kill()
		r.t.Fatalf("gateway sandbox did not print its URL in 20s")
	}
	r.gw = gatewayEnv(strings.TrimSuffix(p.url, "/PPPS.php"))
	r.t.Cleanup(func() { p.stop(r.t) })
	return p
}

// stop ends the sandbox with SIGTERM (it exits 0) and waits for it.
func (p *sandboxProc) stop(t testing.TB) {
	if p.done == nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		if err != nil {
			t.Errorf("gateway sandbox: %v; stderr: %s", err, p.stderr.String())
		}
	case <-time.After(20 * time.Second):
		_ = p.cmd.Process.Kill()
		t.Errorf("gateway sandbox did not stop on SIGTERM")
	}
	p.done = nil
}

// records replays the stopped sandbox's journal: its own record of every
// approved payment.
func (p *sandboxProc) records(t testing.TB) []sandbox.Transaction {
	t.Helper()
	sb, err := sandbox.New(sandbox.Options{StatePath: p.state})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	return sb.Records()
}

// faultTotals are the figures of TestFaults.
type faultTotals struct {
	mu             sync.Mutex
	seeds, charges int
	st             settleStats
	slowest        time.Duration
}

// TestFaults charges a whole year (October to January, each 10th and its
// retry day) through "inpctl gateway sandbox" with latency, lost answers
// (--drop-rate: Paybox acts, the answer never arrives) and failures
// (--fail-rate: 00001/00097, nothing done), rerunning each day until
// nothing is left. The sandbox's journal must then show every instalment
// approved exactly once, each recorded once in the database, all plans
// completed, and db check clean.
func TestFaults(t *testing.T) {
	seeds := 6
	if soak() {
		seeds = 60
	}
	start := time.Now()
	y := mixedYear(20)
	tmpl := t.TempDir()
	newRig(t, tmpl).setUp(y)
	var tot faultTotals
	t.Run("seeds", func(t *testing.T) {
		forSeeds(t, seeds, func(t *testing.T, seed uint64) { faultYear(t, tmpl, y, seed, &tot) })
	})
	t.Logf("faults test: %d seeds × 4 months, %d charge runs, %d outcomes unknown (answers lost or 00001/00097), %d lookups, %d charges approved and checked; slowest seed %s, total %s",
		tot.seeds, tot.st.runs, tot.st.unknown, tot.st.reconciled, tot.charges, tot.slowest.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
}

func faultYear(t *testing.T, tmpl string, y year, seed uint64, tot *faultTotals) {
	start := time.Now()
	r := newRig(t, t.TempDir())
	copyDir(t, tmpl, r.dir)
	drop, fail := 0.1+0.05*float64(seed%4), 0.1+0.05*float64(seed/4%4)
	sb := r.startSandboxProc("--latency", "3ms", "--drop-rate", fmt.Sprint(drop), "--fail-rate", fmt.Sprint(fail), "--seed", fmt.Sprint(seed))
	var st settleStats
	for _, days := range debitDays {
		for _, day := range days {
			r.at(day)
			st.add(r.settle(60, func() runPlan { return runPlan{conc: 4} }))
		}
	}
	res := r.must("schedule", "list", "--status", "completed", "-o", "json")
	if n := strings.Count(res.stdout, `"status": "completed"`); n != y.paying() {
		t.Errorf("%d plans completed, want %d:\n%s", n, y.paying(), res.stdout)
	}
	r.dbCheck()
	sb.stop(t)
	charges := checkExactly(t, sb.records(t), r.readBooks(), y.paying()*len(debitDays))

	took := time.Since(start)
	tot.mu.Lock()
	defer tot.mu.Unlock()
	tot.seeds++
	tot.charges += charges
	tot.st.add(st)
	tot.slowest = max(tot.slowest, took)
}
