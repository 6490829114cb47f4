package cli

import "github.com/spf13/cobra"

// newAccountCmd is the "account" group (account positions).
func newAccountCmd(env *Env) *cobra.Command {
	return &cobra.Command{
		Use:     "account",
		Short:   "Show students' account positions",
		Example: "  inpctl account show 22104567",
		Args:    cobra.NoArgs,
	}
}
