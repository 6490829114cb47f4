package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/inpctl/inpctl/internal/money"
)

// Refund is money given back to a student.
type Refund struct {
	ID        int64              `json:"-"`
	StudentID string             `json:"student_id"`
	PaymentID int64              `json:"-"`
	Payment   string             `json:"payment"`
	Date      string             `json:"date"`
	Amount    money.Cents        `json:"amount_cents"`
	Method    string             `json:"method"`
	Reason    string             `json:"reason"`
	NumTrans  string             `json:"numtrans"`
	NumAppel  string             `json:"numappel"`
	Reference string             `json:"reference,omitempty"` // a card refund: the REFERENCE sent to Paybox (its attempt's)
	Currency  money.CurrencyCode `json:"currency"`
}

// RecordRefund records a refund (after the gateway approved it, for cards).
func (tx *Tx) RecordRefund(ctx context.Context, r Refund) (Refund, error) {
	res, err := tx.exec(ctx, `INSERT INTO refunds(student_id, payment_id, date, amount, method, reason, numtrans, numappel, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.StudentID, nullID(r.PaymentID), r.Date, r.Amount, r.Method, r.Reason, r.NumTrans, r.NumAppel, ts(tx.Now))
	if err != nil {
		return r, err
	}
	r.ID, _ = res.LastInsertId()
	return r, nil
}

// LastRefund returns a student's latest refund.
func (db *DB) LastRefund(ctx context.Context, studentID string) (Refund, bool, error) {
	var r Refund
	err := db.sql.QueryRowContext(ctx, `SELECT r.id, r.student_id, COALESCE(r.payment_id, 0), COALESCE(p.number, ''), r.date, r.amount, r.method, r.reason
		FROM refunds r LEFT JOIN payments p ON p.id = r.payment_id WHERE r.student_id = ? ORDER BY r.id DESC LIMIT 1`, studentID).
		Scan(&r.ID, &r.StudentID, &r.PaymentID, &r.Payment, &r.Date, &r.Amount, &r.Method, &r.Reason)
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	}
	return r, err == nil, mapErr(err)
}
