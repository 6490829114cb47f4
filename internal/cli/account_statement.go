package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/invoice"
	"github.com/inpctl/inpctl/internal/store"
	"github.com/spf13/cobra"
)

type accountStatementOpts struct {
	env           *Env
	id, asOf, out string
}

func newAccountStatementCmd(env *Env) *cobra.Command {
	o := &accountStatementOpts{env: env}
	cmd := &cobra.Command{
		Use:   "statement STUDENT_ID [--as-of DATE] [--out FILE.pdf|DIR]",
		Short: "Write a student's account position as a PDF",
		Long: `Write the account position of "inpctl account show" as a PDF (a page, more
when the year holds many movements): the five sections with their totals,
Débit, Crédit, Solde and Position, the plan and the coming debits. The same
position on the same date gives a byte-identical file. --out is the file to
write, or a folder (one that exists, or a path ending in /) to write
position-STUDENT_ID-DATE.pdf into, as invoice render --out. The file is
written atomically; its path is printed.` +
			exitDoc("0   written", "2   bad --as-of", "4   no such student"),
		Example: `  inpctl account statement 22104567
  inpctl account statement 22104567 --as-of 2025-10-31 --out releve-22104567.pdf
  inpctl account statement 22104567 --out releves/`,
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			o.id = args[0]
			return runAccountStatement(c.Context(), o)
		},
	}
	cmd.Flags().StringVar(&o.asOf, "as-of", "", "date of the position, YYYY-MM-DD (default: today)")
	cmd.Flags().StringVar(&o.out, "out", "", "PDF file to write, or a folder for position-STUDENT_ID-DATE.pdf (default: that name, here)")
	return cmd
}

func runAccountStatement(ctx context.Context, o *accountStatementOpts) error {
	asOf, err := asOfDate(o.env, o.asOf)
	if err != nil {
		return err
	}
	cfg, err := o.env.Config()
	if err != nil {
		return err
	}
	doc, rows, err := loadAccount(ctx, o.env, o.id, asOf)
	if err != nil {
		return err
	}
	path, err := statementPath(o.out, o.id, asOf)
	if err != nil {
		return err
	}
	st := acctStatement(doc, rows, asOf)
	st.Issuer = invoice.Party{Name: cfg.Issuer.Name, Address: cfg.Issuer.Address, SIRET: cfg.Issuer.SIRET}
	if err := invoice.WriteFile(path, invoice.BuildStatement(st)); err != nil {
		return err
	}
	o.env.Infof("✓ position of %s as of %s written to %s", o.id, asOf.French(), path)
	return PrintObject(o.env.Printer(), map[string]string{"student_id": o.id, "as_of": asOf.String(), "file": path},
		func(w io.Writer) error { _, err := fmt.Fprintln(w, path); return err })
}

// acctStatement turns a position into the statement model's input: the
// five sections as the table shows them, the four figures, and notes for
// the plan, the coming debits and the failed attempts.
func acctStatement(doc accountDoc, rows store.AccountRows, asOf clock.Date) invoice.Statement {
	s := rows.Student
	st := invoice.Statement{AsOf: asOf, StudentID: doc.StudentID, Programme: doc.ProgrammeLabel, Session: doc.Session,
		Client: invoice.Party{Name: strings.TrimSpace(s.FirstName + " " + strings.ToUpper(s.LastName)),
			Address: nonEmpty(s.Address, strings.TrimSpace(s.Postcode+" "+s.City), s.Country)}}
	for _, sec := range accountSections(doc.Account) {
		switch sec.key {
		case "summary", "echeances", "echecs", "courriels":
			continue
		}
		out := invoice.Section{Title: sec.title, Head: sec.head, Rows: [][]string{}, Total: acctCells(sec.total, false)}
		for _, r := range sec.rows {
			out.Rows = append(out.Rows, acctCells(r, false))
		}
		st.Sections = append(st.Sections, out)
	}
	sum := doc.Summary
	st.Summary = [4]invoice.Figure{{Label: "Débit", Amount: sum.Debit}, {Label: "Crédit", Amount: sum.Credit},
		{Label: "Solde", Amount: sum.Balance}, {Label: "Position", Amount: sum.Position}}
	if doc.Blocked != "" {
		st.Notes = append(st.Notes, "Commande bloquée : "+doc.Blocked)
	}
	if doc.Plan != nil {
		st.Notes = append(st.Notes, "Échéancier "+acctPlanSummary(doc.Plan))
	}
	for _, c := range doc.Coming {
		st.Notes = append(st.Notes, fmt.Sprintf("Prélèvement du %s : %s (%s)", frDate(c.Due), c.Amount, acctDebitState(c)))
	}
	for _, f := range doc.Failed {
		st.Notes = append(st.Notes, fmt.Sprintf("Échec le %s : %s, code %s %s", frDate(f.Date), f.Amount, f.Code, attemptReason(f)))
	}
	return st
}

// statementPath is where the statement goes: --out as a file, or the
// default name inside --out when it is a folder (an existing one, or a
// path ending in a separator, created like invoice render's).
func statementPath(out, id string, asOf clock.Date) (string, error) {
	name := fmt.Sprintf("position-%s-%s.pdf", id, asOf)
	if out == "" {
		return name, nil
	}
	if fi, err := os.Stat(out); err == nil && fi.IsDir() {
		return filepath.Join(out, name), nil
	}
	if strings.HasSuffix(out, "/") || strings.HasSuffix(out, string(filepath.Separator)) {
		if err := os.MkdirAll(out, 0o755); err != nil {
			return "", fault.New(fault.Usage, "--out %s: %v", out, err)
		}
		return filepath.Join(out, name), nil
	}
	return out, nil
}
