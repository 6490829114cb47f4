package cli

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/inpctl/inpctl/internal/billing"
	"github.com/inpctl/inpctl/internal/csvin"
	"github.com/inpctl/inpctl/internal/fault"
	"github.com/spf13/cobra"
)

type setCodeOpts struct {
	env                 *Env
	student, code       string
	proof, reason, from string
	year                string
}

func newDossierSetCodeCmd(env *Env) *cobra.Command {
	o := &setCodeOpts{env: env}
	cmd := &cobra.Command{
		Use:   "set-code STUDENT_ID CODE | --from FILE",
		Short: "Declare a student's fee code and make the order",
		Long: `Declare the fee code of a student's dossier (status "declared") and create or
replace the order: one line "Droits de scolarité", unit price = the tariff of
the programme and year, VAT 0 %.

Codes 02, 07 and 08 need a proof (--proof) before the dossier can be validated.
A validated dossier changes code only with --reason. On an invoiced order the
change cancels the invoice with a credit note, makes a new order and invoice,
moves the payments to it and leaves any excess as a credit: it asks for
confirmation (--yes in scripts).

--from FILE sets many codes at once from a CSV (columns student_id, code,
optional proof and reason), all or nothing, every bad line listed.` + exitDoc(
			"0   set", "2   bad code file or arguments", "4   no such student", "5   refused by a rule (the message says what would be accepted)"),
		Example: `  inpctl dossier set-code 22104567 01
  inpctl dossier set-code 22104568 02 --proof "attestation CROUS 2025-123"
  inpctl dossier set-code 22104568 02 --proof "attestation CROUS 2025-777" --reason "bourse obtenue en octobre" --yes
  inpctl dossier set-code --from codes.csv`,
		Args: func(c *cobra.Command, args []string) error {
			if o.from != "" && len(args) > 0 {
				return fault.New(fault.Usage, "give either STUDENT_ID CODE or --from FILE, not both")
			}
			if o.from != "" {
				return nil
			}
			return cobra.ExactArgs(2)(c, args)
		},
		RunE: func(c *cobra.Command, args []string) error {
			if o.from != "" {
				return runSetCodes(c.Context(), o)
			}
			o.student, o.code = args[0], args[1]
			return runSetCode(c.Context(), o)
		},
	}
	cmd.Flags().StringVar(&o.proof, "proof", "", "reference of the supporting document (bourse attestation, convention, contract)")
	cmd.Flags().StringVar(&o.reason, "reason", "", "why the code changes (needed on a validated or invoiced dossier)")
	cmd.Flags().StringVar(&o.from, "from", "", "CSV file of codes (student_id, code, proof, reason)")
	cmd.Flags().StringVar(&o.year, "year", "", "academic year (default: the config's)")
	return cmd
}

func runSetCode(ctx context.Context, o *setCodeOpts) error {
	svc, err := o.env.Service(ctx, o.year)
	if err != nil {
		return err
	}
	re, err := svc.WouldReinvoice(ctx, o.student)
	if err != nil {
		return err
	}
	if re {
		if err := o.env.Confirm(fmt.Sprintf("student %s is invoiced: cancel the invoice with a credit note and re-invoice with code %s?", o.student, o.code)); err != nil {
			return err
		}
	}
	res, err := svc.SetCode(ctx, billing.CodeChange{StudentID: o.student, Code: o.code, Proof: o.proof, Reason: o.reason})
	if err != nil {
		return err
	}
	if r := res.Reinvoiced; r != nil {
		o.env.Infof("✓ invoice %s cancelled by credit note %s (%s); new order %s%s; credit in the student's favour: %s",
			r.OldInvoice, r.CreditNote, r.Credited, r.NewOrder, ifSet(", new invoice ", r.NewInvoice), r.Credit)
	}
	v := dossierView{res.Dossier, viewOrder(res.Order)}
	return PrintObject(o.env.Printer(), struct {
		dossierView
		Reinvoiced *billing.Reinvoice `json:"reinvoiced"`
	}{v, res.Reinvoiced}, func(w io.Writer) error { return writeDossier(w, res.Dossier, v.Order) })
}

func ifSet(prefix, v string) string {
	if v == "" {
		return ""
	}
	return prefix + v
}

func runSetCodes(ctx context.Context, o *setCodeOpts) error {
	svc, err := o.env.Service(ctx, o.year)
	if err != nil {
		return err
	}
	var restored []string // "line N: 1 → 01"
	defer func() {
		if len(restored) > 0 {
			o.env.Warnf("%s: %d code(s) without their leading zero, read as the catalogue's code (%s): Excel drops it; format the column as text before saving",
				filepath.Base(o.from), len(restored), strings.Join(restored, ", "))
		}
	}()
	return runBulk(ctx, o.env, o.from, bulkFile[billing.CodeChange]{
		columns: []string{"code"},
		row: func(r csvin.Record, bad func(field, msg string)) billing.CodeChange {
			c := billing.CodeChange{StudentID: r.Get("student_id"), Code: r.Get("code"), Proof: r.Get("proof"), Reason: r.Get("reason"), Line: r.Line}
			if c.Code == "" {
				bad("code", "is empty")
			}
			if code, ok := svc.Cat.CodeFromSpreadsheet(c.Code); ok {
				restored = append(restored, fmt.Sprintf("line %d: %s → %s", r.Line, c.Code, code))
				c.Code = code
			}
			return c
		},
		apply: svc.SetCodes,
		done: func(n int, file string) (string, string, string) {
			return fmt.Sprintf("✓ %d codes set from %s", n, file), "set", fmt.Sprintf("%d codes set", n)
		},
	})
}
