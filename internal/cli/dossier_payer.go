package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/inpctl/inpctl/internal/billing"
	"github.com/inpctl/inpctl/internal/siret"
	"github.com/spf13/cobra"
)

type setPayerOpts struct {
	env                *Env
	student, year      string
	name, siret, poRef string
	share              string
	address            []string
}

func newDossierSetPayerCmd(env *Env) *cobra.Command {
	o := &setPayerOpts{env: env}
	cmd := &cobra.Command{
		Use:   "set-payer STUDENT_ID --name NAME --siret SIRET [--address LINE]... [--po-ref REF] [--share AMOUNT]",
		Short: "Name the company or OPCO that pays a student's order",
		Long: `Name the third party (a company, an OPCO) that pays the order of a
student's dossier, as for codes 42 and 08: the whole order, or with --share
the part of its TTC the payer pays (the seed's "Financé TTC"), the student
paying the rest. The payer's invoice is addressed to the payer, names the
student, and carries the mentions of an invoice to a business (due date,
late-payment penalties, the 40 € recovery indemnity). The student cannot pay
what the payer pays: on a whole order pay link, schedule request and charge
refuse it, naming the payer; with a share the order has two invoices, the
payer's for the share and the student's for the rest, and pay link, plans,
charges and payment record ask the student for the rest only. The payer's
transfers are recorded with payment record --payer.

--share is an amount above 0,00 € and below the order's TTC, written as the
other amount flags are (2000,00, "2 000,00" or 2000.00); the order's two
invoices are issued at once.

The SIRET has 14 digits (spaces allowed) and is checked. Setting a payer is
refused while the student has a plan or has paid something on the order. An
invoice already issued to the student is cancelled by a credit note and
issued again to the payer: it asks for confirmation (--yes in scripts).
Setting it again replaces the payer (the audit log keeps the earlier one).` + exitDoc(
			"0   set", "2   a bad SIRET, a missing name, or a share not below the order's TTC", "4   no such student",
			"5   refused: the student has a plan or has paid, or the order is 0,00 €"),
		Example: `  inpctl dossier set-payer 22100042 --name "Exemple Formation SAS" --siret "412 001 232 10004" \
      --address "12 rue de l'Exemple" --address "63000 Clermont-Ferrand" --po-ref "BC-2025-118"
  inpctl dossier set-payer 22100005 --name "OPCO Exemple" --siret "412 001 232 10004" --share "2 000,00"`,
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			o.student = args[0]
			return runSetPayer(c.Context(), o)
		},
	}
	cmd.Flags().StringVar(&o.name, "name", "", "the payer's name (required)")
	cmd.Flags().StringVar(&o.siret, "siret", "", "the payer's SIRET, 14 digits (required)")
	cmd.Flags().StringArrayVar(&o.address, "address", nil, "an address line (repeat for each line)")
	cmd.Flags().StringVar(&o.poRef, "po-ref", "", "the purchase order or contract reference")
	cmd.Flags().StringVar(&o.share, "share", "", "the part of the order's TTC the payer pays (default: the whole order)")
	cmd.Flags().StringVar(&o.year, "year", "", "academic year of the dossier (default: the config's)")
	return cmd
}

func runSetPayer(ctx context.Context, o *setPayerOpts) error {
	svc, err := o.env.Service(ctx, o.year)
	if err != nil {
		return err
	}
	in := billing.PayerInput{StudentID: o.student, Name: o.name, SIRET: o.siret, Address: o.address, PORef: o.poRef}
	if o.share != "" {
		if in.Share, err = parseAmountFlag("--share", o.share); err != nil {
			return err
		}
	}
	d, err := svc.DB.Dossier(ctx, o.student, svc.Year)
	if err != nil {
		return err
	}
	if d.OrderNumber != "" {
		what, then := "the payer of order", "an invoice already issued to the student is cancelled and issued again to the payer"
		if in.Share > 0 {
			what = "the payer of " + in.Share.String() + " of order"
			then = "the order is invoiced in two parts, the payer's and the student's; an invoice already issued is cancelled first"
		}
		if err := o.env.Confirm(fmt.Sprintf("make %s (SIRET %s) %s %s of student %s (%s)?",
			o.name, siret.Format(siret.Normalize(o.siret)), what, d.OrderNumber, o.student, then)); err != nil {
			return err
		}
	}
	res, err := svc.SetPayer(ctx, in)
	if err != nil {
		return err
	}
	pays := "pays order"
	if res.Payer.Share > 0 {
		pays = "pays " + res.Payer.Share.String() + " of order"
	}
	msg := fmt.Sprintf("✓ %s (SIRET %s) %s %s of student %s", res.Payer.Name, siret.Format(res.Payer.SIRET), pays, res.Order, o.student)
	switch r := res.Reinvoiced; {
	case r != nil && res.Payer.Share > 0:
		msg += fmt.Sprintf("; invoice %s cancelled by credit note %s, invoices %s issued (the student's part, then the payer's)", r.OldInvoice, r.CreditNote, r.NewInvoice)
	case r != nil:
		msg += fmt.Sprintf("; invoice %s cancelled by credit note %s, invoice %s issued to the payer", r.OldInvoice, r.CreditNote, r.NewInvoice)
	case len(res.Invoices) > 0:
		msg += fmt.Sprintf("; invoices %s issued (the student's part, then the payer's)", strings.Join(res.Invoices, ", "))
	}
	o.env.Infof("%s", msg)
	return PrintObject(o.env.Printer(), res, func(w io.Writer) error {
		share := "toute la commande"
		if res.Payer.Share > 0 {
			share = res.Payer.Share.String()
		}
		_, err := fmt.Fprintf(w, "Payeur       %s\nSIRET        %s\nAdresse      %s\nBon de cde   %s\nCommande     %s\nFinancé TTC  %s\n",
			res.Payer.Name, siret.Format(res.Payer.SIRET), res.Payer.Address, res.Payer.PORef, res.Order, share)
		return err
	})
}
