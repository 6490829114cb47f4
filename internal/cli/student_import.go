package cli

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"

	"github.com/inpctl/inpctl/internal/config"
	"github.com/inpctl/inpctl/internal/csvin"
	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/fees"
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
	db, err := o.env.Store(ctx)
	if err != nil {
		return err
	}
	f, err := csvin.ReadFile(o.file)
	if err != nil {
		return err
	}
	if err := f.Require("student_id", "last_name", "first_name", "email", "programme"); err != nil {
		return err
	}
	cat, err := db.Catalogue(ctx)
	if err != nil {
		return err
	}
	rows, errs := studentRows(f, cat, cfg.AcademicYear)
	if len(errs) > 0 {
		return errs.Fault()
	}
	progress := o.env.Progress("importing", len(rows))
	res, conflicts, err := db.ImportStudents(ctx, f.Name, rows, o.dryRun, progress)
	if err != nil {
		return err
	}
	progress(len(rows))
	if len(conflicts) > 0 {
		return conflictFault(f.Name, conflicts)
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

var (
	emailRe     = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$`)
	studentIDRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$`)
)

// studentRows validates every record and returns the rows or every error.
func studentRows(f *csvin.File, cat fees.Catalogue, defaultYear string) ([]store.ImportRow, csvin.Errors) {
	var errs csvin.Errors
	bad := func(line int, field, format string, args ...any) {
		errs = append(errs, csvin.LineError{File: f.Name, Line: line, Field: field, Msg: fmt.Sprintf(format, args...)})
	}
	keep := map[string]bool{}
	for _, col := range []string{"address", "postcode", "city", "country", "apprentice", "extra_eu", "exchange"} {
		keep[col] = !f.Has(col)
	}
	firstLine := map[string]int{}
	rows := make([]store.ImportRow, 0, len(f.Records))
	for _, r := range f.Records {
		s := store.Student{
			ID: r.Get("student_id"), LastName: r.Get("last_name"), FirstName: r.Get("first_name"),
			Email: r.Get("email"), Programme: r.Get("programme"), Address: r.Get("address"),
			Postcode: r.Get("postcode"), City: r.Get("city"), Country: r.Get("country"),
		}
		switch prev, dup := firstLine[s.ID]; {
		case s.ID == "":
			bad(r.Line, "student_id", "is empty")
		case !studentIDRe.MatchString(s.ID):
			bad(r.Line, "student_id", "%q is not a student number (letters, digits, - or _)", s.ID)
		case dup:
			bad(r.Line, "student_id", "%s appears twice in the file (lines %d and %d)", s.ID, prev, r.Line)
		default:
			firstLine[s.ID] = r.Line
		}
		for field, v := range map[string]string{"last_name": s.LastName, "first_name": s.FirstName} {
			if v == "" {
				bad(r.Line, field, "is empty")
			}
		}
		if !emailRe.MatchString(s.Email) {
			bad(r.Line, "email", "%q is not an e-mail address", s.Email)
		}
		if _, ok := cat.Programmes[s.Programme]; !ok {
			bad(r.Line, "programme", "%q is not in the catalogue (known: %s)", s.Programme, strings.Join(programmeIDs(cat), ", "))
		}
		year := r.Get("academic_year")
		if year == "" {
			year = defaultYear
		} else if !config.ValidYear(year) {
			bad(r.Line, "academic_year", "%q is not an academic year (e.g. 2025-2026)", year)
		}
		for _, b := range []struct {
			name string
			dst  *bool
		}{{"apprentice", &s.Apprentice}, {"extra_eu", &s.ExtraEU}, {"exchange", &s.Exchange}} {
			v, err := csvin.Bool(r.Get(b.name))
			if err != nil {
				bad(r.Line, b.name, "%v", err)
			}
			*b.dst = v
		}
		rows = append(rows, store.ImportRow{Student: s, Year: year, Line: r.Line, Keep: keep})
	}
	return rows, errs
}

func programmeIDs(cat fees.Catalogue) []string {
	ids := make([]string, 0, len(cat.Programmes))
	for id := range cat.Programmes {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}
