package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// writeCounter counts the Write calls it gets.
type writeCounter struct {
	bytes.Buffer
	writes int
}

func (w *writeCounter) Write(p []byte) (int, error) {
	w.writes++
	return w.Buffer.Write(p)
}

// TestAccountShowOneWrite: account show prints the whole position in one
// write (one syscall on a terminal or pipe), the same bytes as before in
// every format.
func TestAccountShowOneWrite(t *testing.T) {
	env, dir := accountTestEnv(t)
	csv := filepath.Join(dir, "s.csv")
	if err := os.WriteFile(csv, []byte("student_id,last_name,first_name,email,programme\n22100001,Payé,Paul,p@etu.example.org,ING-GC-3A\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	acctRun(t, env, "init")
	acctRun(t, env, "student", "import", csv)
	acctRun(t, env, "dossier", "set-code", "22100001", "01")
	acctRun(t, env, "payment", "record", "22100001", "--amount", "628", "--method", "cheque", "--ref", "CHQ-1", "--yes")
	for _, args := range [][]string{{"account", "show", "22100001"}, {"-o", "json", "account", "show", "22100001"},
		{"-o", "csv", "account", "show", "22100001", "--section", "reglements"}, {"account", "show", "22100001", "--section", "summary"}} {
		want := acctRun(t, env, args...)
		out := &writeCounter{}
		env.IO.Out = out
		if code := Run(env, args); code != 0 {
			t.Fatalf("%q: exit %d", args, code)
		}
		env.IO.Out = &bytes.Buffer{}
		if out.writes != 1 || out.String() != want {
			t.Errorf("%q: %d writes, output %q, want 1 write of %q", args, out.writes, out.String(), want)
		}
	}
}
