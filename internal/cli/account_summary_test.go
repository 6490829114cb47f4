package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// accountTestEnv is an Env on a fresh database in a temp dir, at a fixed time.
func accountTestEnv(t *testing.T) (*Env, string) {
	t.Helper()
	dir := t.TempDir()
	vars := map[string]string{"INPCTL_DB": filepath.Join(dir, "inpctl.db"), "INPCTL_NOW": "2025-09-01T09:00:00+02:00", "HOME": dir, "USER": "clerk"}
	var environ []string
	for k, v := range vars {
		environ = append(environ, k+"="+v)
	}
	env := &Env{IO: &IOStreams{In: strings.NewReader(""), Out: &bytes.Buffer{}, Err: &bytes.Buffer{}},
		Getenv: func(k string) string { return vars[k] }, Environ: environ}
	return env, dir
}

func acctRun(t *testing.T, env *Env, args ...string) string {
	t.Helper()
	out := env.IO.Out.(*bytes.Buffer)
	out.Reset()
	if code := Run(env, args); code != 0 {
		t.Fatalf("inpctl %s: exit %d: %s", strings.Join(args, " "), code, env.IO.Err.(*bytes.Buffer).String())
	}
	return out.String()
}

// TestAccountSummaryKV: the lines student show adds (four figures, plan,
// next debit) for a paid student and for one with an approved 3x plan.
func TestAccountSummaryKV(t *testing.T) {
	env, dir := accountTestEnv(t)
	csv := filepath.Join(dir, "s.csv")
	if err := os.WriteFile(csv, []byte("student_id,last_name,first_name,email,programme\n"+
		"22100001,Payé,Paul,p@etu.example.org,ING-GC-3A\n22100002,Trois,Léa,l@etu.example.org,ING-GC-3A\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	acctRun(t, env, "init")
	acctRun(t, env, "student", "import", csv)
	acctRun(t, env, "dossier", "set-code", "22100001", "01")
	acctRun(t, env, "dossier", "set-code", "22100002", "01")
	acctRun(t, env, "payment", "record", "22100001", "--amount", "628", "--method", "cheque", "--ref", "CHQ-1", "--yes")
	acctRun(t, env, "schedule", "request", "22100002", "--plan", "3x")
	acctRun(t, env, "schedule", "approve", "22100002", "--yes")
	defer env.closeStore()

	kv, err := accountSummaryKV(context.Background(), env, "22100001", "2025-2026")
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	writeKV(&b, kv)
	want := "Débit 628,00 €\nCrédit 628,00 €\nSolde 0,00 €\nPosition 0,00 €\n"
	if got := acctSqueeze(b.String()); got != want {
		t.Errorf("paid student:\n%s\nwant\n%s", got, want)
	}

	kv, err = accountSummaryKV(context.Background(), env, "22100002", "2025-2026")
	if err != nil {
		t.Fatal(err)
	}
	b.Reset()
	writeKV(&b, kv)
	if !strings.Contains(acctSqueeze(b.String()), "Échéancier 3x, approuvé : 0/3 échéance payée (0,00 € reçus), reste 628,00 €") {
		t.Errorf("student with a plan:\n%s", b.String())
	}
	// The plan of another year is not shown.
	if kv, _ = accountSummaryKV(context.Background(), env, "22100002", "2024-2025"); kv[4][1] != "" {
		t.Errorf("plan of another year shown: %q", kv[4][1])
	}
	if _, err := accountSummaryKV(context.Background(), env, "99999999", "2025-2026"); err == nil {
		t.Error("unknown student: no error")
	}
}

// acctSqueeze collapses runs of spaces (table padding) into one.
func acctSqueeze(s string) string {
	for strings.Contains(s, "  ") {
		s = strings.ReplaceAll(s, "  ", " ")
	}
	return s
}

// accountSummaryKV is the lines student show adds for an account.
func accountSummaryKV(ctx context.Context, env *Env, studentID, year string) ([][2]string, error) {
	b, err := accountBriefOf(ctx, env, studentID, year)
	return b.KV(), err
}
