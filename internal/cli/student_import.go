package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/inpctl/inpctl/internal/billing"
	"github.com/inpctl/inpctl/internal/csvin"
	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/store"
	"github.com/spf13/cobra"
)

type studentImportOpts struct {
	env    *Env
	file   string
	dryRun bool
}

func newStudentImportCmd(env *Env) *cobra.Command {
	o := &studentImportOpts{env: env}
	cmd := &cobra.Command{
		Use:   "import FILE",
		Short: "Import or update students from a CSV export",
		Long: `Import students from a CSV file with a header row. Columns, in any order and
any case: student_id, last_name, first_name, email, programme (required);
academic_year (default: the config's); apprentice, extra_eu, exchange
(1/0, oui/non, yes/no, true/false; empty = no); address, postcode, city,
country. Separator ',' or ';'; UTF-8 with or without BOM.

Every field is checked: no control character (a line break only inside a
quoted address), no card number, and at most: student_id 32 characters,
last_name, first_name and city 100, email 254, postcode 16, any other
field 500.

All or nothing: if any row is invalid nothing is written and every error is
listed as FILE:LINE: FIELD: problem. Students are matched by student_id
(created, updated or unchanged); an optional column absent from the file
leaves the stored value alone. Each student gets a dossier for the year.
A programme change for a student whose dossier already has a fee code is
refused for that row.` + exitDoc(
			"0   imported (or, with --dry-run, valid)", "2   the file or a row is invalid: nothing was written",
			"5   a row conflicts with a dossier (programme change after a fee code): nothing was written",
			"10  no database (run inpctl init)"),
		Example: "  inpctl student import students.csv\n  inpctl student import export-aurion.csv --dry-run -o json",
		Args:    cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			o.file = args[0]
			return runStudentImport(c.Context(), o)
		},
	}
	cmd.Flags().BoolVar(&o.dryRun, "dry-run", false, "validate and count without writing")
	return cmd
}

func runStudentImport(ctx context.Context, o *studentImportOpts) error {
	cfg, err := o.env.Config()
	if err != nil {
		return err
	}
	svc, err := o.env.Service(ctx, "")
	if err != nil {
		return err
	}
	rd, err := csvin.Open(o.file)
	if err != nil {
		return err
	}
	if err := rd.Require("student_id", "last_name", "first_name", "email", "programme"); err != nil {
		return err
	}
	// The rows are checked as they are written, in the import's one
	// transaction: a bad line stops the writing, every other line is still
	// checked for the report, and the error rolls everything back.
	total := rd.Estimate()
	progress := o.env.Progress("importing", total)
	src := billing.NewStudentSource(rd, svc.Cat, cfg.AcademicYear)
	res, conflicts, err := svc.ImportStudents(ctx, rd.Name, src.Rows, o.dryRun, progress)
	if err != nil {
		return err
	}
	progress(total)
	if len(conflicts) > 0 {
		return conflictFault(rd.Name, conflicts)
	}
	if o.dryRun {
		o.env.Infof("dry run: nothing was written")
	}
	return PrintObject(o.env.Printer(), res, func(w io.Writer) error {
		_, err := fmt.Fprintf(w, "%d created, %d updated, %d unchanged (%d dossiers created)\n", res.Created, res.Updated, res.Unchanged, res.Dossiers)
		return err
	})
}

func conflictFault(file string, conflicts []store.RowConflict) error {
	lines := make([]string, len(conflicts))
	for i, c := range conflicts {
		lines[i] = fmt.Sprintf("%s:%d: %s", file, c.Line, c.Msg)
	}
	return fault.New(fault.Conflict, "%d row(s) refused, nothing was written:\n%s", len(conflicts), strings.Join(lines, "\n")).
		WithHint("change the fee code first (inpctl dossier set-code) or keep the programme")
}
