package store

import (
	"context"
	"fmt"
	"slices"

	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/money"
	"github.com/inpctl/inpctl/internal/schedule"
)

// DueItem is an instalment a charge run should debit.
type DueItem struct {
	InstalmentID int64       `json:"-"`
	PlanID       int64       `json:"-"`
	OrderID      int64       `json:"-"`
	StudentID    string      `json:"student_id"`
	Name         string      `json:"name"`
	Seq          int         `json:"seq"`
	Amount       money.Cents `json:"amount_cents"`
	Due          string      `json:"due_date"`
	Attempts     int         `json:"attempts"`
	Owed         money.Cents `json:"-"` // what the order owes now (Amount never exceeds it)
	Card         Card        `json:"-"`
	HasCard      bool        `json:"-"`
}

// owedSQL is what the student owes now on order o (with v, LEFT JOINed
// with studentInvoiceJoin, its invoice the student pays): the SQL twin of
// billing.OwedBy's Student, which a test holds it to. Plans, debits and
// db check E001 are about the student's part only.
const owedSQL = `(CASE WHEN v.id IS NULL THEN o.ttc - ` + financedSQL + `
	WHEN v.part = '' AND ` + financedSQL + ` >= v.ttc THEN 0
	ELSE v.ttc - COALESCE((SELECT SUM(c.amount) FROM credit_notes c WHERE c.invoice_id = v.id), 0)
	- COALESCE((SELECT SUM(a.amount) FROM allocations a WHERE a.invoice_id = v.id), 0) END)`

// financedSQL is billing.FinancedPart of order o: the payer's share (all
// of it when 0), else what its code finances.
const financedSQL = `COALESCE((SELECT CASE WHEN py.share > 0 THEN MIN(py.share, o.ttc) ELSE o.ttc END FROM payers py WHERE py.dossier_id = o.dossier_id),
	MIN(o.financed, o.ttc))`

// studentInvoiceJoin joins v, the invoice of order o the student pays: its
// only invoice, or the student's part of an order invoiced in parts.
const studentInvoiceJoin = ` LEFT JOIN invoices v ON v.order_id = o.id AND v.part <> 'payer'`

// dueCols: the amount of a debit is the instalment's, capped by what the
// order owes, computed in the same query (never a stored figure alone).
const dueCols = `i.id, i.plan_id, p.order_id, d.student_id, s.first_name || ' ' || s.last_name, i.seq, MIN(i.amount, ` + owedSQL + `), i.due_date, i.attempts,
	` + owedSQL + `,
	COALESCE(c.id, 0), COALESCE(c.refabonne, ''), COALESCE(c.token, ''), COALESCE(c.expiry, ''), COALESCE(c.ecard, 0)`

const dueFrom = ` FROM instalments i
	JOIN plans p ON p.id = i.plan_id AND p.status = 'active'
	JOIN orders o ON o.id = p.order_id AND o.blocked_reason = '' AND o.superseded_by IS NULL
	` + studentInvoiceJoin + `
	JOIN dossiers d ON d.id = o.dossier_id
	JOIN students s ON s.id = d.student_id
	LEFT JOIN cards c ON c.id = (SELECT MAX(id) FROM cards c2 WHERE c2.student_id = d.student_id AND c2.deleted_at = '')
	WHERE ((i.status = 'pending' AND i.due_date <> '' AND i.due_date <= ?1 AND i.next_try <= ?1)
	    OR (i.status = 'failed' AND i.next_try <> '' AND i.next_try <= ?1))
	  AND i.seq = (SELECT MIN(j.seq) FROM instalments j WHERE j.plan_id = i.plan_id AND j.status IN ('pending','failed'))
	  AND NOT EXISTS (SELECT 1 FROM attempts a WHERE a.instalment_id = i.id AND a.kind = 'charge' AND a.state IN ('sent','unknown'))
	  AND ` + owedSQL + ` > 0`

func scanDue(sc scanner) (DueItem, error) {
	var it DueItem
	err := sc.Scan(&it.InstalmentID, &it.PlanID, &it.OrderID, &it.StudentID, &it.Name, &it.Seq, &it.Amount, &it.Due, &it.Attempts, &it.Owed,
		&it.Card.ID, &it.Card.RefAbonne, &it.Card.Token, &it.Card.Expiry, &it.Card.ECard)
	it.HasCard = it.Card.ID != 0
	it.Card.StudentID = it.StudentID
	return it, err
}

// DueInstalments lists what a charge run should debit as of today: the
// earliest unpaid instalment of each active plan (money counts against the
// earliest instalments first, so a later one waits while an earlier one
// waits for its retry), due on or before today, not blocked, no attempt in
// flight or unknown, retry dates respected, its amount capped by what the
// order owes. studentID narrows it to one.
func (db *DB) DueInstalments(ctx context.Context, today, studentID string) ([]DueItem, error) {
	q := `SELECT ` + dueCols + dueFrom
	args := []any{today}
	if studentID != "" {
		q += ` AND d.student_id = ?2`
		args = append(args, studentID)
	}
	rows, err := db.sql.QueryContext(ctx, q+` ORDER BY i.due_date, i.id`, args...)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []DueItem
	for rows.Next() {
		it, err := scanDue(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// FirstPaymentDue lists the students of year whose first payment is due:
// a current order above zero, not financed by a third party, with an
// approved plan not yet started or no plan at all (they pay in one go).
func (db *DB) FirstPaymentDue(ctx context.Context, year string) ([]string, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT d.student_id FROM dossiers d
		JOIN orders o ON o.dossier_id = d.id AND o.superseded_by IS NULL
		WHERE d.year = ? AND o.ttc > 0 AND o.financed = 0 AND o.blocked_reason = ''
		  AND NOT EXISTS (SELECT 1 FROM plans p WHERE p.order_id = o.id AND p.status IN ('requested','active','completed'))
		  AND NOT EXISTS (SELECT 1 FROM invoices i JOIN allocations a ON a.invoice_id = i.id WHERE i.order_id = o.id AND i.part <> 'payer')
		  AND NOT EXISTS (SELECT 1 FROM payers py WHERE py.dossier_id = d.id AND (py.share = 0 OR py.share >= o.ttc))
		ORDER BY d.student_id`, year)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// WriteInstalment writes what billing's rule made of one instalment: its
// amount, status, due date and paid date (an instalment cancelled keeps its
// last amount: the schema wants every amount above 0). The caller checked
// the transition.
func (tx *Tx) WriteInstalment(ctx context.Context, i Instalment) error {
	_, err := tx.exec(ctx, `UPDATE instalments SET amount=?, status=?, due_date=?, paid_date=?, attempts=?, next_try=? WHERE id=?`,
		i.Amount, i.Status, i.Due, i.PaidDate, i.Attempts, i.NextTry, i.ID)
	if err != nil {
		return fmt.Errorf("write instalment %d: %w", i.Seq, mapErr(err))
	}
	return nil
}

// Instalment is one échéance of a plan.
type Instalment struct {
	ID       int64       `json:"-"`
	PlanID   int64       `json:"-"`
	Seq      int         `json:"seq"`
	Amount   money.Cents `json:"amount_cents"`
	Due      string      `json:"due_date"`
	Status   string      `json:"status"`
	Attempts int         `json:"attempts"`
	NextTry  string      `json:"next_try"`
	LastCode string      `json:"last_code"`
	PaidDate string      `json:"paid_date"`
}

// unpaid reports whether the instalment is still to be paid (pending or
// failed).
func (i Instalment) unpaid() bool {
	return i.Status == string(schedule.InstalmentPending) || i.Status == string(schedule.InstalmentFailed)
}

func instalmentsOf(ctx context.Context, q rowsQueryer, planID int64) ([]Instalment, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, plan_id, seq, amount, due_date, status, attempts, next_try, last_code, paid_date
		FROM instalments WHERE plan_id = ? ORDER BY seq`, planID)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	out := []Instalment{}
	for rows.Next() {
		var i Instalment
		if err := rows.Scan(&i.ID, &i.PlanID, &i.Seq, &i.Amount, &i.Due, &i.Status, &i.Attempts, &i.NextTry, &i.LastCode, &i.PaidDate); err != nil {
			return nil, err
		}
		out = append(out, i)
	}
	return out, rows.Err()
}

func (tx *Tx) insertInstalments(ctx context.Context, planID int64, amounts []money.Cents) error {
	for i, a := range amounts {
		if _, err := tx.exec(ctx, `INSERT INTO instalments(plan_id, seq, amount, status) VALUES (?, ?, ?, 'pending')`,
			planID, i+1, a); err != nil {
			return fmt.Errorf("insert instalment %d: %w", i+1, err)
		}
	}
	return nil
}

// setInstalmentStatus moves an instalment to status to (trigger
// instalments_transition guards the state machine).
func (tx *Tx) setInstalmentStatus(ctx context.Context, i Instalment, to schedule.InstalmentStatus, paid string) error {
	_, err := tx.exec(ctx, `UPDATE instalments SET status=?, paid_date=? WHERE id=?`, string(to), paid, i.ID)
	if err != nil {
		return fmt.Errorf("instalment %d: %w", i.Seq, mapErr(err))
	}
	return nil
}

// FailInstalment records a declined attempt on an instalment: it becomes
// failed, its attempt count grows, and the decline code and the date of the
// next try ("" for none) are kept.
func (tx *Tx) FailInstalment(ctx context.Context, instalmentID int64, code string, nextTry clock.Date) error {
	p, err := tx.planOfInstalment(ctx, instalmentID)
	if err != nil {
		return err
	}
	k := slices.IndexFunc(p.Instalments, func(i Instalment) bool { return i.ID == instalmentID })
	if k < 0 {
		return fault.New(fault.NotFound, "no instalment %d", instalmentID)
	}
	i := p.Instalments[k]
	if err := tx.setInstalmentStatus(ctx, i, schedule.InstalmentFailed, ""); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `UPDATE instalments SET attempts=attempts+1, last_code=?, next_try=? WHERE id=?`,
		code, nextTry.String(), i.ID); err != nil {
		return err
	}
	return tx.audit(ctx, "plan:"+p.StudentID, fmt.Sprintf("%s plan: instalment %d (%s) declined (%s), attempt %d, next try %q",
		p.Plan, i.Seq, i.Amount, code, i.Attempts+1, nextTry.String()))
}

// DeferInstalment keeps an unpaid instalment from being charged before
// notBefore (never earlier than a retry date it already has), without
// counting an attempt: a debit whose outcome was lost and that Paybox does
// not know may have been declined, so it waits the retry gap a decline
// would have given it rather than being sent again the same day.
func (tx *Tx) DeferInstalment(ctx context.Context, instalmentID int64, notBefore clock.Date) error {
	_, err := tx.exec(ctx, `UPDATE instalments SET next_try = MAX(next_try, ?) WHERE id = ? AND status IN ('pending','failed')`,
		notBefore.String(), instalmentID)
	return err
}

// planOfInstalment reads the plan an instalment belongs to, with all its
// instalments, in one query.
func (tx *Tx) planOfInstalment(ctx context.Context, instalmentID int64) (Plan, error) {
	p, ok, err := onePlan(ctx, cached{tx}, `p.id = (SELECT plan_id FROM instalments WHERE id = ?)`, instalmentID)
	if err == nil && !ok {
		err = fault.New(fault.NotFound, "no instalment %d", instalmentID)
	}
	return p, err
}

// PlanOfInstalment reads the plan an instalment belongs to.
func (tx *Tx) PlanOfInstalment(ctx context.Context, instalmentID int64) (Plan, error) {
	return tx.planOfInstalment(ctx, instalmentID)
}

// UpcomingDebits lists the instalments that a charge run will debit on a
// day from after `from` to `to` (inclusive, YYYY-MM-DD): pending, with a
// due date in that window, on an active plan with a stored card, the order
// not blocked and still owing. The amount is capped by what the order owes,
// as the charge run will cap it. They are what a debit_upcoming notice
// announces.
func (db *DB) UpcomingDebits(ctx context.Context, from, to string) ([]DueItem, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT i.id, i.plan_id, p.order_id, d.student_id, s.first_name || ' ' || s.last_name, i.seq,
		MIN(i.amount, `+owedSQL+`), i.due_date, i.attempts, `+owedSQL+`,
		c.id, c.refabonne, '', c.expiry, c.ecard
		FROM instalments i
		JOIN plans p ON p.id = i.plan_id AND p.status = 'active'
		JOIN orders o ON o.id = p.order_id AND o.blocked_reason = '' AND o.superseded_by IS NULL
		`+studentInvoiceJoin+`
		JOIN dossiers d ON d.id = o.dossier_id
		JOIN students s ON s.id = d.student_id
		JOIN cards c ON c.id = (SELECT MAX(id) FROM cards c2 WHERE c2.student_id = d.student_id AND c2.deleted_at = '')
		WHERE i.status = 'pending' AND i.due_date > ?1 AND i.due_date <= ?2 AND `+owedSQL+` > 0
		ORDER BY i.due_date, i.id`, from, to)
	if err != nil {
		return nil, mapErr(fmt.Errorf("read upcoming debits: %w", err))
	}
	defer rows.Close()
	var out []DueItem
	for rows.Next() {
		it, err := scanDue(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, mapErr(rows.Err())
}
