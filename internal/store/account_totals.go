package store

import (
	"context"
	"fmt"
	"time"

	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/money"
)

// AccountTotals are one student's ledger sums as of a date: the inputs of
// billing.Figures for account list, computed in SQL for every student at
// once. NotYetDue follows billing.NotYetDue exactly (a test compares the
// two): unpaid instalments of a plan approved by the date, due after it
// (or undated and not the first), on an order invoiced by then.
type AccountTotals struct {
	StudentID   string
	LastName    string
	FirstName   string
	Programme   string
	Session     string
	Invoiced    money.Cents
	CreditNotes money.Cents
	Payments    money.Cents
	Unpaid      money.Cents
	Refunds     money.Cents
	NotYetDue   money.Cents
	Blocked     string // the reason of a blocked current order, "" if none
}

// AccountFilter selects the students of account list.
type AccountFilter struct {
	Programme, Session string
}

// accountTotalsQuery sums each kind of ledger row per student, one
// GROUP BY per table, and joins the sums to the students: a fixed number of
// table scans whatever the number of students.
var accountTotalsQuery = `WITH ` + accountSums(true) + `
SELECT s.id, s.last_name, s.first_name, s.programme, COALESCE(pr.session, ''),
	COALESCE(inv.v, 0), COALESCE(cn.v, 0), COALESCE(pay.v, 0), COALESCE(unp.v, 0), COALESCE(ref.v, 0),
	COALESCE(nyd.v, 0), COALESCE(blk.v, '')
FROM students s LEFT JOIN programmes pr ON pr.id = s.programme
LEFT JOIN inv ON inv.sid = s.id LEFT JOIN cn ON cn.sid = s.id LEFT JOIN pay ON pay.sid = s.id
LEFT JOIN unp ON unp.sid = s.id LEFT JOIN ref ON ref.sid = s.id LEFT JOIN nyd ON nyd.sid = s.id
LEFT JOIN blk ON blk.sid = s.id
WHERE (?2 = '' OR s.programme = ?2) AND (?3 = '' OR pr.session = ?3)
ORDER BY s.id`

// accountSums are the per-student sums of the ledger as of ?1 (?4 the
// cut of timestamps), one GROUP BY per table: inv, cn, pay, unp, ref, nyd
// and blk, each keyed by sid. account list and report summary both read
// them, so their figures are the same by construction, but for one thing:
//
// A payer's share of an order (set-payer --share) is no part of the
// student's figures: with studentOnly (account list, as billing.TotalsOf
// for account show) its invoice (part 'payer'), the credit notes on it and
// the payer's transfers for it (thirdPartySQL) are left out. report
// summary counts them (studentOnly false): they are the school's books, and
// its summary by month counts every movement.
func accountSums(studentOnly bool) string {
	notPayerInv, notPayerCN, notThirdParty := "", "", ""
	if studentOnly {
		notPayerInv, notPayerCN, notThirdParty = " AND part <> 'payer'", " AND i.part <> 'payer'", " AND NOT "+thirdPartySQL
	}
	return `
inv AS (SELECT student_id AS sid, SUM(ttc) AS v FROM invoices WHERE date <= ?1` + notPayerInv + ` GROUP BY student_id),
cn AS (SELECT i.student_id AS sid, SUM(c.amount) AS v FROM credit_notes c JOIN invoices i ON i.id = c.invoice_id
	WHERE c.date <= ?1` + notPayerCN + ` GROUP BY i.student_id),
pay AS (SELECT p.student_id AS sid, SUM(p.amount) AS v FROM payments p WHERE p.date <= ?1` + notThirdParty + ` GROUP BY p.student_id),
unp AS (SELECT p.student_id AS sid, SUM(p.amount) AS v FROM unpaids u JOIN payments p ON p.id = u.payment_id
	WHERE u.date <= ?1 AND p.date <= ?1` + notThirdParty + ` GROUP BY p.student_id),
ref AS (SELECT student_id AS sid, SUM(amount) AS v FROM refunds WHERE date <= ?1 GROUP BY student_id),
nyd AS (SELECT d.student_id AS sid, SUM(n.amount) AS v FROM instalments n JOIN plans p ON p.id = n.plan_id
	JOIN orders o ON o.id = p.order_id JOIN dossiers d ON d.id = o.dossier_id
	WHERE (p.status IN ('approved','active','completed') AND (p.decided_at = '' OR p.decided_at < ?4)
		OR p.status = 'cancelled' AND p.decided_at >= ?4)
	AND (n.status IN ('pending','failed') OR (n.status = 'paid' AND n.paid_date > ?1)
		OR (n.status = 'cancelled' AND p.status = 'cancelled' AND p.decided_at >= ?4)
		OR (n.status = 'cancelled' AND n.paid_date > ?1))
	AND (n.due_date > ?1 OR (n.due_date = '' AND n.seq > 1))
	AND EXISTS (SELECT 1 FROM invoices i WHERE i.order_id = o.id AND i.date <= ?1)
	GROUP BY d.student_id),
blk AS (SELECT d.student_id AS sid, MIN(o.blocked_reason) AS v FROM orders o JOIN dossiers d ON d.id = o.dossier_id
	WHERE o.blocked_reason <> '' AND o.date <= ?1 AND (o.blocked_at = '' OR substr(o.blocked_at, 1, 10) <= ?1)
	AND (o.superseded_by IS NULL OR (SELECT n.date FROM orders n WHERE n.id = o.superseded_by) > ?1)
	GROUP BY d.student_id)`
}

// thirdPartySQL says whether payment p is a payer's transfer for its
// share of an order: from the payer, allocated to the payer's part.
const thirdPartySQL = `(p.payer_id IS NOT NULL AND EXISTS (SELECT 1 FROM allocations a JOIN invoices i ON i.id = a.invoice_id
	WHERE a.payment_id = p.id AND i.part = 'payer'))`

// AccountTotals returns the ledger sums of every student (of a programme
// or session) as of asOf (timestamps read in loc), in student order.
func (db *DB) AccountTotals(ctx context.Context, f AccountFilter, asOf clock.Date, loc *time.Location) ([]AccountTotals, error) {
	day, cut := asOfBounds(asOf, loc)
	rs, err := db.sql.QueryContext(ctx, accountTotalsQuery, day, f.Programme, f.Session, cut)
	if err != nil {
		return nil, mapErr(fmt.Errorf("account totals: %w", err))
	}
	defer rs.Close()
	out := []AccountTotals{}
	for rs.Next() {
		var t AccountTotals
		if err := rs.Scan(&t.StudentID, &t.LastName, &t.FirstName, &t.Programme, &t.Session, &t.Invoiced, &t.CreditNotes,
			&t.Payments, &t.Unpaid, &t.Refunds, &t.NotYetDue, &t.Blocked); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, mapErr(rs.Err())
}

// Movement is one accounting movement of a period (account export).
// Amount is positive; Kind says what it is.
type Movement struct {
	Date      string
	Kind      string // invoice, credit_note, payment, unpaid, refund
	Number    string
	StudentID string
	LastName  string
	FirstName string
	Amount    money.Cents
	Method    string // payments, unpaids and refunds
	Reference string // the order (invoice), invoice (credit note), bank or gateway reference (payment), payment (unpaid, refund)
}

// The movement kinds, in the order a day's movements are listed.
const (
	MoveInvoice    = "invoice"
	MoveCreditNote = "credit_note"
	MovePayment    = "payment"
	MoveUnpaid     = "unpaid"
	MoveRefund     = "refund"
)

// movementsUnion is every dated movement, one SELECT per table.
const movementsUnion = `
SELECT i.date AS d, 1 AS k, 'invoice' AS kind, i.number AS num, i.student_id AS sid, i.ttc AS amount, '' AS method, o.number AS ref
	FROM invoices i JOIN orders o ON o.id = i.order_id WHERE i.date BETWEEN ?1 AND ?2
UNION ALL
SELECT c.date, 2, 'credit_note', c.number, i.student_id, c.amount, '', i.number
	FROM credit_notes c JOIN invoices i ON i.id = c.invoice_id WHERE c.date BETWEEN ?1 AND ?2
UNION ALL
SELECT p.date, 3, 'payment', p.number, p.student_id, p.amount, p.method,
	CASE WHEN p.ref <> '' THEN p.ref WHEN p.numtrans <> '' THEN 'NUMTRANS ' || p.numtrans ELSE '' END
	FROM payments p WHERE p.date BETWEEN ?1 AND ?2
UNION ALL
SELECT u.date, 4, 'unpaid', p.number, p.student_id, p.amount, p.method, u.reason
	FROM unpaids u JOIN payments p ON p.id = u.payment_id WHERE u.date BETWEEN ?1 AND ?2
UNION ALL
SELECT r.date, 5, 'refund', '', r.student_id, r.amount, r.method, COALESCE(p.number, r.reason)
	FROM refunds r LEFT JOIN payments p ON p.id = r.payment_id WHERE r.date BETWEEN ?1 AND ?2`

// EachMovement calls fn for every accounting movement dated from from to
// to (inclusive), by date, then kind, then number: the rows are streamed,
// so a whole year is never held in memory.
func (db *DB) EachMovement(ctx context.Context, from, to clock.Date, fn func(Movement) error) error {
	rs, err := db.sql.QueryContext(ctx, `SELECT m.d, m.kind, m.num, m.sid, s.last_name, s.first_name, m.amount, m.method, m.ref
		FROM (`+movementsUnion+`) m JOIN students s ON s.id = m.sid ORDER BY m.d, m.k, m.num, m.sid`, from.String(), to.String())
	if err != nil {
		return mapErr(fmt.Errorf("movements: %w", err))
	}
	defer rs.Close()
	for rs.Next() {
		var m Movement
		if err := rs.Scan(&m.Date, &m.Kind, &m.Number, &m.StudentID, &m.LastName, &m.FirstName, &m.Amount, &m.Method, &m.Reference); err != nil {
			return err
		}
		if err := fn(m); err != nil {
			return err
		}
	}
	return mapErr(rs.Err())
}
