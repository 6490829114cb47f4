package cli

import (
	"io"
	"os"

	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/gateway/sandbox"
)

// runSandboxExport is gateway sandbox --export FILE: what the sandbox did
// (its journal: --state, else the built-in sandbox's next to the
// database), written in the layout of the Paybox back office's transaction
// export that reconcile paybox reads (accounting.paybox_export), ;
// separated as the back office writes it. Nothing is served.
func runSandboxExport(o *sandboxOpts) error {
	cfg, err := o.env.Config()
	if err != nil {
		return err
	}
	state := o.state
	if state == "" {
		if state = cfg.Gateway.SandboxState; state == "" {
			state = sandboxStateOf(cfg.Database)
		}
	}
	if _, err := os.Stat(state); err != nil {
		return fault.New(fault.Usage, "no sandbox journal %s: nothing to export", state).
			WithHint("give the journal with --state FILE (the built-in sandbox's is the database's name + .sandbox)")
	}
	clk, err := o.env.Clock()
	if err != nil {
		return err
	}
	sb, err := sandbox.New(sandbox.Options{StatePath: state, Now: clk.Now})
	if err != nil {
		return fault.Wrap(fault.Failure, err, "read the sandbox journal %s", state)
	}
	defer sb.Close()
	x := cfg.Accounting.PayboxExport
	l := sandbox.ExportLayout{Separator: ';', Date: x.Columns.Date, NumTrans: x.Columns.NumTrans, NumAppel: x.Columns.NumAppel,
		Reference: x.Columns.Reference, Amount: x.Columns.Amount, Type: x.Columns.Type, Status: x.Columns.Status,
		PaymentType: x.PaymentTypes[0], RefundType: x.RefundTypes[0], OKStatus: x.OKStatuses[0]}
	if o.export == "-" {
		return sb.Export(o.env.IO.Out, l)
	}
	if err := acctWriteFile(o.export, func(w io.Writer) error { return sb.Export(w, l) }); err != nil {
		return err
	}
	o.env.Infof("✓ %s written: the sandbox's payments and refunds (journal %s)", o.export, state)
	return nil
}
