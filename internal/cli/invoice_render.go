package cli

import "github.com/spf13/cobra"

// newInvoiceRenderCmd writes invoice PDFs (wired to internal/invoice).
func newInvoiceRenderCmd(env *Env) *cobra.Command {
	return &cobra.Command{
		Use:     "render NUMBER... | --session S | --all",
		Short:   "Write invoices as PDF files",
		Long:    "Write invoices as PDF files." + exitDoc("0   written", "1   not built yet"),
		Example: "  inpctl invoice render --all --out invoices/",
		Args:    cobra.ArbitraryArgs,
		RunE:    func(c *cobra.Command, args []string) error { return errNotYet("invoice render") },
	}
}
