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

// CreditNote is an issued, immutable credit note (avoir).
type CreditNote struct {
	ID            int64              `json:"-"`
	Number        string             `json:"number"`
	InvoiceID     int64              `json:"-"`
	InvoiceNumber string             `json:"invoice_number"`
	StudentID     string             `json:"student_id"`
	Date          string             `json:"date"`
	IssuedAt      string             `json:"issued_at"`
	Amount        money.Cents        `json:"amount_cents"`
	Reason        string             `json:"reason"`
	Issuer        DocIssuer          `json:"issuer"`
	Currency      money.CurrencyCode `json:"currency"`
}

// IssueCreditNote writes a credit note of amount on an invoice, with the
// next credit-note number. Its bounds, and the allocations it releases, are
// billing's (issueCreditNote); the table refuses an amount not above zero.
func (tx *Tx) IssueCreditNote(ctx context.Context, inv Invoice, amount money.Cents, reason, date string, issuer DocIssuer) (CreditNote, error) {
	prefix, n, err := tx.next(ctx, SeqCreditNote)
	if err != nil {
		return CreditNote{}, err
	}
	cn := CreditNote{Number: docnum.CreditNote(prefix, n), InvoiceID: inv.ID, InvoiceNumber: inv.Number,
		StudentID: inv.StudentID, Date: date, IssuedAt: ts(tx.Now), Amount: amount, Reason: reason, Issuer: issuer}
	res, err := tx.exec(ctx, `INSERT INTO credit_notes(number, seq, invoice_id, date, issued_at, amount, reason, issuer_name, issuer_address, issuer_siret)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, cn.Number, n, inv.ID, date, cn.IssuedAt, amount, reason, issuer.Name, issuer.Address, issuer.SIRET)
	if err != nil {
		return cn, mapErr(err)
	}
	cn.ID, _ = res.LastInsertId()
	return cn, nil
}

const creditNoteCols = `c.id, c.number, c.invoice_id, i.number, i.student_id, c.date, c.issued_at, c.amount, c.reason,
	c.issuer_name, c.issuer_address, c.issuer_siret`

// ListCreditNotes lists credit notes (of a student when studentID is set).
func (db *DB) ListCreditNotes(ctx context.Context, studentID string) ([]CreditNote, error) {
	q := `SELECT ` + creditNoteCols + ` FROM credit_notes c JOIN invoices i ON i.id = c.invoice_id`
	args := []any{}
	if studentID != "" {
		q += ` WHERE i.student_id = ?`
		args = append(args, studentID)
	}
	rows, err := db.sql.QueryContext(ctx, q+` ORDER BY c.seq`, args...)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	out := []CreditNote{}
	for rows.Next() {
		var c CreditNote
		if err := rows.Scan(&c.ID, &c.Number, &c.InvoiceID, &c.InvoiceNumber, &c.StudentID, &c.Date, &c.IssuedAt, &c.Amount, &c.Reason, &c.Issuer.Name, &c.Issuer.Address, &c.Issuer.SIRET); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
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

// ReopenOrder marks an order as no longer settled (a payment of it was
// reversed).
func (tx *Tx) ReopenOrder(ctx context.Context, orderID int64) error {
	_, err := tx.exec(ctx, `UPDATE orders SET settled_date='' WHERE id=?`, orderID)
	return err
}

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

// SetAttemptPayment links a refund attempt to the payment it refunds.
func (tx *Tx) SetAttemptPayment(ctx context.Context, attemptID, paymentID int64) error {
	_, err := tx.exec(ctx, `UPDATE attempts SET payment_id=? WHERE id=?`, paymentID, attemptID)
	return err
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
