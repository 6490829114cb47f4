package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/fees"
	"github.com/inpctl/inpctl/internal/money"
)

// Dossier is a student's registration file for one academic year, with
// what the fee rules need to know about the student.
type Dossier struct {
	ID         int64  `json:"-"`
	StudentID  string `json:"student_id"`
	LastName   string `json:"last_name"`
	FirstName  string `json:"first_name"`
	Year       string `json:"academic_year"`
	Programme  string `json:"programme"`
	Status     string `json:"status"`
	Code       string `json:"code"`
	Proof      string `json:"proof"`
	Reason     string `json:"reason"`
	Apprentice bool   `json:"apprentice"`
	ExtraEU    bool   `json:"extra_eu"`
	Exchange   bool   `json:"exchange"`
	// Order is the current order's total, when there is one.
	OrderNumber string             `json:"order_number"`
	TotalTTC    money.Cents        `json:"total_ttc_cents"`
	Currency    money.CurrencyCode `json:"currency"`
}

// Facts returns what the fee rules look at.
func (d Dossier) Facts() fees.Facts {
	return fees.Facts{StudentID: d.StudentID, Programme: d.Programme, Apprentice: d.Apprentice,
		ExtraEU: d.ExtraEU, Exchange: d.Exchange, Proof: d.Proof, Status: fees.DossierStatus(d.Status), Code: d.Code}
}

const dossierCols = `d.id, d.student_id, s.last_name, s.first_name, d.year, d.programme, d.status, COALESCE(d.code, ''), d.proof, d.reason,
	s.apprentice, s.extra_eu, s.exchange,
	COALESCE(o.number, ''), COALESCE(o.ttc, 0)`

const dossierFrom = ` FROM dossiers d JOIN students s ON s.id = d.student_id
	LEFT JOIN orders o ON o.dossier_id = d.id AND o.superseded_by IS NULL`

type scanner interface{ Scan(...any) error }

func scanDossier(sc scanner, more ...any) (Dossier, error) {
	var d Dossier
	err := sc.Scan(append([]any{&d.ID, &d.StudentID, &d.LastName, &d.FirstName, &d.Year, &d.Programme, &d.Status, &d.Code, &d.Proof, &d.Reason,
		&d.Apprentice, &d.ExtraEU, &d.Exchange, &d.OrderNumber, &d.TotalTTC}, more...)...)
	return d, err
}

// Dossier returns a student's dossier for year (NotFound when the student
// or the dossier does not exist).
func (tx *Tx) Dossier(ctx context.Context, studentID, year string) (Dossier, error) {
	d, err := scanDossier(tx.queryRow(ctx, `SELECT `+dossierCols+dossierFrom+` WHERE d.student_id = ? AND d.year = ?`, studentID, year))
	if errors.Is(err, sql.ErrNoRows) {
		return d, notFoundStudent(ctx, cached{tx}, studentID, year)
	}
	return d, err
}

// Dossier reads a dossier outside any write transaction.
func (db *DB) Dossier(ctx context.Context, studentID, year string) (Dossier, error) {
	d, err := scanDossier(db.sql.QueryRowContext(ctx, `SELECT `+dossierCols+dossierFrom+` WHERE d.student_id = ? AND d.year = ?`, studentID, year))
	if errors.Is(err, sql.ErrNoRows) {
		return d, notFoundStudent(ctx, db.sql, studentID, year)
	}
	return d, mapErr(err)
}

type queryer interface {
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

func notFoundStudent(ctx context.Context, q queryer, studentID, year string) error {
	var n int
	q.QueryRowContext(ctx, `SELECT COUNT(*) FROM students WHERE id = ?`, studentID).Scan(&n)
	if n == 0 {
		return fault.New(fault.NotFound, "no student %s", studentID).WithHint("list students with: inpctl student list")
	}
	return fault.New(fault.NotFound, "student %s has no dossier for %s", studentID, year).
		WithHint("import the student with academic_year %s", year)
}

// DossierFilter selects dossiers.
type DossierFilter struct {
	Year, Status, Code, Programme string
}

// ListDossiers lists dossiers with their current order total.
func (db *DB) ListDossiers(ctx context.Context, f DossierFilter) ([]Dossier, error) {
	return listDossiers(ctx, db.sql, f)
}

// Dossiers lists dossiers inside a transaction (bulk validation).
func (tx *Tx) Dossiers(ctx context.Context, f DossierFilter) ([]Dossier, error) {
	return listDossiers(ctx, cached{tx}, f)
}

type rowsQueryer interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
}

func listDossiers(ctx context.Context, q rowsQueryer, f DossierFilter) ([]Dossier, error) {
	where := []string{"d.year = ?"}
	args := []any{f.Year}
	for col, v := range map[string]string{"d.status": f.Status, "d.code": f.Code, "d.programme": f.Programme} {
		if v != "" {
			where = append(where, col+" = ?")
			args = append(args, v)
		}
	}
	rows, err := q.QueryContext(ctx, `SELECT `+dossierCols+dossierFrom+` WHERE `+strings.Join(where, " AND ")+
		` ORDER BY s.last_name, s.first_name, d.student_id`, args...)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	out := []Dossier{}
	for rows.Next() {
		d, err := scanDossier(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// UpdateDossier writes a dossier's status, code, proof and reason.
func (tx *Tx) UpdateDossier(ctx context.Context, d Dossier) error {
	_, err := tx.exec(ctx, `UPDATE dossiers SET status=?, code=?, proof=?, reason=?, updated_at=? WHERE id=?`,
		d.Status, nullCode(d.Code), d.Proof, d.Reason, ts(tx.Now), d.ID)
	return err
}

// nullCode is how a dossier's fee code is stored: NULL when it has none.
func nullCode(code string) any {
	if code == "" {
		return nil
	}
	return code
}

// DossierOrder is a dossier with the id of its current order (0: none).
type DossierOrder struct {
	Dossier
	OrderID int64
}

// DossiersOf reads the dossiers of year of the given students in one query
// (bulk code changes read a chunk of a file at a time instead of one query
// per row). A student without a dossier of year is absent from the map.
func (tx *Tx) DossiersOf(ctx context.Context, year string, studentIDs []string) (map[string]DossierOrder, error) {
	if len(studentIDs) == 0 {
		return map[string]DossierOrder{}, nil
	}
	args := make([]any, 0, len(studentIDs)+1)
	args = append(args, year)
	for _, id := range studentIDs {
		args = append(args, id)
	}
	q := `SELECT ` + dossierCols + `, COALESCE(o.id, 0)` + dossierFrom + ` WHERE d.year = ? AND d.student_id IN (?` +
		strings.Repeat(", ?", len(studentIDs)-1) + `)`
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := make(map[string]DossierOrder, len(studentIDs))
	for rows.Next() {
		var orderID int64
		d, err := scanDossier(rows, &orderID)
		if err != nil {
			return nil, err
		}
		m[d.StudentID] = DossierOrder{d, orderID}
	}
	return m, rows.Err()
}

// dossierBatch is how many dossiers one UPDATE of UpdateDossiers names.
const dossierBatch = 64

// UpdateDossiers is UpdateDossier for many dossiers: those with the same
// status, code, proof and reason are written by one UPDATE … WHERE id IN
// (…) per 64 (a code file sets the same few codes on thousands of
// dossiers). The rows written are the ones UpdateDossier would write.
func (tx *Tx) UpdateDossiers(ctx context.Context, ds []Dossier) error {
	type key struct{ status, code, proof, reason string }
	groups := map[key][]any{}
	var order []key
	for _, d := range ds {
		k := key{d.Status, d.Code, d.Proof, d.Reason}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], d.ID)
	}
	q := `UPDATE dossiers SET status=?, code=?, proof=?, reason=?, updated_at=? WHERE id IN (?` + strings.Repeat(", ?", dossierBatch-1) + `)`
	now := ts(tx.Now)
	for _, k := range order {
		ids := groups[k]
		for len(ids) > 0 {
			n := min(len(ids), dossierBatch)
			if n < dossierBatch {
				for _, id := range ids {
					if err := tx.UpdateDossier(ctx, Dossier{ID: id.(int64), Status: k.status, Code: k.code, Proof: k.proof, Reason: k.reason}); err != nil {
						return err
					}
				}
				break
			}
			if _, err := tx.exec(ctx, q, append([]any{k.status, nullCode(k.code), k.proof, k.reason, now}, ids[:n]...)...); err != nil {
				return err
			}
			ids = ids[n:]
		}
	}
	return nil
}

// DossierYears lists the academic years some dossier is for, sorted.
func (db *DB) DossierYears(ctx context.Context) ([]string, error) {
	return db.strings(ctx, `SELECT DISTINCT year FROM dossiers ORDER BY year`)
}

// Payer is the third party (a company, an OPCO) that pays a dossier's
// order instead of the student (SPEC §4, codes 42 and 08).
type Payer struct {
	ID        int64  `json:"-"`
	DossierID int64  `json:"-"`
	Name      string `json:"name"`
	SIRET     string `json:"siret"`
	Address   string `json:"address"` // one line each, "\n" between
	PORef     string `json:"po_ref"`  // purchase order or contract reference
	// Share is the part of the order's TTC the payer pays (set-payer
	// --share); 0 is the whole order.
	Share money.Cents `json:"share_cents"`
	SetAt string      `json:"set_at"`
}

// SetPayer records the payer of a dossier, replacing an earlier one.
func (tx *Tx) SetPayer(ctx context.Context, p Payer) (Payer, error) {
	p.SetAt = ts(tx.Now)
	_, err := tx.exec(ctx, `INSERT INTO payers(dossier_id, name, siret, address, po_ref, share, set_at) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT(dossier_id) DO UPDATE SET name = excluded.name, siret = excluded.siret, address = excluded.address,
		po_ref = excluded.po_ref, share = excluded.share, set_at = excluded.set_at`, p.DossierID, p.Name, p.SIRET, p.Address, p.PORef, p.Share, p.SetAt)
	if err != nil {
		return p, err
	}
	q, _, err := tx.PayerOf(ctx, p.DossierID)
	return q, err
}

// PayerOf returns the payer of a dossier, if it has one.
func (tx *Tx) PayerOf(ctx context.Context, dossierID int64) (Payer, bool, error) {
	var p Payer
	err := tx.queryRow(ctx, `SELECT id, dossier_id, name, siret, address, po_ref, share, set_at FROM payers WHERE dossier_id = ?`, dossierID).
		Scan(&p.ID, &p.DossierID, &p.Name, &p.SIRET, &p.Address, &p.PORef, &p.Share, &p.SetAt)
	if errors.Is(err, sql.ErrNoRows) {
		return p, false, nil
	}
	return p, err == nil, err
}
