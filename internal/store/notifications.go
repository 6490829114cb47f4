package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/inpctl/inpctl/internal/money"
)

// Notification is a signed hosted-page notification that was applied,
// identified by the transaction Paybox reports (issue 17), not by PBX_CMD.
type Notification struct {
	Cmd                 string
	PayRequestID        int64
	NumTrans, NumAppel  string
	Auth, Code, Outcome string
	Amount              money.Cents
	PaymentID           int64
	Payment             string // its number, when it recorded one
}

// SeenNotification finds a notification already applied with the same
// transaction: for an approved one, any card payment with its NUMTRANS and
// NUMAPPEL (also those recorded before notifications were kept); for a
// refused one, the same PBX_CMD, numbers, authorisation and code.
func (tx *Tx) SeenNotification(ctx context.Context, n Notification) (Notification, bool, error) {
	var prev Notification
	var err error
	if n.Code == "00000" {
		prev.Outcome, prev.Code = "paid", n.Code
		err = tx.queryRow(ctx, `SELECT p.id, p.number, COALESCE((SELECT outcome FROM notifications x WHERE x.payment_id = p.id), 'paid')
			FROM payments p WHERE p.method = 'card' AND p.numtrans = ? AND p.numappel = ? ORDER BY p.id LIMIT 1`, n.NumTrans, n.NumAppel).
			Scan(&prev.PaymentID, &prev.Payment, &prev.Outcome)
	} else {
		err = tx.queryRow(ctx, `SELECT outcome, code FROM notifications WHERE cmd = ? AND numtrans = ? AND numappel = ? AND auth = ? AND code = ?`,
			n.Cmd, n.NumTrans, n.NumAppel, n.Auth, n.Code).Scan(&prev.Outcome, &prev.Code)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return prev, false, nil
	}
	return prev, err == nil, err
}

// RecordNotification appends an applied notification.
func (tx *Tx) RecordNotification(ctx context.Context, n Notification) error {
	_, err := tx.exec(ctx, `INSERT INTO notifications(cmd, pay_request_id, numtrans, numappel, auth, code, amount, payment_id, outcome, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, n.Cmd, nullID(n.PayRequestID), n.NumTrans, n.NumAppel, n.Auth, n.Code, n.Amount,
		nullID(n.PaymentID), n.Outcome, ts(tx.Now))
	return mapErr(err)
}

// AppliedNotice is what the books hold of one hosted-page notification:
// whether it was applied (by pay ipn or inpctl serve) and what that wrote.
type AppliedNotice struct {
	Applied   bool
	StudentID string
	Outcome   string      // paid, excess or refused
	Payment   string      // the payment's number, when one was recorded
	Invoice   string      // the order's invoice, when issued
	Asked     money.Cents // what the link asked for
	CardSaved bool        // the card of this link (REFABONNE "AB"+PBX_CMD) is stored
}

// NotificationsApplied looks each notification up by its transaction (as
// SeenNotification does) without a write transaction: pay simulate polls
// with it while inpctl serve, another process, applies them.
func (db *DB) NotificationsApplied(ctx context.Context, ns []Notification) ([]AppliedNotice, error) {
	out := make([]AppliedNotice, len(ns))
	q := prep{db} // one statement for the poll's lookups, parsed once
	for k, n := range ns {
		a := &out[k]
		err := q.QueryRowContext(ctx, `SELECT r.student_id, r.amount, n.outcome, COALESCE(p.number, ''),
			COALESCE((SELECT i.number FROM invoices i WHERE i.order_id = r.order_id AND i.part <> 'payer'), ''),
			EXISTS (SELECT 1 FROM cards c WHERE c.refabonne = 'AB' || r.cmd)
			FROM notifications n JOIN pay_requests r ON r.id = n.pay_request_id LEFT JOIN payments p ON p.id = n.payment_id
			WHERE n.cmd = ? AND n.numtrans = ? AND n.numappel = ? AND n.auth = ? AND n.code = ?`,
			n.Cmd, n.NumTrans, n.NumAppel, n.Auth, n.Code).
			Scan(&a.StudentID, &a.Asked, &a.Outcome, &a.Payment, &a.Invoice, &a.CardSaved)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return nil, mapErr(err)
		default:
			a.Applied = true
		}
	}
	return out, nil
}
