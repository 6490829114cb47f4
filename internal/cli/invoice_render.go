package cli

import (
	"context"
	"os"
	"runtime"

	"github.com/inpctl/inpctl/internal/billing"
	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/invoice"
	"github.com/spf13/cobra"
)

type renderOpts struct {
	env                *Env
	numbers            []string
	session, out, asOf string
	all                bool
}

func newInvoiceRenderCmd(env *Env) *cobra.Command {
	o := &renderOpts{env: env}
	cmd := &cobra.Command{
		Use:   "render NUMBER... | --session S | --all",
		Short: "Write invoices (and credit notes) as PDF files",
		Long: `Write invoices as PDF files named FACTURE-<N>.pdf in --out (default: the
current folder); with --all, credit notes too, as AVOIR-<N>.pdf. The invoice
part never changes; a block "Règlements reçus au DD/MM/YYYY" shows the payments
allocated as of --as-of (default today) and what is still due. The same
invoice and as-of date always give a byte-identical PDF. Each file is written
to a temporary name and renamed, so a failure never leaves a partial PDF;
the temporary files of a render killed mid-run are removed by the next
render into the same folder (renders into one folder take turns).
--out - writes one invoice to stdout.` + exitDoc("0   written", "2   bad arguments or folder", "4   no such invoice"),
		Example: "  inpctl invoice render 9201 --out invoices/\n  inpctl invoice render --all --out invoices/ --as-of 2026-06-30\n  inpctl invoice render 9201 --out - > facture.pdf",
		Args: func(c *cobra.Command, args []string) error {
			if o.all && o.session != "" {
				return fault.New(fault.Usage, "give --session S or --all, not both (--all already takes every session)")
			}
			if o.all {
				return notBoth(args, "invoice numbers", "--all")
			}
			if o.session != "" {
				return notBoth(args, "invoice numbers", "--session")
			}
			if len(args) == 0 {
				return fault.New(fault.Usage, "give invoice numbers, --session S or --all")
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			o.numbers = args
			return runInvoiceRender(c.Context(), o)
		},
	}
	cmd.Flags().BoolVar(&o.all, "all", false, "every invoice and credit note")
	cmd.Flags().StringVar(&o.session, "session", "", "every invoice of this session")
	cmd.Flags().StringVar(&o.out, "out", ".", "output folder, or - for stdout (one invoice)")
	cmd.Flags().StringVar(&o.asOf, "as-of", "", "date of the payments block (YYYY-MM-DD, default today)")
	return cmd
}

func runInvoiceRender(ctx context.Context, o *renderOpts) error {
	svc, err := o.env.Service(ctx, "")
	if err != nil {
		return err
	}
	if err := (filters{InvoiceSession: o.session}).check(ctx, o.env); err != nil {
		return err
	}
	asOf, err := o.asOfDate()
	if err != nil {
		return err
	}
	more, err := o.documents(ctx, svc, asOf)
	if err != nil {
		return err
	}
	bulk := o.all || o.session != ""
	if o.out == "-" {
		return o.toStdout(ctx, svc, asOf, bulk, more)
	}
	if fi, err := os.Stat(o.out); err != nil || !fi.IsDir() {
		if err := os.MkdirAll(o.out, 0o755); err != nil {
			return fault.Wrap(fault.Usage, err, "--out %s is not a folder", o.out)
		}
	}
	unlock, err := lockRenderDir(o.out)
	if err != nil {
		return err
	}
	defer unlock()
	draw := func(int) {}
	batch := invoice.Batch{Workers: runtime.NumCPU(), Progress: func(done int) { draw(done) }}
	total, err := svc.RenderBatch(ctx, o.out, bulk, o.session, asOf, more, batch, func(n int) {
		draw = o.env.Progress("rendering", n)
	})
	if err != nil {
		return err
	}
	if total == 0 {
		o.env.Infof("no invoices to render")
		return nil
	}
	o.env.Infof("✓ %d PDF(s) written to %s", total, o.out)
	return nil
}

// toStdout writes the one invoice selected to stdout (--out -).
func (o *renderOpts) toStdout(ctx context.Context, svc *billing.Service, asOf clock.Date, bulk bool, more []invoice.Document) error {
	docs := more
	if bulk {
		all, err := svc.InvoiceDocuments(ctx, o.session, asOf)
		if err != nil {
			return err
		}
		docs = append(all, more...)
	}
	if len(docs) != 1 {
		return fault.New(fault.Usage, "--out - writes one invoice; %d were selected", len(docs))
	}
	return invoice.Render(o.env.IO.Out, invoice.Build(docs[0]))
}

func (o *renderOpts) asOfDate() (clock.Date, error) {
	if o.asOf == "" {
		return o.env.Today()
	}
	d, err := clock.ParseDate(o.asOf)
	if err != nil {
		return d, fault.New(fault.Usage, "--as-of %v", err)
	}
	return d, nil
}

// documents gathers, before anything is written, the documents named on
// the command line and, with --all, the credit notes: an unknown number
// fails the command before any file is written. The invoices of --all and
// --session are read while they render (billing.RenderJobs).
func (o *renderOpts) documents(ctx context.Context, svc *billing.Service, asOf clock.Date) ([]invoice.Document, error) {
	var docs []invoice.Document
	for _, n := range o.numbers {
		d, err := svc.InvoiceDocument(ctx, n, asOf)
		if err != nil {
			return nil, err
		}
		docs = append(docs, d)
	}
	if o.all {
		cns, err := svc.CreditNoteDocuments(ctx)
		if err != nil {
			return nil, err
		}
		docs = append(docs, cns...)
	}
	return docs, nil
}
