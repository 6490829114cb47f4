package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/inpctl/inpctl/internal/docnum"
	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/money"
)

// Card is a row of the cards table: a Paybox Direct Plus subscriber, never
// a card number. It is the one type of that table: what a charge sends
// (Token), what the plan rules check (Expiry, ECard) and what the account
// position shows (CreatedDate, Deleted) are its fields; a reader fills
// those it selects.
type Card struct {
	ID        int64  `json:"-"`
	StudentID string `json:"student_id"`
	RefAbonne string `json:"refabonne"`
	Token     string `json:"-"`
	Expiry    string `json:"expiry"` // YYMM, as Paybox sends it
	ECard     bool   `json:"ecard"`  // a temporary card (e-carte)
	CardType  string `json:"card_type"`
	// CreatedDate is the local date the card was registered on, and
	// Deleted says a later card retired it before the position's date
	// (account position only).
	CreatedDate string `json:"-"`
	Deleted     bool   `json:"-"`
}

// SaveCard stores a student's card; an earlier card is kept but retired.
func (tx *Tx) SaveCard(ctx context.Context, c Card) (Card, error) {
	if _, err := tx.exec(ctx, `UPDATE cards SET deleted_at=? WHERE student_id=? AND deleted_at='' AND refabonne<>?`, ts(tx.Now), c.StudentID, c.RefAbonne); err != nil {
		return c, err
	}
	res, err := tx.exec(ctx, `INSERT INTO cards(student_id, refabonne, token, expiry, ecard, card_type, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT(refabonne) DO UPDATE SET token=excluded.token, expiry=excluded.expiry, ecard=excluded.ecard, card_type=excluded.card_type, deleted_at=''`,
		c.StudentID, c.RefAbonne, c.Token, c.Expiry, c.ECard, c.CardType, ts(tx.Now))
	if err != nil {
		return c, err
	}
	c.ID, _ = res.LastInsertId()
	return c, nil
}

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

// Attempt is one call to the gateway, written before the call is made.
type Attempt struct {
	ID           int64       `json:"-"`
	Kind         string      `json:"kind"`
	Reference    string      `json:"reference"`
	NumQuestion  int64       `json:"numquestion"`
	InstalmentID int64       `json:"-"`
	RefundID     int64       `json:"-"`
	PaymentID    int64       `json:"-"` // refunds: the card payment refunded
	CardID       int64       `json:"-"`
	Amount       money.Cents `json:"amount_cents"`
	State        string      `json:"state"`
	Code         string      `json:"code"`
	Text         string      `json:"text"`
	NumTrans     string      `json:"numtrans"`
	NumAppel     string      `json:"numappel"`
	CreatedAt    string      `json:"created_at"`
	ResolvedAt   string      `json:"resolved_at"`
	StudentID    string      `json:"student_id"`
	Note         string      `json:"note"`    // refunds: the reason, recorded with the refund
	Payment      string      `json:"payment"` // refunds: the number of the payment refunded
}

// CreateAttempt writes the intent row of a charge (state sent) with its
// own unique REFERENCE and NUMQUESTION. The unique index refuses a second
// live attempt on the same instalment (conflict): nothing is charged twice.
func (tx *Tx) CreateAttempt(ctx context.Context, a Attempt) (Attempt, error) {
	as, err := tx.CreateAttempts(ctx, []Attempt{a})
	if err != nil {
		return a, err
	}
	return as[0], nil
}

// CreateAttempts is CreateAttempt for a batch of charges (a charge run's
// intents): the references and NUMQUESTIONs are taken as one block of each
// sequence, all used in this transaction.
func (tx *Tx) CreateAttempts(ctx context.Context, as []Attempt) ([]Attempt, error) {
	if len(as) == 0 {
		return as, nil
	}
	prefix, first, err := tx.nextBlock(ctx, SeqAttempt, len(as))
	if err != nil {
		return nil, err
	}
	_, q, err := tx.nextBlock(ctx, SeqNumQuestion, len(as))
	if err != nil {
		return nil, err
	}
	out := make([]Attempt, len(as))
	for k, a := range as {
		if a.Kind == "" {
			a.Kind = "charge"
		}
		a.Reference = docnum.Reference(prefix, first+int64(k))
		a.NumQuestion = (q+int64(k)-1)%maxNumQuestion + 1
		a.State, a.CreatedAt = "sent", ts(tx.Now)
		res, err := tx.exec(ctx, `INSERT INTO attempts(kind, reference, numquestion, instalment_id, refund_id, card_id, payment_id, note, amount, state, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'sent', ?)`, a.Kind, a.Reference, a.NumQuestion, nullID(a.InstalmentID), nullID(a.RefundID),
			nullID(a.CardID), nullID(a.PaymentID), a.Note, a.Amount, a.CreatedAt)
		if err != nil {
			return nil, mapErr(fmt.Errorf("record attempt: %w", err))
		}
		a.ID, _ = res.LastInsertId()
		out[k] = a
	}
	return out, nil
}

// ResolveAttempt records what became of an attempt.
func (tx *Tx) ResolveAttempt(ctx context.Context, a Attempt) error {
	_, err := tx.exec(ctx, `UPDATE attempts SET state=?, code=?, text=?, numtrans=?, numappel=?, resolved_at=? WHERE id=?`,
		a.State, a.Code, a.Text, a.NumTrans, a.NumAppel, ts(tx.Now), a.ID)
	return err
}

// ResolveOpenAttempt is ResolveAttempt for an attempt still sent or
// unknown, and links it to its refund (RefundID); it reports whether it
// changed it (false: another command resolved it first).
func (tx *Tx) ResolveOpenAttempt(ctx context.Context, a Attempt) (bool, error) {
	res, err := tx.exec(ctx, `UPDATE attempts SET state=?, code=?, text=?, numtrans=?, numappel=?, resolved_at=?, refund_id=COALESCE(?, refund_id)
		WHERE id=? AND state IN ('sent','unknown')`, a.State, a.Code, a.Text, a.NumTrans, a.NumAppel, ts(tx.Now), nullID(a.RefundID), a.ID)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// NextNumQuestion takes a NUMQUESTION for a call that has no attempt row
// (a lookup).
func (tx *Tx) NextNumQuestion(ctx context.Context) (int64, error) { return tx.nextNumQuestion(ctx) }

const attemptCols = `a.id, a.kind, a.reference, a.numquestion, COALESCE(a.instalment_id, 0), COALESCE(a.refund_id, 0), COALESCE(a.card_id, 0),
	a.amount, a.state, a.code, a.text, a.numtrans, a.numappel, a.created_at, a.resolved_at,
	COALESCE((SELECT d.student_id FROM instalments i JOIN plans p ON p.id = i.plan_id JOIN orders o ON o.id = p.order_id
		JOIN dossiers d ON d.id = o.dossier_id WHERE i.id = a.instalment_id),
		(SELECT pm.student_id FROM payments pm WHERE pm.id = a.payment_id), ''),
	COALESCE(a.payment_id, 0), a.note, COALESCE((SELECT pm.number FROM payments pm WHERE pm.id = a.payment_id), '')`

func scanAttempt(sc scanner) (Attempt, error) {
	var a Attempt
	err := sc.Scan(&a.ID, &a.Kind, &a.Reference, &a.NumQuestion, &a.InstalmentID, &a.RefundID, &a.CardID, &a.Amount, &a.State,
		&a.Code, &a.Text, &a.NumTrans, &a.NumAppel, &a.CreatedAt, &a.ResolvedAt, &a.StudentID, &a.PaymentID, &a.Note, &a.Payment)
	return a, err
}

// OpenAttempts lists the attempts, charges and refunds, whose outcome is
// not known (sent or unknown): they are looked up before anything else is
// charged, never sent again.
func (db *DB) OpenAttempts(ctx context.Context) ([]Attempt, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT `+attemptCols+` FROM attempts a WHERE a.state IN ('sent','unknown') ORDER BY a.id`)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []Attempt
	for rows.Next() {
		a, err := scanAttempt(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// AttemptsOf lists a student's charge attempts, oldest first.
func (db *DB) AttemptsOf(ctx context.Context, studentID string) ([]Attempt, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT `+attemptCols+` FROM attempts a
		JOIN instalments i ON i.id = a.instalment_id JOIN plans p ON p.id = i.plan_id JOIN orders o ON o.id = p.order_id
		JOIN dossiers d ON d.id = o.dossier_id WHERE d.student_id = ? ORDER BY a.id`, studentID)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	out := []Attempt{}
	for rows.Next() {
		a, err := scanAttempt(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// BlockOrder marks an order blocked with a reason (shown in the account).
func (tx *Tx) BlockOrder(ctx context.Context, orderID int64, reason string) error {
	_, err := tx.exec(ctx, `UPDATE orders SET blocked_reason=?, blocked_at=? WHERE id=? AND blocked_reason=''`, reason, ts(tx.Now), orderID)
	return err
}

// SetOrderSettled records the date an order became fully paid.
func (tx *Tx) SetOrderSettled(ctx context.Context, orderID int64, date string) error {
	_, err := tx.exec(ctx, `UPDATE orders SET settled_date=? WHERE id=? AND settled_date=''`, date, orderID)
	return err
}

// PayRequest is a hosted-page payment request (PBX_CMD is unique).
type PayRequest struct {
	ID           int64
	Cmd          string
	StudentID    string
	OrderID      int64
	InstalmentID int64
	Amount       money.Cents
	Status       string
}

// CreatePayRequest records a hosted-page request with a fresh PBX_CMD.
func (tx *Tx) CreatePayRequest(ctx context.Context, r PayRequest) (PayRequest, error) {
	prefix, n, err := tx.next(ctx, SeqAttempt)
	if err != nil {
		return r, err
	}
	r.Cmd = docnum.PayRequest(prefix, n)
	res, err := tx.exec(ctx, `INSERT INTO pay_requests(cmd, student_id, order_id, instalment_id, amount, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		r.Cmd, r.StudentID, r.OrderID, nullID(r.InstalmentID), r.Amount, ts(tx.Now))
	if err != nil {
		return r, err
	}
	r.ID, _ = res.LastInsertId()
	r.Status = "open"
	return r, nil
}

// PayRequestByCmd finds a hosted-page request by its PBX_CMD.
func (tx *Tx) PayRequestByCmd(ctx context.Context, cmd string) (PayRequest, error) {
	var r PayRequest
	err := tx.queryRow(ctx, `SELECT id, cmd, student_id, order_id, COALESCE(instalment_id, 0), amount, status FROM pay_requests WHERE cmd = ?`, cmd).
		Scan(&r.ID, &r.Cmd, &r.StudentID, &r.OrderID, &r.InstalmentID, &r.Amount, &r.Status)
	if errors.Is(err, sql.ErrNoRows) {
		return r, fault.New(fault.NotFound, "no payment request %q (unknown PBX_CMD)", cmd)
	}
	return r, err
}

// ClosePayRequest records how a hosted-page request ended (paid or refused).
func (tx *Tx) ClosePayRequest(ctx context.Context, id int64, status, code string) error {
	_, err := tx.exec(ctx, `UPDATE pay_requests SET status=?, code=?, applied_at=? WHERE id=? AND status='open'`, status, code, ts(tx.Now), id)
	return err
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

// AttemptInstalments maps every charge attempt's REFERENCE to its
// instalment and state (tests compare it with the gateway's own records).
func (db *DB) AttemptInstalments(ctx context.Context) (map[string]Attempt, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT reference, COALESCE(instalment_id, 0), state, amount FROM attempts WHERE kind = 'charge'`)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	out := map[string]Attempt{}
	for rows.Next() {
		var a Attempt
		if err := rows.Scan(&a.Reference, &a.InstalmentID, &a.State, &a.Amount); err != nil {
			return nil, err
		}
		out[a.Reference] = a
	}
	return out, rows.Err()
}

// PaidByCard counts, per instalment, the card payments recorded for it.
func (db *DB) PaidByCard(ctx context.Context) (map[int64]int, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT a.instalment_id, COUNT(*) FROM payments p JOIN attempts a ON a.id = p.attempt_id GROUP BY a.instalment_id`)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	out := map[int64]int{}
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
}
