package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/store"
)

func TestCleanWriter(t *testing.T) {
	cases := []struct {
		json    bool
		in, out string
	}{
		{false, "Exemple\x1b[2J\x1b]0;x\x07\x00 ok\n\tfin\r\x7f", "Exemple[2J]0;x ok\n\tfin"},
		{false, "a\u009b31mb", "a31mb"},
		{true, `{"n": "a` + "\u009b" + `b` + "\x7f" + `"}` + "\n", `{"n": "a\u009bb\u007f"}` + "\n"},
		{false, "Clermont-Ferrand é à ü", "Clermont-Ferrand é à ü"},
	}
	for _, c := range cases {
		var b bytes.Buffer
		w := newCleanWriter(&b, c.json)
		// byte by byte: a C1 character split between two writes is caught
		for i := 0; i < len(c.in); i++ {
			if n, err := w.Write([]byte{c.in[i]}); n != 1 || err != nil {
				t.Fatalf("Write: %d %v", n, err)
			}
		}
		if b.String() != c.out {
			t.Errorf("%q: got %q, want %q", c.in, b.String(), c.out)
		}
		b.Reset()
		if n, _ := newCleanWriter(&b, c.json).Write([]byte(c.in)); n != len(c.in) || b.String() != c.out {
			t.Errorf("%q in one write: got %q (%d)", c.in, b.String(), n)
		}
	}
	if got := cleanText("nom \x1b[31mrouge\x1b[0m\n"); got != "nom [31mrouge[0m\n" {
		t.Errorf("cleanText: %q", got)
	}
}

// TestShowStripsControlSequences (issue 17 §7): a name stored with escape
// sequences and a NUL (before imports refused them) is printed without
// them, in a table, CSV and JSON (escaped there, the data kept exact).
func TestShowStripsControlSequences(t *testing.T) {
	env, dir := accountTestEnv(t)
	acctRun(t, env, "init")
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(dir, "inpctl.db"), clock.Fixed(time.Now()), store.MustExist)
	if err != nil {
		t.Fatal(err)
	}
	hostile := "Exemple\x1b[2J\x1b]0;pwned\x07\x00\u009b31m"
	_, _, err = db.ImportStudents(ctx, "old.csv", []store.ImportRow{{Student: store.Student{ID: "22100001", LastName: hostile,
		FirstName: "Camille", Email: "c@example.org", Programme: "ING-GC-3A"}, Year: "2025-2026", Line: 2}}, false, nil)
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"table", "csv", "json"} {
		out := acctRun(t, env, "student", "show", "22100001", "-o", format)
		if strings.ContainsAny(out, "\x1b\x07\x00\u009b") {
			t.Errorf("-o %s prints control characters: %q", format, out)
		}
		if !strings.Contains(out, "Exemple") {
			t.Errorf("-o %s lost the name: %q", format, out)
		}
		if format == "json" && !strings.Contains(out, `Exemple\u001b[2J\u001b]0;pwned\u0007\u0000\u009b31m`) {
			t.Errorf("JSON must keep the data, escaped: %q", out)
		}
	}
	out := acctRun(t, env, "student", "list")
	if strings.ContainsAny(out, "\x1b\x07\x00\u009b") {
		t.Errorf("student list prints control characters: %q", out)
	}
}
