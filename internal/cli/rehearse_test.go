package cli

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/inpctl/inpctl/internal/rehearse"
	"github.com/inpctl/inpctl/internal/store"
)

// rehearseStudents sets the size of TestRehearse (2000 in make test; larger
// to profile: go test -run TestRehearse -rehearse.students 20000 -cpuprofile …).
var rehearseStudents = flag.Int("rehearse.students", 2000, "students of TestRehearse")

// rehearsalEnv is an Env with the built-in (sandbox) config and no clock
// override: rehearse moves its own clock.
func rehearsalEnv(dir string, extra ...string) *Env {
	vars := map[string]string{"HOME": dir, "USER": "clerk", "INPCTL_DB": filepath.Join(dir, "unused.db")}
	for i := 0; i+1 < len(extra); i += 2 {
		vars[extra[i]] = extra[i+1]
	}
	var environ []string
	for k, v := range vars {
		environ = append(environ, k+"="+v)
	}
	return &Env{IO: &IOStreams{In: strings.NewReader(""), Out: &bytes.Buffer{}, Err: &bytes.Buffer{}},
		Getenv: func(k string) string { return vars[k] }, Environ: environ}
}

type rehearsalJSON struct {
	Steps    []rehearsalStep   `json:"steps"`
	Counts   rehearse.Counts   `json:"counts"`
	Figures  store.YearFigures `json:"figures"`
	Findings []store.Finding   `json:"findings"`
}

// TestRehearse runs "inpctl rehearse --students 2000": db check must be
// clean and the figures of the books must add up to what the rehearsal
// did: every payment it saw, every decline, every blocked order, the money.
func TestRehearse(t *testing.T) {
	dir := t.TempDir()
	env := rehearsalEnv(dir)
	n := *rehearseStudents
	code := Run(env, []string{"rehearse", "--students", strconv.Itoa(n), "--dir", dir, "-o", "json"})
	if code != 0 {
		t.Fatalf("exit %d: %s", code, env.IO.Err.(*bytes.Buffer).String())
	}
	var rep rehearsalJSON
	if err := json.Unmarshal(env.IO.Out.(*bytes.Buffer).Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	for _, s := range rep.Steps {
		t.Logf("%-36s %-10s %6d %10.3fs %8.0f/s", s.Name, s.Date, s.Items, s.Seconds, s.PerSec)
	}
	f, c := rep.Figures, rep.Counts
	// The rehearsal sends no e-mail: its notices wait for mail send, and
	// db check says so (W003). Every other finding is a failure.
	for _, fd := range rep.Findings {
		if !strings.HasPrefix(fd.String(), "W003 ") || !strings.Contains(fd.String(), "pending for more than a day") {
			t.Errorf("db check: %v", fd)
		}
	}
	checks := []struct {
		what      string
		got, want int64
	}{
		{"students", int64(f.Students), int64(n)},
		{"payments", int64(f.Payments), int64(c.Payments)},
		{"payments by kind", int64(c.Payments), int64(c.FirstPaid + c.Approved + c.Transfers + c.Cheques)},
		{"declines", int64(f.Declines), int64(c.Declined)},
		{"blocked orders", int64(f.Blocked), int64(c.Blocked)},
		{"paid", int64(f.Paid), int64(c.Paid)},
		{"refunded", int64(f.Refunded), int64(c.Refunded)},
		{"collected", int64(f.Collected), int64(c.Collected)},
		{"charges", int64(c.Charged), int64(c.Approved + c.Declined + c.Failed)},
	}
	for _, k := range checks {
		if k.got != k.want {
			t.Errorf("%s: the books say %d, the rehearsal counted %d", k.what, k.got, k.want)
		}
	}
	if c.Declined == 0 || c.Blocked == 0 || c.Failed != 0 || c.Exempted != 1 || c.Cheques != 1 || c.Refunded <= 0 {
		t.Errorf("the year should have declines, blocks, no failures, one exemption, one cheque and a refund: %+v", c)
	}
	if f.Invoices < c.FirstPaid+c.Transfers {
		t.Errorf("%d invoices for %d first payments and %d transfers", f.Invoices, c.FirstPaid, c.Transfers)
	}
}

// TestRehearseRefusals: a real Paybox gateway, an existing database and a
// bad size are refused before anything is written.
func TestRehearseRefusals(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name string
		env  *Env
		args []string
		exit int
	}{
		{"real paybox", rehearsalEnv(dir, "INPCTL_GATEWAY_KIND", "paybox"), []string{"rehearse", "--students", "10", "--dir", dir}, ExitConflict},
		{"no students", rehearsalEnv(dir), []string{"rehearse", "--dir", dir}, ExitUsage},
	}
	for _, c := range cases {
		if got := Run(c.env, c.args); got != c.exit {
			t.Errorf("%s: exit %d, want %d: %s", c.name, got, c.exit, c.env.IO.Err.(*bytes.Buffer).String())
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "inpctl.db")); err == nil {
		t.Fatal("a refused rehearsal created a database")
	}
	if err := os.WriteFile(filepath.Join(dir, "inpctl.db"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	env := rehearsalEnv(dir)
	if got := Run(env, []string{"rehearse", "--students", "10", "--dir", dir}); got != ExitConflict {
		t.Errorf("existing database: exit %d: %s", got, env.IO.Err.(*bytes.Buffer).String())
	}
}
