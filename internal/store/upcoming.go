package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

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

// CardType returns the type of a stored card (CB, VISA…), "" if unknown.
func (db *DB) CardType(ctx context.Context, cardID int64) (string, error) {
	var t string
	err := db.sql.QueryRowContext(ctx, `SELECT card_type FROM cards WHERE id = ?`, cardID).Scan(&t)
	return t, mapErr(err)
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
