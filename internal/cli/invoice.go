package cli

import "github.com/spf13/cobra"

func newInvoiceCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "invoice",
		Short:   "Issue, list, show and render invoices",
		Example: "  inpctl invoice issue 22104567\n  inpctl invoice render --all --out invoices/",
		Args:    cobra.NoArgs,
	}
	return cmd
}

func newCreditNoteCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "credit-note",
		Short:   "Issue and list credit notes (avoirs)",
		Example: `  inpctl credit-note issue 9201 --amount 100,00 --reason "remise accordée"`,
		Args:    cobra.NoArgs,
	}
	return cmd
}
