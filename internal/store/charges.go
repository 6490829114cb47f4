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

// SetAttemptPayment links a refund attempt to the payment it refunds.
func (tx *Tx) SetAttemptPayment(ctx context.Context, attemptID, paymentID int64) error {
	_, err := tx.exec(ctx, `UPDATE attempts SET payment_id=? WHERE id=?`, paymentID, attemptID)
	return err
}
