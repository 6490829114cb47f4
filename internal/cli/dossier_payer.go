package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/inpctl/inpctl/internal/billing"
	"github.com/inpctl/inpctl/internal/siret"
	"github.com/spf13/cobra"
)

type setPayerOpts struct {
	env                *Env
	student, year      string
	name, siret, poRef string
	address            []string
}

func newDossierSetPayerCmd(env *Env) *cobra.Command {
	o := &setPayerOpts{env: env}
	cmd := &cobra.Command{
		Use:   "set-payer STUDENT_ID --name NAME --siret SIRET [--address LINE]... [--po-ref REF]",
		Short: "Name the company or OPCO that pays a student's order",
		Long: `Name the third party (a company, an OPCO) that pays the whole order of a
student's dossier, as for codes 42 and 08. Its invoice is addressed to the
payer, names the student, and carries the mentions of an invoice to a
business (due date, late-payment penalties, the 40 € recovery indemnity).
The student then cannot pay the order: pay link, schedule request and
charge refuse it, naming the payer; the payer's transfers are recorded with
payment record --payer.

The SIRET has 14 digits (spaces allowed) and is checked. Setting a payer is
refused while the student has a plan or has paid something on the order. An
invoice already issued to the student is cancelled by a credit note and
issued again to the payer: it asks for confirmation (--yes in scripts).
Setting it again replaces the payer (the audit log keeps the earlier one).` + exitDoc(
			"0   set", "2   a bad SIRET or a missing name", "4   no such student",
			"5   refused: the student has a plan or has paid, or the order is 0,00 €"),
		Example: `  inpctl dossier set-payer 22100042 --name "Exemple Formation SAS" --siret "412 001 232 10004" \
      --address "12 rue de l'Exemple" --address "63000 Clermont-Ferrand" --po-ref "BC-2025-118"`,
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
	cmd.Flags().StringVar(&o.year, "year", "", "academic year of the dossier (default: the config's)")
	return cmd
}

func runSetPayer(ctx context.Context, o *setPayerOpts) error {
	svc, err := o.env.Service(ctx, o.year)
	if err != nil {
		return err
	}
	in := billing.PayerInput{StudentID: o.student, Name: o.name, SIRET: o.siret, Address: o.address, PORef: o.poRef}
	d, err := svc.DB.Dossier(ctx, o.student, svc.Year)
	if err != nil {
		return err
	}
	if d.OrderNumber != "" {
		if err := o.env.Confirm(fmt.Sprintf("make %s (SIRET %s) the payer of order %s of student %s (an invoice already issued to the student is cancelled and issued again to the payer)?",
			o.name, siret.Format(siret.Normalize(o.siret)), d.OrderNumber, o.student)); err != nil {
			return err
		}
	}
	res, err := svc.SetPayer(ctx, in)
	if err != nil {
		return err
	}
	msg := fmt.Sprintf("✓ %s (SIRET %s) pays order %s of student %s", res.Payer.Name, siret.Format(res.Payer.SIRET), res.Order, o.student)
	if r := res.Reinvoiced; r != nil {
		msg += fmt.Sprintf("; invoice %s cancelled by credit note %s, invoice %s issued to the payer", r.OldInvoice, r.CreditNote, r.NewInvoice)
	}
	o.env.Infof("%s", msg)
	return PrintObject(o.env.Printer(), res, func(w io.Writer) error {
		_, err := fmt.Fprintf(w, "Payeur       %s\nSIRET        %s\nAdresse      %s\nBon de cde   %s\nCommande     %s\n",
			res.Payer.Name, siret.Format(res.Payer.SIRET), res.Payer.Address, res.Payer.PORef, res.Order)
		return err
	})
}
