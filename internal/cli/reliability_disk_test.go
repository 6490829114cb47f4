package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/inpctl/inpctl/internal/gateway/sandbox"
)

// tmpfs mounts a small tmpfs at a fresh directory, or skips the test where
// that is not allowed (not root, no mount in a container).
func tmpfs(t *testing.T, size string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("mounting a tmpfs needs root")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs: %v %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v %s", dir, err, out)
		}
	})
	return dir
}

// fill writes a filler file in dir until the file system is full, then
// gives back free bytes (rounded by the file system to its pages).
func fill(t *testing.T, dir string, free int64) string {
	t.Helper()
	path := filepath.Join(dir, "filler")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 4096)
	var n int64
	for {
		k, err := f.Write(chunk)
		n += int64(k)
		if err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatal(err)
			}
			break
		}
	}
	if err := f.Truncate(max(n-free, 0)); err != nil {
		t.Fatal(err)
	}
	return path
}

// diskRig copies the year of tmpl onto a small tmpfs; the sandbox keeps its
// journal outside, on the normal disk, so only the database is short of
// room.
func diskRig(t *testing.T, tmpl string) (*rig, *testSandbox) {
	t.Helper()
	mnt := tmpfs(t, "4m")
	r := newRig(t, mnt)
	copyFile(t, filepath.Join(tmpl, "inpctl.db"), r.db())
	journal := filepath.Join(t.TempDir(), "journal")
	copyFile(t, filepath.Join(tmpl, "inpctl.db.sandbox"), journal)
	sb := r.attachSandbox(sandbox.Options{StatePath: journal, Latency: 2 * time.Millisecond})
	t.Cleanup(sb.close)
	r.at(debitDays[0][0])
	return r, sb
}

// chargesAt counts the card charges the sandbox approved.
func chargesAt(sb *testSandbox) int {
	n := 0
	for _, rec := range sb.sb.Records() {
		if rec.Type == sandbox.TypeCharge {
			n++
		}
	}
	return n
}

// TestReliabilityFullDisk runs charge --due with the database on a full
// tmpfs, leaving it 0, 1, 2… free pages until a run has room enough to
// succeed: on the way, the run fails opening the database, taking the
// lock, committing its attempt rows, recording the outcomes. A run that
// cannot write its attempt rows must not call the gateway: every charge
// Paybox approved has an attempt row. The process must fail cleanly (exit
// 1 naming the disk, never a crash), and once there is room again the
// next runs charge every instalment exactly once.
func TestReliabilityFullDisk(t *testing.T) {
	y := year{n: 20}
	tmpl := t.TempDir()
	newRig(t, tmpl).setUp(y)
	phases := map[string]int{}
	step := int64(1)
	for pages := int64(0); ; pages += step {
		if pages > 256 {
			t.Fatalf("charge --due still fails with 1 MiB free")
		}
		var res result
		t.Run(fmt.Sprintf("free=%dKiB", pages*4), func(t *testing.T) {
			r, sb := diskRig(t, tmpl)
			filler := fill(t, r.dir, pages*4096)
			res = r.run(0, nil, "charge", "--due", "-o", "json")
			switch {
			case res.killed || (res.code != 0 && res.code != 1 && res.code != 3):
				t.Fatalf("charge --due on a full disk must succeed or fail cleanly (exit 1): %s", res)
			case res.code == 1 && (!strings.Contains(res.stderr, "disk full: "+r.dir+" (the database's folder) has") ||
				!strings.Contains(res.stderr, "free space on that disk, then run the same command again")):
				t.Errorf("charge --due on a full disk failed without saying \"disk full\", the folder and what to do: %s", res)
			}
			sent := chargesAt(sb)
			t.Logf("exit %d, %d charged at Paybox: %s", res.code, sent, lastLine(res.stderr))
			if err := os.Remove(filler); err != nil {
				t.Fatal(err)
			}
			b := r.readBooks()
			// Nothing is printed as done that is not in the books.
			var out struct {
				Items []struct {
					Reference, Outcome, Payment string
				}
			}
			if res.code != 0 || strings.TrimSpace(res.stdout) != "" {
				if err := json.Unmarshal([]byte(res.stdout), &out); err != nil && strings.TrimSpace(res.stdout) != "" {
					t.Fatalf("charge --due -o json: %v\n%s", err, res.stdout)
				}
			}
			for _, it := range out.Items {
				a, ok := b.attempts[it.Reference]
				switch {
				case it.Outcome == "approved" && (!ok || a.State != "approved"):
					t.Errorf("printed %s as approved (payment %q), but the books have it %q", it.Reference, it.Payment, a.State)
				case it.Outcome == "declined" && (!ok || a.State != "declined"):
					t.Errorf("printed %s as declined, but the books have it %q", it.Reference, a.State)
				}
			}
			for _, rec := range sb.sb.Records() {
				if _, ok := b.attempts[rec.Reference]; rec.Type == sandbox.TypeCharge && !ok {
					t.Errorf("charge %s reached Paybox without an attempt row in the database", rec.Reference)
				}
			}
			if strings.Contains(res.stderr, "record charge intents") && (sent != 0 || len(b.attempts) != 0) {
				t.Errorf("the attempt rows could not be written, yet %d charges reached Paybox and %d attempt rows exist", sent, len(b.attempts))
			}
			if sent == 0 && len(b.attempts) == 0 {
				return // nothing happened: nothing to settle
			}
			r.settle(4, nil)
			checkExactly(t, sb.sb.Records(), r.readBooks(), y.n)
			r.dbCheck()
		})
		phases[failedAt(res)]++
		if res.code == 0 || t.Failed() {
			break
		}
		if failedAt(res) == "outcomes" {
			step *= 2 // recording outcomes takes many pages: skip ahead
		}
	}
	t.Logf("runs by where they stopped: %v", phases)
	if phases["attempt rows"] == 0 {
		t.Logf("no run stopped exactly at its attempt rows (the boundaries depend on page sizes)")
	}
}

// failedAt names the step a run on a full disk stopped at.
func failedAt(res result) string {
	switch {
	case res.code == 0:
		return "succeeded"
	case strings.Contains(res.stderr, "record charge intents"):
		return "attempt rows"
	case strings.Contains(res.stderr, "record outcome"):
		return "outcomes"
	case strings.Contains(res.stderr, "prepare migrations"), strings.Contains(res.stderr, "open database"):
		return "opening the database"
	case strings.Contains(res.stderr, "disk full"):
		return "taking the lock"
	}
	return "other: " + lastLine(res.stderr)
}

// TestReliabilityReadOnlyDisk runs charge --due with the database on a
// read-only file system: it fails cleanly and nothing reaches the gateway.
func TestReliabilityReadOnlyDisk(t *testing.T) {
	y := year{n: 8}
	tmpl := t.TempDir()
	newRig(t, tmpl).setUp(y)
	r, sb := diskRig(t, tmpl)
	remount := func(mode string) {
		t.Helper()
		if out, err := exec.Command("mount", "-o", "remount,"+mode, r.dir).CombinedOutput(); err != nil {
			t.Fatalf("remount %s: %v %s", mode, err, out)
		}
	}
	remount("ro")
	res := r.run(0, nil, "charge", "--due", "-o", "json")
	if res.code == 0 || res.killed || res.code > 11 {
		t.Errorf("charge --due on a read-only database: want a clean failure, got %s", res)
	}
	if n := chargesAt(sb); n != 0 {
		t.Errorf("%d charges reached Paybox from a read-only database", n)
	}
	t.Logf("read-only: exit %d: %s", res.code, lastLine(res.stderr))
	remount("rw")
	r.settle(4, nil)
	checkExactly(t, sb.sb.Records(), r.readBooks(), y.n)
	r.dbCheck()
}
