package cli

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"pgregory.net/rapid"
)

// TestNounsNameTheirCommand: each entry of nouns builds the command of its
// name, and the whole tree has no other command (help and completion are
// cobra's own).
func TestNounsNameTheirCommand(t *testing.T) {
	env := &Env{IO: &IOStreams{In: strings.NewReader(""), Out: &bytes.Buffer{}, Err: &bytes.Buffer{}}, Getenv: func(string) string { return "" }}
	names := map[string]bool{}
	for _, n := range nouns {
		c := n.cmd(env)
		if c.Name() != n.name || len(c.Aliases) != 0 {
			t.Errorf("nouns: %q builds %q (aliases %v)", n.name, c.Name(), c.Aliases)
		}
		names[n.name] = true
	}
	seen := map[string]bool{}
	for _, c := range newRootCmd(env).Commands() {
		if !names[c.Name()] || seen[c.Name()] {
			t.Errorf("command %q is not in nouns, or twice in the tree", c.Name())
		}
		seen[c.Name()] = true
	}
	if len(seen) != len(nouns) {
		t.Errorf("the tree has %d commands, nouns %d", len(seen), len(nouns))
	}
}

func TestFirstCommandWord(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, ""},
		{[]string{"account", "show", "X"}, "account"},
		{[]string{"--db", "x.db", "account", "show"}, "account"},
		{[]string{"--db=x.db", "-q", "--yes", "student"}, "student"},
		{[]string{"--operator", "account", "student", "list"}, "student"},
		{[]string{"--config", "c.yaml", "-o", "json", "fees"}, "fees"},
		{[]string{"-ojson", "--output=csv", "--quiet=false", "--yes=true", "db"}, "db"},
		{[]string{"--help", "account"}, ""},
		{[]string{"-qo", "json", "account"}, ""},
		{[]string{"--version"}, ""},
		{[]string{"--", "account"}, ""},
		{[]string{"--db"}, ""},
		{[]string{"--bogus", "account"}, ""},
	} {
		if got := firstCommandWord(c.args); got != c.want {
			t.Errorf("firstCommandWord(%q) = %q, want %q", c.args, got, c.want)
		}
	}
}

// TestPartialTreeSameAsWhole: a run with only the named command's subtree
// prints and exits exactly as a run with the whole tree (help, usage
// errors, suggestions, a missing database).
func TestPartialTreeSameAsWhole(t *testing.T) {
	db := filepath.Join(t.TempDir(), "none.db")
	run := func(build func(*Env, []string) *cobra.Command, args []string) string {
		defer func(old func(*Env, []string) *cobra.Command) { rootFor = old }(rootFor)
		rootFor = build
		var out, errb bytes.Buffer
		env := &Env{IO: &IOStreams{In: strings.NewReader(""), Out: &out, Err: &errb}, Getenv: func(string) string { return "" }}
		rc := Run(env, args)
		return out.String() + "\n--stderr--\n" + errb.String() + "\n--exit--\n" + string(rune('0'+rc))
	}
	whole := func(env *Env, _ []string) *cobra.Command { return newRootCmd(env) }
	for _, args := range [][]string{
		{"account", "--help"}, {"account", "show", "--help"}, {"account"}, {"account", "shw"}, {"account", "show"},
		{"--db", db, "account", "show", "22100001"}, {"-o", "yaml", "account", "show", "X"}, {"--db", db, "-o", "json", "account", "show", "X"},
		{"account", "show", "X", "--section", "nope"}, {"version"}, {"exit-codes"}, {"student", "list", "--bogus"},
		{"-q", "--operator", "x", "db", "--help"}, {"-ojson", "version"}, {"config", "check"}, {"fees", "--help"},
		{"help", "account"}, {"--help"}, {"nope"}, {"accuont"}, {"account", "show", "a", "b"}, {"version", "extra"},
		{"schedule", "approve"}, {"charge", "--help"}, {"gateway"}, {"pay", "ipn", "--help"},
	} {
		if got, want := run(newRootCmdFor, args), run(whole, args); got != want {
			t.Errorf("%q:\npartial tree:\n%s\nwhole tree:\n%s", args, got, want)
		}
	}
}

// TestMaskCardNumbersShortcut: skipping the regexp for text with fewer
// than 13 digits changes nothing (compared with the regexp alone).
func TestMaskCardNumbersShortcut(t *testing.T) {
	regexpOnly := func(s string) string {
		return cardRunRe().ReplaceAllStringFunc(s, func(m string) string {
			digits := strings.NewReplacer(" ", "", "-", "").Replace(m)
			if len(digits) < 13 || len(digits) > 19 || !luhnValid(digits) {
				return m
			}
			return "****" + digits[len(digits)-4:]
		})
	}
	rapid.Check(t, func(t *rapid.T) {
		s := rapid.StringOfN(rapid.SampledFrom([]rune("0123456789 -=a٣")), 0, 40, -1).Draw(t, "s")
		if got, want := maskCardNumbers(s), regexpOnly(s); got != want {
			t.Fatalf("maskCardNumbers(%q) = %q, regexp alone %q", s, got, want)
		}
	})
	for _, s := range []string{"4111 1111 1111 1111", "--card=4111-1111-1111-1111", "411111111111", "22119979-4"} {
		if got, want := maskCardNumbers(s), regexpOnly(s); got != want {
			t.Errorf("maskCardNumbers(%q) = %q, regexp alone %q", s, got, want)
		}
	}
}
