package cli

import (
	"bytes"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// newRootCmd is the whole command tree, as inpctl --help builds it.
func newRootCmd(env *Env) *cobra.Command { return rootCmd(env, commands(env)) }

// TestTopLevelNames keeps topLevel's names those of the commands it makes
// (commandsFor finds a command by that name alone).
func TestTopLevelNames(t *testing.T) {
	env := &Env{IO: &IOStreams{In: strings.NewReader(""), Out: &bytes.Buffer{}, Err: &bytes.Buffer{}}, Getenv: func(string) string { return "" }}
	for i, c := range commands(env) {
		if c.Name() != topLevel[i].name || len(c.Aliases) > 0 {
			t.Errorf("topLevel[%d] is %q, makes %q (aliases %v)", i, topLevel[i].name, c.Name(), c.Aliases)
		}
	}
}

// TestCommandsForFindsTheSameCommand runs cobra's Find on the tree
// commandsFor builds and on the whole tree: the same command, the same
// remaining arguments, for root flags in every form.
func TestCommandsForFindsTheSameCommand(t *testing.T) {
	env := &Env{IO: &IOStreams{In: strings.NewReader(""), Out: &bytes.Buffer{}, Err: &bytes.Buffer{}}, Getenv: func(string) string { return "" }}
	for _, args := range [][]string{
		{"account", "show", "22104567"},
		{"--db", "x.db", "account", "show", "22104567"},
		{"--db=x.db", "-o", "json", "account", "show", "22104567", "--as-of", "2025-07-11"},
		{"-ojson", "-q", "--yes", "charge", "--due"},
		{"-qo", "csv", "--csv-dialect", "excel-fr", "account", "export"},
		{"--config", "c.yaml", "--operator", "me", "version"},
		{"--yes=true", "--quiet", "schedule", "approve", "--all-requested"},
		{"db", "check"},
		{"credit-note", "list"},
		{"account", "nope"},
		{"acount", "show"},
		{"help", "account"},
		{"--help"},
		{"-h", "account"},
		{"exit-codes"},
		{"--as-of", "2025-07-11", "account", "show", "1"},
		{"--", "account"},
		{},
	} {
		lazy, whole := rootCmd(env, commandsFor(env, args)), newRootCmd(env)
		lc, la, lerr := lazy.Find(args)
		wc, wa, werr := whole.Find(args)
		if path(lc) != path(wc) || strings.Join(la, " ") != strings.Join(wa, " ") || (lerr == nil) != (werr == nil) {
			t.Errorf("%q: commandsFor finds %s %q (%v), the whole tree %s %q (%v)", args, path(lc), la, lerr, path(wc), wa, werr)
		}
		if n := len(lazy.Commands()); n != 2 && n != len(whole.Commands()) { // the one and exit-codes, or all
			t.Errorf("%q: %d top-level commands", args, n)
		}
	}
}

func path(c *cobra.Command) string {
	if c == nil {
		return "<nil>"
	}
	return c.CommandPath()
}
