package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/inpctl/inpctl/internal/fault"
)

// Student is a student's identity as imported.
type Student struct {
	ID         string `json:"student_id"`
	LastName   string `json:"last_name"`
	FirstName  string `json:"first_name"`
	Email      string `json:"email"`
	Programme  string `json:"programme"`
	Apprentice bool   `json:"apprentice"`
	ExtraEU    bool   `json:"extra_eu"`
	Exchange   bool   `json:"exchange"`
	Address    string `json:"address"`
	Postcode   string `json:"postcode"`
	City       string `json:"city"`
	Country    string `json:"country"`
}

// ImportRow is one student of an import, with its academic year and the
// line it came from (for messages).
type ImportRow struct {
	Student
	Year string
	Line int
	// Keep names optional columns absent from the file: for an existing
	// student their stored values stay as they are.
	Keep map[string]bool
}

// merge keeps the stored value of every column the file did not have.
func (r ImportRow) merge(old Student) Student {
	s := r.Student
	for col, dst := range map[string]*string{"address": &s.Address, "postcode": &s.Postcode, "city": &s.City, "country": &s.Country} {
		if r.Keep[col] {
			*dst = map[string]string{"address": old.Address, "postcode": old.Postcode, "city": old.City, "country": old.Country}[col]
		}
	}
	if r.Keep["apprentice"] {
		s.Apprentice = old.Apprentice
	}
	if r.Keep["extra_eu"] {
		s.ExtraEU = old.ExtraEU
	}
	if r.Keep["exchange"] {
		s.Exchange = old.Exchange
	}
	return s
}

// ImportResult counts what an import did (or would do, in a dry run).
type ImportResult struct {
	Created   int  `json:"created"`
	Updated   int  `json:"updated"`
	Unchanged int  `json:"unchanged"`
	Dossiers  int  `json:"dossiers_created"`
	DryRun    bool `json:"dry_run"`
}

// RowConflict is a row refused by the import's ImportCheck (e.g. a
// programme change for a student whose dossier already has a fee code).
type RowConflict struct {
	Line int
	Msg  string
}

// ImportPrior is what is stored for the student of an import row: their
// programme, and their dossier of the row's year when there is one.
type ImportPrior struct {
	Programme        string
	Dossier          bool   // a dossier of the row's year is stored
	DossierProgramme string // its programme ("" without a dossier)
	Code             string // its fee code ("" if none, or without a dossier)
}

// ImportCheck decides whether row r may be written over what is stored for
// its student (called for a stored student only, with r's absent columns
// already taken from the stored row): it returns why the row is refused, or
// "" to write it. The rule is billing's (issue 21: store holds rows and
// decides nothing); nil refuses nothing.
type ImportCheck func(r ImportRow, prior ImportPrior) string

// ImportStudents upserts students by student_id, all or nothing, and
// creates each student's dossier for the year when missing. A row that
// check refuses is reported, with every other such row, and nothing is
// written (conflict). With dryRun the same work is done and rolled back.
//
// progress, when given, is called every 1 000 rows with the rows done.
func (db *DB) ImportStudents(ctx context.Context, file string, rows []ImportRow, dryRun bool, check ImportCheck, progress ...func(done int)) (ImportResult, []RowConflict, error) {
	return db.ImportStudentsFrom(ctx, file, func(yield func(ImportRow) error) error {
		for _, r := range rows {
			if err := yield(r); err != nil {
				return err
			}
		}
		return nil
	}, dryRun, check, progress...)
}

// ImportSource hands an import's rows to yield one at a time, in file
// order, and stops at yield's first error, returning it. It returns its own
// error (a file's line errors) once every row was read: the import is then
// rolled back, so a source may stop yielding at its first bad row and go on
// checking the others for the report.
type ImportSource func(yield func(ImportRow) error) error

// ImportStudentsFrom is ImportStudents for rows read as they are written
// (a 100 000-row file is never held in memory): the transaction is open
// while src reads, and src's error rolls everything back. A student_id
// that comes again updates what its earlier row wrote.
func (db *DB) ImportStudentsFrom(ctx context.Context, file string, src ImportSource, dryRun bool, check ImportCheck, progress ...func(done int)) (ImportResult, []RowConflict, error) {
	res := ImportResult{DryRun: dryRun}
	var conflicts []RowConflict
	errDry := errors.New("dry run")
	err := db.inTx(ctx, func(tx *Tx) error {
		// Only the ids of the stored students are loaded: a row for a new
		// student (all of them in a first import) needs no read, and a row
		// for a known one reads that student and dossier by key.
		existing, err := tx.loadStudentIDs(ctx)
		if err != nil {
			return err
		}
		st, err := prepareImport(ctx, tx)
		if err != nil {
			return err
		}
		defer st.close()
		now := ts(tx.Now)
		k := 0
		err = src(func(r ImportRow) error {
			if k++; k%1000 == 0 && len(progress) > 0 {
				progress[0](k)
			}
			_, found := existing[r.ID]
			c, err := st.importRow(ctx, r, found, check, now, &res)
			if err != nil {
				return fmt.Errorf("line %d: %w", r.Line, err)
			}
			if c != "" {
				conflicts = append(conflicts, RowConflict{r.Line, c})
			} else {
				existing[r.ID] = struct{}{} // a later row for the same id updates it
			}
			return nil
		})
		if err != nil {
			return err
		}
		if len(conflicts) > 0 {
			return errConflictRows
		}
		if dryRun {
			return errDry
		}
		return tx.audit(ctx, "students", fmt.Sprintf("import %s: %d created, %d updated, %d unchanged, %d dossiers created",
			file, res.Created, res.Updated, res.Unchanged, res.Dossiers))
	})
	switch {
	case errors.Is(err, errDry):
		return res, nil, nil
	case errors.Is(err, errConflictRows):
		return ImportResult{}, conflicts, nil
	}
	return res, nil, err
}

var errConflictRows = errors.New("conflicting rows")

type importStmts struct{ insert, update, dossier, dossierProg, old *sql.Stmt }

func prepareImport(ctx context.Context, tx *Tx) (*importStmts, error) {
	var s importStmts
	var err error
	prep := func(q string) *sql.Stmt {
		if err != nil {
			return nil
		}
		var st *sql.Stmt
		st, err = tx.tx.PrepareContext(ctx, q)
		return st
	}
	s.insert = prep(`INSERT INTO students(id, last_name, first_name, email, programme, apprentice, extra_eu, exchange, address, postcode, city, country, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	s.update = prep(`UPDATE students SET last_name=?, first_name=?, email=?, programme=?, apprentice=?, extra_eu=?, exchange=?, address=?, postcode=?, city=?, country=?, updated_at=? WHERE id=?`)
	s.dossier = prep(`INSERT INTO dossiers(student_id, year, programme, status, updated_at) VALUES (?, ?, ?, 'pending', ?)`)
	s.dossierProg = prep(`UPDATE dossiers SET programme=?, updated_at=? WHERE student_id=? AND year=?`)
	s.old = prep(`SELECT s.id, s.last_name, s.first_name, s.email, s.programme, s.apprentice, s.extra_eu, s.exchange, s.address, s.postcode, s.city, s.country,
		d.id IS NOT NULL, COALESCE(d.programme, ''), COALESCE(d.code, '')
		FROM students s LEFT JOIN dossiers d ON d.student_id = s.id AND d.year = ? WHERE s.id = ?`)
	return &s, err
}

func (s *importStmts) close() {
	for _, st := range []*sql.Stmt{s.insert, s.update, s.dossier, s.dossierProg, s.old} {
		if st != nil {
			st.Close()
		}
	}
}

// importRow writes one row; found says the student is stored. It returns
// the conflict message of a row check refused (nothing written for it).
func (s *importStmts) importRow(ctx context.Context, r ImportRow, found bool, check ImportCheck, now string, res *ImportResult) (conflict string, err error) {
	var old Student
	var prior ImportPrior
	if found {
		if err := s.old.QueryRowContext(ctx, r.Year, r.ID).Scan(&old.ID, &old.LastName, &old.FirstName, &old.Email, &old.Programme,
			&old.Apprentice, &old.ExtraEU, &old.Exchange, &old.Address, &old.Postcode, &old.City, &old.Country,
			&prior.Dossier, &prior.DossierProgramme, &prior.Code); err != nil {
			return "", err
		}
		r.Student = r.merge(old)
		prior.Programme = old.Programme
		// A new student has no dossier (dossiers.student_id references
		// students): only a stored one has something to check against.
		if check != nil {
			if c := check(r, prior); c != "" {
				return c, nil
			}
		}
	}
	switch {
	case !found:
		_, err = s.insert.ExecContext(ctx, r.ID, r.LastName, r.FirstName, r.Email, r.Programme, flag(r.Apprentice), flag(r.ExtraEU), flag(r.Exchange), r.Address, r.Postcode, r.City, r.Country, now, now)
		res.Created++
	case old != r.Student:
		_, err = s.update.ExecContext(ctx, r.LastName, r.FirstName, r.Email, r.Programme, flag(r.Apprentice), flag(r.ExtraEU), flag(r.Exchange), r.Address, r.Postcode, r.City, r.Country, now, r.ID)
		res.Updated++
	default:
		res.Unchanged++
	}
	if err != nil {
		return "", err
	}
	if !prior.Dossier {
		_, err = s.dossier.ExecContext(ctx, r.ID, r.Year, r.Programme, now)
		res.Dossiers++
	} else if prior.DossierProgramme != r.Programme {
		_, err = s.dossierProg.ExecContext(ctx, r.Programme, now, r.ID, r.Year)
	}
	return "", err
}

// loadStudentIDs returns the stored student ids (a set: 100 000 ids are a
// few MB, where every stored student in full would be tens).
func (tx *Tx) loadStudentIDs(ctx context.Context) (map[string]struct{}, error) {
	rows, err := tx.query(ctx, `SELECT id FROM students`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := map[string]struct{}{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		m[id] = struct{}{}
	}
	return m, rows.Err()
}

// StudentView is a student with their dossier for one year.
type StudentView struct {
	Student
	Year          string `json:"academic_year"`
	DossierStatus string `json:"dossier_status"`
	Code          string `json:"code"`
	Proof         string `json:"proof"`
}

// StudentFilter selects students for List.
type StudentFilter struct {
	Programme, Status, Year string
}

const studentViewCols = `s.id, s.last_name, s.first_name, s.email, s.programme, s.apprentice, s.extra_eu, s.exchange,
	s.address, s.postcode, s.city, s.country, COALESCE(d.year, ''), COALESCE(d.status, ''), COALESCE(d.code, ''), COALESCE(d.proof, '')`

func scanStudentView(sc interface{ Scan(...any) error }) (StudentView, error) {
	var v StudentView
	err := sc.Scan(&v.ID, &v.LastName, &v.FirstName, &v.Email, &v.Programme, &v.Apprentice, &v.ExtraEU, &v.Exchange,
		&v.Address, &v.Postcode, &v.City, &v.Country, &v.Year, &v.DossierStatus, &v.Code, &v.Proof)
	return v, err
}

// ListStudents lists students with their dossier of the filter's year.
func (db *DB) ListStudents(ctx context.Context, f StudentFilter) ([]StudentView, error) {
	q := `SELECT ` + studentViewCols + ` FROM students s LEFT JOIN dossiers d ON d.student_id = s.id AND d.year = ?`
	args := []any{f.Year}
	var where []string
	if f.Programme != "" {
		where = append(where, "s.programme = ?")
		args = append(args, f.Programme)
	}
	if f.Status != "" {
		where = append(where, "d.status = ?")
		args = append(args, f.Status)
	}
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	rows, err := db.sql.QueryContext(ctx, q+" ORDER BY s.last_name, s.first_name, s.id", args...)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	out := []StudentView{}
	for rows.Next() {
		v, err := scanStudentView(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// GetStudent returns one student with their dossier of year (NotFound, exit 4).
func (db *DB) GetStudent(ctx context.Context, id, year string) (StudentView, error) {
	row := db.sql.QueryRowContext(ctx, `SELECT `+studentViewCols+` FROM students s
		LEFT JOIN dossiers d ON d.student_id = s.id AND d.year = ? WHERE s.id = ?`, year, id)
	v, err := scanStudentView(row)
	if errors.Is(err, sql.ErrNoRows) {
		return v, fault.New(fault.NotFound, "no student %s", id).WithHint("list students with: inpctl student list")
	}
	return v, mapErr(err)
}

// StudentByID returns a student's identity inside a transaction.
func (tx *Tx) StudentByID(ctx context.Context, id string) (Student, error) {
	var s Student
	err := tx.queryRow(ctx, `SELECT id, last_name, first_name, email, programme, apprentice, extra_eu, exchange, address, postcode, city, country
		FROM students WHERE id = ?`, id).Scan(&s.ID, &s.LastName, &s.FirstName, &s.Email, &s.Programme, &s.Apprentice, &s.ExtraEU, &s.Exchange,
		&s.Address, &s.Postcode, &s.City, &s.Country)
	if errors.Is(err, sql.ErrNoRows) {
		return s, fault.New(fault.NotFound, "no student %s", id)
	}
	return s, err
}
