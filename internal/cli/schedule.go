package cli

import "github.com/spf13/cobra"

// newScheduleCmd is the "schedule" group (instalment plans).
func newScheduleCmd(env *Env) *cobra.Command {
	return &cobra.Command{
		Use:     "schedule",
		Short:   "Request, approve and show instalment plans",
		Example: "  inpctl schedule request 22104567 --plan 3x",
		Args:    cobra.NoArgs,
	}
}
