package cli

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/inpctl/inpctl/internal/gateway/sandbox"
)

// crashYear is the population of the crash test: just over one batch of
// intents (a batch is 32), so "after-intent:2" is reachable.
func crashYear() year { return mixedYear(34) }

// monthTemplates sets a year up once and returns, for each month of
// debitDays, a directory whose database and sandbox journal are ready for
// that month: the earlier months were charged without faults.
func monthTemplates(t *testing.T, y year) []string {
	t.Helper()
	root := t.TempDir()
	dirs := make([]string, len(debitDays))
	for m := range debitDays {
		dirs[m] = filepath.Join(root, fmt.Sprintf("month%d", m))
		mkdir(t, dirs[m])
	}
	r := newRig(t, dirs[0])
	r.setUp(y)
	for m := 0; m+1 < len(debitDays); m++ {
		copyDir(t, dirs[m], dirs[m+1])
		r := newRig(t, dirs[m+1])
		sb := r.attachSandbox(sandbox.Options{})
		for _, day := range debitDays[m] {
			r.at(day)
			r.settle(10, nil)
		}
		sb.close()
	}
	return dirs
}

// crashTotals are the figures of the crash test.
type crashTotals struct {
	mu                  sync.Mutex
	seeds, charges      int
	injected, hookEnv   int
	st                  settleStats
	slowest, totalSeeds time.Duration
}

// TestCrash kills charge --due at random points (the crash hook after the
// intents were committed or after an answer arrived, and SIGKILL after a
// random delay), restarts it until a run has nothing left to do, and then
// checks against the sandbox's own records that every instalment was
// charged exactly once and recorded once, and that db check is clean.
// One seed is one month (its 10th and the retry day) of a 34-student
// database; INPCTL_SOAK=1 runs many more seeds.
func TestCrash(t *testing.T) {
	seeds := 50
	if soak() {
		seeds = 2000
	}
	start := time.Now()
	y := crashYear()
	tmpls := monthTemplates(t, y)
	setup := time.Since(start)
	var tot crashTotals
	t.Run("seeds", func(t *testing.T) {
		forSeeds(t, seeds, func(t *testing.T, seed uint64) { crashSeed(t, tmpls, y, seed, &tot) })
	})
	t.Logf("crash test: %d seeds, %d charge runs, %d crash injections (%d via INPCTL_TEST_CRASH), %d processes killed (%d by the timer, %d by the hook), %d unknown outcomes, %d lookups, %d charges approved and checked; setup %s, seeds %s (slowest %s), total %s",
		tot.seeds, tot.st.runs, tot.injected, tot.hookEnv, tot.st.kills, tot.st.timerKills, tot.st.kills-tot.st.timerKills,
		tot.st.unknown, tot.st.reconciled, tot.charges, setup.Round(time.Millisecond), tot.totalSeeds.Round(time.Millisecond),
		tot.slowest.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
}

// crashSeed plays one month of debits with crashes chosen by seed.
func crashSeed(t *testing.T, tmpls []string, y year, seed uint64, tot *crashTotals) {
	start := time.Now()
	rng := rand.New(rand.NewPCG(seed, 0x10))
	m := int(seed) % len(debitDays)
	r := newRig(t, t.TempDir())
	copyDir(t, tmpls[m], r.dir)
	sb := r.attachSandbox(sandbox.Options{Latency: 5 * time.Millisecond, Seed: int64(seed)})
	defer sb.close()

	injected, hookEnv := 0, 0
	var st settleStats
	for d, day := range debitDays[m] {
		r.at(day)
		budget := 1 + rng.IntN(3) // crashes on the 10th
		if d > 0 {
			budget = rng.IntN(2) // fewer on the retry day: few charges are left
		}
		plan := func() runPlan {
			p := runPlan{conc: 1 + rng.IntN(8)}
			if budget == 0 {
				return p
			}
			budget--
			injected++
			switch rng.IntN(4) {
			case 0:
				p.env = []string{fmt.Sprintf("INPCTL_TEST_CRASH=after-intent:%d", 1+rng.IntN(2))}
			case 1:
				p.env = []string{fmt.Sprintf("INPCTL_TEST_CRASH=after-answer:%d", 1+rng.IntN(y.n))}
			case 2:
				p.kill = time.Duration(5+rng.IntN(300)) * time.Millisecond
			default:
				p.env = []string{fmt.Sprintf("INPCTL_TEST_CRASH=after-answer:%d", 1+rng.IntN(y.n))}
				p.kill = time.Duration(5+rng.IntN(300)) * time.Millisecond
			}
			if p.env != nil {
				hookEnv++
			}
			return p
		}
		st.add(r.settle(30, plan))
	}
	// A run killed after its intents and before Paybox answered leaves
	// attempts that the lookup does not find: they wait the retry gap (they
	// may have been declined), so the month ends on two catch-up days, a
	// week apart (a first real try on the first one may be declined and
	// retried on the second).
	for _, day := range catchUpDays(debitDays[m]) {
		r.at(day)
		st.add(r.settle(30, func() runPlan { return runPlan{conc: 4} }))
	}
	b := r.readBooks()
	charges := checkExactly(t, sb.sb.Records(), b, y.paying()*(m+1))
	if b.left != 0 {
		t.Errorf("%d instalments are still due after the runs settled", b.left)
	}
	r.dbCheck()

	took := time.Since(start)
	tot.mu.Lock()
	defer tot.mu.Unlock()
	tot.seeds++
	tot.charges += charges
	tot.injected += injected
	tot.hookEnv += hookEnv
	tot.st.add(st)
	tot.totalSeeds += took
	tot.slowest = max(tot.slowest, took)
}

// forSeeds runs seeds 1..n as subtests, a few at a time: a seed mostly
// waits (for the sandbox's latency, fsync, process start), so more seeds
// run at once than there are cores (t.Parallel would stop at -parallel).
func forSeeds(t *testing.T, n int, fn func(t *testing.T, seed uint64)) {
	seeds := make(chan uint64)
	var wg sync.WaitGroup
	for range 2 * runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for seed := range seeds {
				t.Run(fmt.Sprint(seed), func(t *testing.T) { fn(t, seed) })
			}
		}()
	}
	for seed := 1; seed <= n; seed++ {
		seeds <- uint64(seed)
	}
	close(seeds)
	wg.Wait()
}
