package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/inpctl/inpctl/internal/money"
)

// Allocate assigns amount of a payment to an invoice (negative: takes it
// back). Rows are appended, never edited.
func (tx *Tx) Allocate(ctx context.Context, paymentID, invoiceID int64, amount money.Cents) error {
	if amount == 0 {
		return nil
	}
	_, err := tx.exec(ctx, `INSERT INTO allocations(payment_id, invoice_id, amount, created_at) VALUES (?, ?, ?, ?)`,
		paymentID, invoiceID, amount, ts(tx.Now))
	return err
}

// Allocation is the net amount of one payment on one invoice.
type Allocation struct {
	PaymentID int64
	InvoiceID int64
	OrderID   int64 // the invoice's order (RecordUnpaid only)
	Amount    money.Cents
}

// AllocationsOf returns the net allocation of each payment to an invoice,
// oldest payment first, leaving out those netted to zero.
func (tx *Tx) AllocationsOf(ctx context.Context, invoiceID int64) ([]Allocation, error) {
	rows, err := tx.query(ctx, `SELECT payment_id, SUM(amount) FROM allocations WHERE invoice_id = ?
		GROUP BY payment_id HAVING SUM(amount) <> 0 ORDER BY payment_id`, invoiceID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Allocation
	for rows.Next() {
		a := Allocation{InvoiceID: invoiceID}
		if err := rows.Scan(&a.PaymentID, &a.Amount); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Unallocated is what of a payment is neither allocated nor refunded (and
// nothing if the payment was reversed as unpaid).
func (tx *Tx) Unallocated(ctx context.Context, paymentID int64) (money.Cents, error) {
	var v money.Cents
	err := tx.queryRow(ctx, `SELECT `+unallocatedSQL+`
		FROM payments p WHERE p.id = ? AND NOT EXISTS (SELECT 1 FROM unpaids u WHERE u.payment_id = p.id)`, paymentID).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return v, err
}

// refundedSQL is what refunds took, or reserve, of payment p: the refunds
// recorded against it plus the card refunds sent to Paybox whose outcome is
// not known yet (attempts 'sent' or 'unknown'). It is the one place that
// says what of a payment is spent by refunds: Unallocated, StudentCredit,
// PaymentsWithCredit and DossierPaymentsWithCredit all use it, so a refund
// in flight cannot be spent a second time (issue 17).
const refundedSQL = `(COALESCE((SELECT SUM(r.amount) FROM refunds r WHERE r.payment_id = p.id), 0)
	+ COALESCE((SELECT SUM(ra.amount) FROM attempts ra WHERE ra.kind = 'refund' AND ra.payment_id = p.id AND ra.state IN ('sent','unknown')), 0))`

// allocatedSQL is what payment p has allocated, net, to invoices.
const allocatedSQL = `COALESCE((SELECT SUM(amount) FROM allocations a WHERE a.payment_id = p.id), 0)`

// unallocatedSQL is the free part of payment p: what of it is neither
// allocated nor spent by refunds (recorded or in flight: refundedSQL). It
// is the one place that says it: Unallocated, PaymentsWithCredit,
// DossierPaymentsWithCredit and ReportCredits use it. A reversed payment
// has none: the callers leave those out (unpaids).
const unallocatedSQL = `(p.amount - ` + allocatedSQL + ` - ` + refundedSQL + `)`

// StudentCredit is what the student has paid and not had used or refunded:
// Σ payments (not unpaid) − Σ net allocations − Σ refunds (recorded, or
// in flight at the gateway: refundedSQL).
func (tx *Tx) StudentCredit(ctx context.Context, studentID string) (money.Cents, error) {
	var v money.Cents
	err := tx.queryRow(ctx, `SELECT
		COALESCE((SELECT SUM(p.amount) FROM payments p WHERE p.student_id = ?1 AND NOT EXISTS (SELECT 1 FROM unpaids u WHERE u.payment_id = p.id)), 0)
		- COALESCE((SELECT SUM(a.amount) FROM allocations a JOIN payments p ON p.id = a.payment_id WHERE p.student_id = ?1
			AND NOT EXISTS (SELECT 1 FROM unpaids u WHERE u.payment_id = p.id)), 0)
		- COALESCE((SELECT SUM(`+refundedSQL+`) FROM payments p WHERE p.student_id = ?1), 0)
		- COALESCE((SELECT SUM(r.amount) FROM refunds r WHERE r.student_id = ?1 AND r.payment_id IS NULL), 0)`, studentID).Scan(&v)
	return v, err
}

// PaymentsWithCredit returns a student's payments that still have an
// unallocated, unrefunded part, oldest first.
func (tx *Tx) PaymentsWithCredit(ctx context.Context, studentID string) ([]Payment, error) {
	return tx.freeParts(ctx, `SELECT p.id, p.number, COALESCE(p.payer_id, 0), `+unallocatedSQL+`
		FROM payments p WHERE p.student_id = ? AND NOT EXISTS (SELECT 1 FROM unpaids u WHERE u.payment_id = p.id) ORDER BY p.id`, studentID)
}

// freeParts runs a query of (id, number, payer id, free amount) and keeps
// the payments whose free part is above zero, with Amount that part.
func (tx *Tx) freeParts(ctx context.Context, query string, args ...any) ([]Payment, error) {
	rows, err := tx.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Payment
	for rows.Next() {
		var p Payment
		var free money.Cents
		if err := rows.Scan(&p.ID, &p.Number, &p.PayerID, &free); err != nil {
			return nil, err
		}
		if free > 0 {
			p.Amount = free
			out = append(out, p)
		}
	}
	return out, rows.Err()
}

// DossierPaymentsWithCredit returns, oldest first, the money a code change
// moves to the dossier's new invoice (issue 16): for each payment that was
// once allocated to an invoice of the dossier (any of its orders,
// superseded or not), what credit notes of the dossier took off it since
// its peak there (the most it ever paid of the dossier), up to what of it
// is still neither allocated nor refunded. So a correction undone (01 → 05
// → 01 → 05 after a card payment) brings the card money back, while an
// excess the clerk accepted as a credit stays one until `payment allocate`.
func (tx *Tx) DossierPaymentsWithCredit(ctx context.Context, dossierID int64) ([]Payment, error) {
	return tx.freeParts(ctx, `WITH run AS (
			SELECT a.payment_id, a.amount, SUM(a.amount) OVER (PARTITION BY a.payment_id ORDER BY a.id) AS total
			FROM allocations a JOIN invoices i ON i.id = a.invoice_id JOIN orders o ON o.id = i.order_id
			WHERE o.dossier_id = ?),
		lost AS (SELECT payment_id, MAX(total) - SUM(amount) AS amount FROM run GROUP BY payment_id)
		SELECT p.id, p.number, COALESCE(p.payer_id, 0), MIN(l.amount, `+unallocatedSQL+`)
		FROM payments p JOIN lost l ON l.payment_id = p.id
		WHERE NOT EXISTS (SELECT 1 FROM unpaids u WHERE u.payment_id = p.id) ORDER BY p.id`, dossierID)
}
