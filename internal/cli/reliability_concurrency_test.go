package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/inpctl/inpctl/internal/gateway/sandbox"
)

// started is an inpctl process running in the background.
type started struct {
	cmd      *exec.Cmd
	out, err *bytes.Buffer
	at       time.Time
}

func (r *rig) start(args ...string) *started {
	r.t.Helper()
	cmd, out, errb := r.command(nil, args...)
	s := &started{cmd: cmd, out: out, err: errb, at: time.Now()}
	if err := cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	return s
}

func (s *started) wait(t testing.TB) result { return finish(s.cmd, s.out, s.err, s.at, t) }

// TestReliabilityConcurrentCharges starts four charge --due at once while
// the sandbox answers slowly: exactly one run charges, the three others
// exit 11 at once having done nothing, and every instalment is charged
// once.
func TestReliabilityConcurrentCharges(t *testing.T) {
	start := time.Now()
	y := year{n: 24}
	r := newRig(t, t.TempDir())
	r.setUp(y)
	// 24 charges, 4 at a time, 250 ms each: the first run holds the lock
	// for 1.5 s, long after the three others have started.
	sb := r.attachSandbox(sandbox.Options{Latency: 250 * time.Millisecond})
	defer sb.close()
	for m, days := range debitDays[:2] {
		r.at(days[0])
		var runs []*started
		for range 4 {
			runs = append(runs, r.start("charge", "--due", "-o", "json"))
		}
		var winners, locked int
		for _, s := range runs {
			res := s.wait(t)
			switch res.code {
			case 0:
				winners++
				if rep := parseCharge(t, res); rep.Summary.Approved != y.n {
					t.Errorf("the run that held the lock approved %d charges, want %d", rep.Summary.Approved, y.n)
				}
			case 11:
				locked++
				if !strings.Contains(res.stderr, "charge is locked") || !strings.Contains(res.stderr, "nothing was done") {
					t.Errorf("a locked run must say so: %s", res)
				}
				if res.took > 8*time.Second {
					t.Errorf("a locked run took %s: it must give up at once", res.took)
				}
			default:
				t.Errorf("concurrent charge --due: %s", res)
			}
		}
		if winners != 1 || locked != 3 {
			t.Errorf("month %d: %d runs charged and %d were locked out, want 1 and 3", m, winners, locked)
		}
		r.settle(3, nil)
		b := r.readBooks()
		checkExactly(t, sb.sb.Records(), b, y.n*(m+1))
		if len(b.attempts) != y.n*(m+1) {
			t.Errorf("%d charge attempts written, want %d: a locked-out run wrote intents", len(b.attempts), y.n*(m+1))
		}
	}
	r.dbCheck()
	t.Logf("four concurrent charge runs, two months: one charged, three exited 11 (took %s)", time.Since(start).Round(time.Millisecond))
}

// TestReliabilityConcurrentInvoices issues invoices from three processes
// at once, each for its own students, then from two processes at once for
// the same student: the invoice series must stay continuous (no gap, no
// duplicate), a student never gets two invoices, and db check is clean.
func TestReliabilityConcurrentInvoices(t *testing.T) {
	start := time.Now()
	const n, procs, twice = 30, 3, 4
	r := newRig(t, t.TempDir())
	r.intake(n + twice)

	var wg sync.WaitGroup
	results := make([][]result, procs)
	for p := range procs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 1 + p; i <= n; i += procs {
				cmd, out, errb := r.command(nil, "invoice", "issue", studentID(i), "--yes")
				at := time.Now()
				if err := cmd.Start(); err != nil {
					t.Error(err)
					return
				}
				results[p] = append(results[p], finish(cmd, out, errb, at, t))
			}
		}()
	}
	wg.Wait()
	for _, rs := range results {
		for _, res := range rs {
			if res.code != 0 {
				t.Errorf("invoice issue: %s", res)
			}
		}
	}
	// The same student from two processes at once: one issues, the other
	// is refused (exit 5, already invoiced).
	for i := n + 1; i <= n+twice; i++ {
		a, b := r.start("invoice", "issue", studentID(i), "--yes"), r.start("invoice", "issue", studentID(i), "--yes")
		ra, rb := a.wait(t), b.wait(t)
		if ra.code+rb.code != 5 || ra.code*rb.code != 0 {
			t.Errorf("invoice issue %s twice at once: want exits 0 and 5, got\n%s\n%s", studentID(i), ra, rb)
		}
	}
	var invoices []struct {
		Number    string `json:"number"`
		StudentID string `json:"student_id"`
	}
	if err := json.Unmarshal([]byte(r.must("invoice", "list", "-o", "json").stdout), &invoices); err != nil {
		t.Fatal(err)
	}
	var nums []int
	seen := map[string]bool{}
	for _, inv := range invoices {
		k, err := strconv.Atoi(inv.Number)
		if err != nil {
			t.Fatalf("invoice number %q", inv.Number)
		}
		nums = append(nums, k)
		if seen[inv.StudentID] {
			t.Errorf("student %s has two invoices", inv.StudentID)
		}
		seen[inv.StudentID] = true
	}
	sort.Ints(nums)
	if len(nums) != n+twice {
		t.Fatalf("%d invoices, want %d", len(nums), n+twice)
	}
	for i := 1; i < len(nums); i++ {
		if nums[i] != nums[i-1]+1 {
			t.Errorf("invoice series jumps from %d to %d", nums[i-1], nums[i])
		}
	}
	r.dbCheck()
	t.Logf("%d invoices issued by %d processes at once, %d more twice at once: %d to %d, continuous (took %s)", n, procs, twice, nums[0], nums[len(nums)-1], time.Since(start).Round(time.Millisecond))
}

// TestReliabilityImportDuringCharge imports students, small files and a
// large one, while a charge run is under way: each import either waits for
// the database (busy timeout) and succeeds, or fails cleanly (exit 11,
// nothing imported); the charge run is not disturbed, and db check is
// clean.
func TestReliabilityImportDuringCharge(t *testing.T) {
	start := time.Now()
	y := year{n: 24}
	r := newRig(t, t.TempDir())
	r.setUp(y)
	sb := r.attachSandbox(sandbox.Options{Latency: 60 * time.Millisecond})
	defer sb.close()
	r.at(debitDays[0][0])

	files := []struct {
		name  string
		first int
		count int
		delay time.Duration
	}{
		{"more1.csv", 1001, 10, 80 * time.Millisecond},
		{"more2.csv", 2001, 3000, 100 * time.Millisecond},
		{"more3.csv", 6001, 10, 150 * time.Millisecond},
	}
	for _, f := range files {
		var b strings.Builder
		b.WriteString("student_id,last_name,first_name,email,programme,extra_eu\n")
		for i := f.first; i < f.first+f.count; i++ {
			fmt.Fprintf(&b, "%s,Nom%d,Prénom%d,e%d@etu.example.org,ING-GC-3A,\n", studentID(i), i, i, i)
		}
		writeFile(t, filepath.Join(r.dir, f.name), b.String())
	}
	charge := r.start("charge", "--due", "-o", "json")
	want := y.n
	var ends []time.Time
	for _, f := range files {
		time.Sleep(f.delay)
		res := r.run(0, nil, "student", "import", f.name)
		switch res.code {
		case 0:
			want += f.count
		case 11:
			if !strings.Contains(res.stderr, "database is busy") {
				t.Errorf("student import refused without saying the database is busy: %s", res)
			}
		default:
			t.Errorf("student import during a charge run: %s", res)
		}
		ends = append(ends, time.Now())
	}
	res := charge.wait(t)
	overlapped := 0
	for _, end := range ends {
		if end.Before(charge.at.Add(res.took)) {
			overlapped++
		}
	}
	if res.code != 0 {
		t.Fatalf("charge --due during imports: %s", res)
	}
	if rep := parseCharge(t, res); rep.Summary.Approved != y.n {
		t.Errorf("the charge run approved %d, want %d", rep.Summary.Approved, y.n)
	}
	var list []json.RawMessage
	if err := json.Unmarshal([]byte(r.must("student", "list", "-o", "json").stdout), &list); err != nil {
		t.Fatal(err)
	}
	if len(list) != want {
		t.Errorf("%d students after the imports, want %d (an import is all or nothing)", len(list), want)
	}
	r.settle(3, nil)
	checkExactly(t, sb.sb.Records(), r.readBooks(), y.n)
	r.dbCheck()
	t.Logf("3 imports (%d students in all) during a charge run that took %s; %d ended while it ran (took %s)",
		want-y.n, res.took.Round(time.Millisecond), overlapped, time.Since(start).Round(time.Millisecond))
}

func writeFile(t testing.TB, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}
