package store

import (
	"context"
)

// RecordUnpaid records the reversal of a payment (kind "unpaid": an
// impayé; "void": a manual payment entered by mistake) and returns what it
// had allocated, net, to each invoice, with the invoice's order: billing
// takes each back (recordUnpaid).
func (tx *Tx) RecordUnpaid(ctx context.Context, p Payment, date, reason, kind string) ([]Allocation, error) {
	if _, err := tx.exec(ctx, `INSERT INTO unpaids(payment_id, date, reason, kind, created_at) VALUES (?, ?, ?, ?, ?)`, p.ID, date, reason, kind, ts(tx.Now)); err != nil {
		return nil, mapErr(err)
	}
	rows, err := tx.query(ctx, `SELECT a.invoice_id, i.order_id, SUM(a.amount) FROM allocations a JOIN invoices i ON i.id = a.invoice_id
		WHERE a.payment_id = ? GROUP BY a.invoice_id, i.order_id HAVING SUM(a.amount) > 0 ORDER BY a.invoice_id`, p.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Allocation
	for rows.Next() {
		a := Allocation{PaymentID: p.ID}
		if err := rows.Scan(&a.InvoiceID, &a.OrderID, &a.Amount); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
