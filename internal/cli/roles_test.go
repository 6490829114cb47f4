package cli

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// noBooks are the commands that never open the books: they need no role.
var noBooks = map[string]bool{"version": true, "config check": true, "gateway sandbox": true, "mail sandbox": true, "help": true}

// TestEveryCommandHasARole: each command that opens the books is in
// commandRoles (a new command that is not would need the owner's role,
// which is safe but surely not what its author meant), and commandRoles
// names no command that does not exist.
func TestEveryCommandHasARole(t *testing.T) {
	env := &Env{IO: &IOStreams{In: strings.NewReader(""), Out: &bytes.Buffer{}, Err: &bytes.Buffer{}}, Getenv: os.Getenv}
	root := newRootCmd(env)
	seen := map[string]bool{}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, s := range c.Commands() {
			walk(s)
		}
		// A group (invoice, mail…) only prints its help; charge and
		// reconcile are groups that run too, and are listed.
		group := c.HasSubCommands() && commandRoles[strings.TrimPrefix(c.CommandPath(), "inpctl ")] == ""
		if c == root || group || !c.Runnable() || c.Hidden || strings.HasPrefix(c.CommandPath(), "inpctl completion") {
			return
		}
		path := strings.TrimPrefix(c.CommandPath(), "inpctl ")
		seen[path] = true
		if _, ok := commandRoles[path]; !ok && !noBooks[path] {
			t.Errorf("%s has no role in commandRoles", path)
		}
	}
	walk(root)
	for path := range commandRoles {
		if !seen[path] {
			t.Errorf("commandRoles names %q, which is not a command", path)
		}
	}
	for path := range noBooks {
		if !seen[path] && path != "help" {
			t.Errorf("noBooks names %q, which is not a command", path)
		}
	}
}
