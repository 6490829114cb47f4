package cli

// The reliability suite (issue 10) drives the real inpctl binary — the test
// binary itself, which testscript.Main installs in PATH as "inpctl" — as
// separate processes, so that a process can be killed (SIGKILL) anywhere
// and restarted, as cron would. This file is the harness: a year of
// students set up once and copied per case, a Paybox sandbox served over
// loopback HTTP whose own records are the truth, and the checks that every
// instalment was charged exactly once and recorded once.

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// soak reports whether INPCTL_SOAK asks for the long runs (make soak).
func soak() bool { return os.Getenv("INPCTL_SOAK") != "" }

// rig runs inpctl against the database of one directory.
type rig struct {
	t   testing.TB
	bin string
	dir string
	now atomic.Pointer[time.Time] // INPCTL_NOW, and the clock of an in-process sandbox
	gw  []string                  // gateway environment once a sandbox is attached
}

// inpctlBin is the inpctl command testscript.Main put in PATH.
func inpctlBin(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("inpctl")
	if err != nil {
		t.Fatalf("inpctl is not in PATH (testscript.Main installs it): %v", err)
	}
	return p
}

func newRig(t testing.TB, dir string) *rig {
	r := &rig{t: t, bin: inpctlBin(t), dir: dir}
	r.at("2025-09-05T10:00:00+02:00")
	return r
}

func (r *rig) db() string { return filepath.Join(r.dir, "inpctl.db") }

// at sets INPCTL_NOW (RFC 3339).
func (r *rig) at(rfc3339 string) {
	tm, err := time.Parse(time.RFC3339, rfc3339)
	if err != nil {
		r.t.Fatal(err)
	}
	r.now.Store(&tm)
}

// clock is the rig's current time, for an in-process sandbox.
func (r *rig) clock() time.Time { return *r.now.Load() }

// environ is the child's environment: the parent's without INPCTL_*, plus
// the database, the clock, a home of its own and the gateway.
func (r *rig) environ(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(name, "INPCTL_"), name == "HOME", name == "USER", name == "XDG_CONFIG_HOME":
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "INPCTL_DB="+r.db(), "INPCTL_NOW="+r.clock().Format(time.RFC3339),
		"HOME="+r.dir, "XDG_CONFIG_HOME="+filepath.Join(r.dir, ".config"), "USER=clerk")
	env = append(env, r.gw...)
	return append(env, extra...)
}

// result is how one inpctl process ended.
type result struct {
	code           int
	killed         bool // ended by SIGKILL (the crash hook or the test's timer)
	timerKill      bool // the test's timer sent a SIGKILL
	stdout, stderr string
	took           time.Duration
}

func (res result) String() string {
	return fmt.Sprintf("exit %d (killed %v)\nstdout:\n%s\nstderr:\n%s", res.code, res.killed, res.stdout, res.stderr)
}

// command builds an inpctl process; start it with start or run.
func (r *rig) command(env []string, args ...string) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
	cmd := exec.Command(r.bin, args...)
	cmd.Dir, cmd.Env = r.dir, r.environ(env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	return cmd, &out, &errb
}

// run runs inpctl; killAfter > 0 sends SIGKILL after that delay if the
// process still runs.
func (r *rig) run(killAfter time.Duration, env []string, args ...string) result {
	r.t.Helper()
	cmd, out, errb := r.command(env, args...)
	start := time.Now()
	if err := cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	var fired atomic.Bool
	if killAfter > 0 {
		timer := time.AfterFunc(killAfter, func() {
			if cmd.Process.Signal(syscall.SIGKILL) == nil {
				fired.Store(true)
			}
		})
		defer timer.Stop()
	}
	res := finish(cmd, out, errb, start, r.t)
	res.timerKill = res.killed && fired.Load()
	return res
}

// startAndFinish runs a command built by command (perhaps changed).
func (r *rig) startAndFinish(cmd *exec.Cmd, out, errb *bytes.Buffer) result {
	r.t.Helper()
	start := time.Now()
	if err := cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	return finish(cmd, out, errb, start, r.t)
}

// finish waits for cmd and reads how it ended.
func finish(cmd *exec.Cmd, out, errb *bytes.Buffer, start time.Time, t testing.TB) result {
	err := cmd.Wait()
	res := result{stdout: out.String(), stderr: errb.String(), took: time.Since(start)}
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatalf("inpctl %v: %v", cmd.Args[1:], err)
	}
	res.code = cmd.ProcessState.ExitCode()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
		res.killed = true
	}
	return res
}

// must runs inpctl and fails the test unless it exits with one of codes
// (0 if none is given).
func (r *rig) must(args ...string) result {
	r.t.Helper()
	return r.expect([]int{0}, args...)
}

func (r *rig) expect(codes []int, args ...string) result {
	r.t.Helper()
	res := r.run(0, nil, args...)
	for _, c := range codes {
		if res.code == c && !res.killed {
			return res
		}
	}
	r.t.Fatalf("inpctl %s: want exit %v, got %s", strings.Join(args, " "), codes, res)
	return res
}

// copyDir copies the regular files of src into dst (a database that is
// not in use, its sandbox journal, the CSV files).
func copyDir(t testing.TB, src, dst string) {
	t.Helper()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.Type().IsRegular() || strings.HasSuffix(e.Name(), "-shm") {
			continue
		}
		copyFile(t, filepath.Join(src, e.Name()), filepath.Join(dst, e.Name()))
	}
}

func copyFile(t testing.TB, src, dst string) {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}
func mkdir(t testing.TB, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// intake initialises the rig's database with n students of ING-GC-3A
// (studentID(1)…) and gives each the fee code 01.
func (r *rig) intake(n int) {
	r.t.Helper()
	var students, codes strings.Builder
	students.WriteString("student_id,last_name,first_name,email,programme\n")
	codes.WriteString("student_id,code\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&students, "%s,Nom%d,Prénom%d,e%d@etu.example.org,ING-GC-3A\n", studentID(i), i, i, i)
		fmt.Fprintf(&codes, "%s,01\n", studentID(i))
	}
	writeFile(r.t, filepath.Join(r.dir, "students.csv"), students.String())
	writeFile(r.t, filepath.Join(r.dir, "codes.csv"), codes.String())
	r.must("init")
	r.must("student", "import", "students.csv")
	r.must("dossier", "set-code", "--from", "codes.csv")
}
