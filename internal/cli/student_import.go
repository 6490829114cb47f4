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
	db, err := o.env.Store(ctx)
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
	cat, err := db.Catalogue(ctx)
	if err != nil {
		return err
	}
	// The rows are checked as they are written, in the import's one
	// transaction: a bad line stops the writing, every other line is still
	// checked for the report, and the error rolls everything back.
	total := rd.Estimate()
	progress := o.env.Progress("importing", total)
	src := newStudentSource(rd, cat, cfg.AcademicYear)
	res, conflicts, err := db.ImportStudentsFrom(ctx, rd.Name, src.rows, o.dryRun, progress)
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

var (
	emailRe     = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$`)
	studentIDRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$`)
)

// studentChecker checks student rows one at a time.
type studentChecker struct {
	file        string
	cat         fees.Catalogue
	defaultYear string
	keep        map[string]bool
	// firstLine is the line of each student_id seen (a copy of the id: the
	// cell would keep its whole row in memory).
	firstLine map[string]int32
	errs      csvin.Errors
}

func newStudentChecker(f *csvin.File, cat fees.Catalogue, defaultYear string) *studentChecker {
	keep := map[string]bool{}
	for _, col := range []string{"address", "postcode", "city", "country", "apprentice", "extra_eu", "exchange"} {
		keep[col] = !f.Has(col)
	}
	return &studentChecker{file: f.Name, cat: cat, defaultYear: defaultYear, keep: keep, firstLine: map[string]int32{}}
}

func (v *studentChecker) bad(line int, field, format string, args ...any) {
	v.errs = append(v.errs, csvin.LineError{File: v.file, Line: line, Field: field, Msg: fmt.Sprintf(format, args...)})
}

// check validates one record; ok is false when it has an error (added to
// v.errs).
func (v *studentChecker) check(r csvin.Record) (row store.ImportRow, ok bool) {
	before := len(v.errs)
	s := store.Student{
		ID: r.Get("student_id"), LastName: r.Get("last_name"), FirstName: r.Get("first_name"),
		Email: r.Get("email"), Programme: r.Get("programme"), Address: r.Get("address"),
		Postcode: r.Get("postcode"), City: r.Get("city"), Country: r.Get("country"),
	}
	switch prev, dup := v.firstLine[s.ID]; {
	case s.ID == "":
		v.bad(r.Line, "student_id", "is empty")
	case !studentIDRe.MatchString(s.ID):
		v.bad(r.Line, "student_id", "%q is not a student number (letters, digits, - or _)", s.ID)
	case dup:
		v.bad(r.Line, "student_id", "%s appears twice in the file (lines %d and %d)", s.ID, prev, r.Line)
	default:
		v.firstLine[strings.Clone(s.ID)] = int32(r.Line)
	}
	if s.LastName == "" {
		v.bad(r.Line, "last_name", "is empty")
	}
	if s.FirstName == "" {
		v.bad(r.Line, "first_name", "is empty")
	}
	if !emailRe.MatchString(s.Email) {
		v.bad(r.Line, "email", "%q is not an e-mail address", s.Email)
	}
	if _, ok := v.cat.Programmes[s.Programme]; !ok {
		v.bad(r.Line, "programme", "%q is not in the catalogue (known: %s)", s.Programme, strings.Join(programmeIDs(v.cat), ", "))
	}
	year := r.Get("academic_year")
	if year == "" {
		year = v.defaultYear
	} else if !config.ValidYear(year) {
		v.bad(r.Line, "academic_year", "%q is not an academic year (e.g. 2025-2026)", year)
	}
	var err error
	if s.Apprentice, err = csvin.Bool(r.Get("apprentice")); err != nil {
		v.bad(r.Line, "apprentice", "%v", err)
	}
	if s.ExtraEU, err = csvin.Bool(r.Get("extra_eu")); err != nil {
		v.bad(r.Line, "extra_eu", "%v", err)
	}
	if s.Exchange, err = csvin.Bool(r.Get("exchange")); err != nil {
		v.bad(r.Line, "exchange", "%v", err)
	}
	return store.ImportRow{Student: s, Year: year, Line: r.Line, Keep: v.keep}, len(v.errs) == before
}

// studentSource streams a file's rows to an import (store.ImportSource).
type studentSource struct {
	rd *csvin.Reader
	v  *studentChecker
}

func newStudentSource(rd *csvin.Reader, cat fees.Catalogue, defaultYear string) *studentSource {
	return &studentSource{rd: rd, v: newStudentChecker(&rd.File, cat, defaultYear)}
}

// rows yields each good row while no line is bad; after the first bad
// line it only checks, so that every bad line is reported. Rows with the
// wrong number of fields are reported alone, as csvin.ReadFile does.
func (src *studentSource) rows(yield func(store.ImportRow) error) error {
	for {
		rec, ok, err := src.rd.Next()
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		row, good := src.v.check(rec)
		if good && len(src.v.errs) == 0 && len(src.rd.ShapeErrors()) == 0 {
			if err := yield(row); err != nil {
				return err
			}
		}
	}
	if es := src.rd.ShapeErrors(); len(es) > 0 {
		return es.Fault()
	}
	return src.v.errs.Fault()
}

func programmeIDs(cat fees.Catalogue) []string {
	ids := make([]string, 0, len(cat.Programmes))
	for id := range cat.Programmes {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}
