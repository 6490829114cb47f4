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

// LastPaymentID is the id of the newest payment (0 when there is none): a
// plan approved now counts the money of later payments.
func (tx *Tx) LastPaymentID(ctx context.Context) (int64, error) {
	var id int64
	err := tx.queryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM payments`).Scan(&id)
	return id, err
}

// Payment is money received, immutable once recorded.
type Payment struct {
	ID           int64              `json:"-"`
	Number       string             `json:"number"`
	StudentID    string             `json:"student_id"`
	Date         string             `json:"date"`
	Amount       money.Cents        `json:"amount_cents"`
	Method       string             `json:"method"`
	Ref          string             `json:"ref"`
	NumTrans     string             `json:"numtrans"`
	NumAppel     string             `json:"numappel"`
	AttemptID    int64              `json:"-"`
	PayRequestID int64              `json:"-"`
	Allocated    money.Cents        `json:"allocated_cents"`
	Refunded     money.Cents        `json:"refunded_cents"`
	Unpaid       bool               `json:"unpaid"` // reversed: an impayé, or voided
	UnpaidDate   string             `json:"unpaid_date"`
	Voided       bool               `json:"voided"` // the reversal is a void (entered by mistake)
	UnpaidReason string             `json:"unpaid_reason"`
	PayerID      int64              `json:"-"` // a transfer from the order's third-party payer
	PayerName    string             `json:"payer,omitempty"`
	Currency     money.CurrencyCode `json:"currency"`
}

// RecordPayment records a payment with the next payment number.
func (tx *Tx) RecordPayment(ctx context.Context, p Payment) (Payment, error) {
	prefix, n, err := tx.next(ctx, SeqPayment)
	if err != nil {
		return p, err
	}
	p.Number = docnum.Payment(prefix, n)
	res, err := tx.exec(ctx, `INSERT INTO payments(number, student_id, date, amount, method, ref, numtrans, numappel, attempt_id, pay_request_id, payer_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, p.Number, p.StudentID, p.Date, p.Amount, p.Method, p.Ref, p.NumTrans, p.NumAppel,
		nullID(p.AttemptID), nullID(p.PayRequestID), nullID(p.PayerID), ts(tx.Now))
	if err != nil {
		return p, fmt.Errorf("record payment: %w", err)
	}
	p.ID, _ = res.LastInsertId()
	return p, nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// PaymentByNumber returns a payment with what was allocated, refunded and
// whether it was reversed.
func (tx *Tx) PaymentByNumber(ctx context.Context, number string) (Payment, error) {
	p, err := scanPayment(tx.queryRow(ctx, `SELECT `+paymentCols+` FROM payments p WHERE p.number = ?`, number))
	if errors.Is(err, sql.ErrNoRows) {
		return p, fault.New(fault.NotFound, "no payment %s", number).WithHint("list payments with: inpctl payment list")
	}
	return p, err
}

const paymentCols = `p.id, p.number, p.student_id, p.date, p.amount, p.method, p.ref, p.numtrans, p.numappel,
	COALESCE(p.attempt_id, 0), COALESCE(p.pay_request_id, 0),
	` + allocatedSQL + `,
	COALESCE((SELECT SUM(amount) FROM refunds r WHERE r.payment_id = p.id), 0),
	EXISTS (SELECT 1 FROM unpaids u WHERE u.payment_id = p.id),
	COALESCE((SELECT date FROM unpaids u WHERE u.payment_id = p.id), ''),
	EXISTS (SELECT 1 FROM unpaids u WHERE u.payment_id = p.id AND u.kind = 'void'),
	COALESCE((SELECT reason FROM unpaids u WHERE u.payment_id = p.id), ''),
	COALESCE(p.payer_id, 0), COALESCE((SELECT py.name FROM payers py WHERE py.id = p.payer_id), '')`

func scanPayment(sc scanner) (Payment, error) {
	var p Payment
	err := sc.Scan(&p.ID, &p.Number, &p.StudentID, &p.Date, &p.Amount, &p.Method, &p.Ref, &p.NumTrans, &p.NumAppel,
		&p.AttemptID, &p.PayRequestID, &p.Allocated, &p.Refunded, &p.Unpaid, &p.UnpaidDate, &p.Voided, &p.UnpaidReason, &p.PayerID, &p.PayerName)
	return p, err
}

// PaymentFilter selects payments.
type PaymentFilter struct {
	From, To, Method, StudentID string
}

// ListPayments lists payments in date order.
func (db *DB) ListPayments(ctx context.Context, f PaymentFilter) ([]Payment, error) {
	q := `SELECT ` + paymentCols + ` FROM payments p WHERE 1=1`
	var args []any
	for cond, v := range map[string]string{" AND p.date >= ?": f.From, " AND p.date <= ?": f.To, " AND p.method = ?": f.Method, " AND p.student_id = ?": f.StudentID} {
		if v != "" {
			q += cond
			args = append(args, v)
		}
	}
	rows, err := db.sql.QueryContext(ctx, q+` ORDER BY p.date, p.id`, args...)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	out := []Payment{}
	for rows.Next() {
		p, err := scanPayment(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// PaymentWithRef finds a student's payment of a method with the same
// reference (compared without case or surrounding spaces), not reversed.
func (tx *Tx) PaymentWithRef(ctx context.Context, studentID, method, ref string) (Payment, bool, error) {
	p, err := scanPayment(tx.queryRow(ctx, `SELECT `+paymentCols+` FROM payments p WHERE p.student_id = ? AND p.method = ?
		AND lower(trim(p.ref)) = lower(trim(?)) AND NOT EXISTS (SELECT 1 FROM unpaids u WHERE u.payment_id = p.id) ORDER BY p.id LIMIT 1`,
		studentID, method, ref))
	if errors.Is(err, sql.ErrNoRows) {
		return p, false, nil
	}
	return p, err == nil, err
}
