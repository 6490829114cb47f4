package cli

import (
	"github.com/spf13/cobra"

	"github.com/inpctl/inpctl/internal/fault"
)

// noArgs refuses any argument to a command that takes none (exit 2).
// cobra.NoArgs answers `unknown command "9201" for "inpctl invoice list"`,
// which reads as a mistyped subcommand of a command that has none.
// (Command groups get unknownSubcommand instead: see
// refuseUnknownSubcommands.)
func noArgs(c *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	return fault.New(fault.Usage, "%s takes no arguments, got %q", c.CommandPath(), args[0]).
		WithHint("see %s --help", c.CommandPath())
}

// notBoth refuses arguments given with a flag that selects instead of
// them (exit 2): "give STUDENT_ID or --due, not both".
func notBoth(args []string, what, flag string) error {
	if len(args) == 0 {
		return nil
	}
	return fault.New(fault.Usage, "give %s or %s, not both (got %q with %s)", what, flag, args[0], flag)
}
