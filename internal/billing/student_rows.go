package billing

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/inpctl/inpctl/internal/csvin"
	"github.com/inpctl/inpctl/internal/fees"
	"github.com/inpctl/inpctl/internal/store"
)

// The rules of a student row of an import file (issue 21: they were in
// cli/student_import.go).

// Compiled at first use, not at package init: most commands never use them.
var (
	emailRe     = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$`) })
	studentIDRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$`) })
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
	case !studentIDRe().MatchString(s.ID):
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
	if !emailRe().MatchString(s.Email) {
		v.bad(r.Line, "email", "%q is not an e-mail address", s.Email)
	}
	if _, ok := v.cat.Programmes[s.Programme]; !ok {
		v.bad(r.Line, "programme", "%q is not in the catalogue (known: %s)", s.Programme, strings.Join(v.cat.ProgrammeIDs(), ", "))
	}
	year := r.Get("academic_year")
	if year == "" {
		year = v.defaultYear
	} else if !fees.ValidYear(year) {
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

// StudentSource streams the rows of a student file to an import
// (store.DB.ImportStudentsFrom), each checked by the rules of a student
// row: a student number, names, an e-mail address, a programme of the
// catalogue, an academic year, the yes/no columns.
type StudentSource struct {
	rd *csvin.Reader
	v  *studentChecker
}

// NewStudentSource checks the rows of rd against cat; a row without an
// academic_year is of defaultYear.
func NewStudentSource(rd *csvin.Reader, cat fees.Catalogue, defaultYear string) *StudentSource {
	return &StudentSource{rd: rd, v: newStudentChecker(&rd.File, cat, defaultYear)}
}

// Rows yields each good row while no line is bad; after the first bad
// line it only checks, so that every bad line is reported. Rows with the
// wrong number of fields are reported alone, as csvin.ReadFile does.
func (src *StudentSource) Rows(yield func(store.ImportRow) error) error {
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

// ImportStudents writes the rows of src, all or nothing
// (store.DB.ImportStudentsFrom), under the rule of an import: a programme
// change is refused for a student whose dossier of the row's year has a
// fee code (fees.CheckProgrammeChange). The refused rows are returned and
// nothing is written.
func (s *Service) ImportStudents(ctx context.Context, file string, src store.ImportSource, dryRun bool, progress ...func(done int)) (store.ImportResult, []store.RowConflict, error) {
	return s.DB.ImportStudentsFrom(ctx, file, src, dryRun, keepProgramme, progress...)
}

// ImportStudentRows is ImportStudents for rows held in memory.
func (s *Service) ImportStudentRows(ctx context.Context, file string, rows []store.ImportRow, dryRun bool) (store.ImportResult, []store.RowConflict, error) {
	return s.DB.ImportStudents(ctx, file, rows, dryRun, keepProgramme)
}

// keepProgramme is the store.ImportCheck of an import.
func keepProgramme(r store.ImportRow, prior store.ImportPrior) string {
	if err := fees.CheckProgrammeChange(r.ID, r.Year, prior.Programme, r.Programme, prior.Code); err != nil {
		return err.Error()
	}
	return ""
}
