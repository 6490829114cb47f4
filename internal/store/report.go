package store

import (
	"context"
	"fmt"
	"time"

	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/money"
)

// ReportStudent is one student's line of report summary: the sums of
// account list (AccountTotals, the same CTEs, so the two agree by
// construction), the fee code of the dossier of the year, and what was
// collected per payment method, net of unpaids and voids. Programme and
// Session are the dossier's.
type ReportStudent struct {
	AccountTotals
	Code                         string
	Card, Cheque, Transfer, Cash money.Cents
}

// reportSummaryQuery is accountTotalsQuery restricted to the students with
// a dossier of year ?5, a payer's share counted (accountSums(false)), with
// the payments split by method (a payment
// reversed by an unpaid or a void by then counts for nothing).
var reportSummaryQuery = `WITH ` + accountSums(false) + `,
pm AS (SELECT p.student_id AS sid,
	SUM(CASE WHEN p.method = 'card' THEN p.amount ELSE 0 END) AS card,
	SUM(CASE WHEN p.method = 'cheque' THEN p.amount ELSE 0 END) AS cheque,
	SUM(CASE WHEN p.method = 'transfer' THEN p.amount ELSE 0 END) AS transfer,
	SUM(CASE WHEN p.method = 'cash' THEN p.amount ELSE 0 END) AS cash
	FROM payments p LEFT JOIN unpaids u ON u.payment_id = p.id AND u.date <= ?1
	WHERE p.date <= ?1 AND u.id IS NULL GROUP BY p.student_id)
SELECT s.id, s.last_name, s.first_name, d.programme, COALESCE(pr.session, ''), COALESCE(d.code, ''),
	COALESCE(inv.v, 0), COALESCE(cn.v, 0), COALESCE(pay.v, 0), COALESCE(unp.v, 0), COALESCE(ref.v, 0),
	COALESCE(nyd.v, 0), COALESCE(blk.v, ''),
	COALESCE(pm.card, 0), COALESCE(pm.cheque, 0), COALESCE(pm.transfer, 0), COALESCE(pm.cash, 0)
FROM dossiers d JOIN students s ON s.id = d.student_id LEFT JOIN programmes pr ON pr.id = d.programme
LEFT JOIN inv ON inv.sid = s.id LEFT JOIN cn ON cn.sid = s.id LEFT JOIN pay ON pay.sid = s.id
LEFT JOIN unp ON unp.sid = s.id LEFT JOIN ref ON ref.sid = s.id LEFT JOIN nyd ON nyd.sid = s.id
LEFT JOIN blk ON blk.sid = s.id LEFT JOIN pm ON pm.sid = s.id
WHERE d.year = ?5
-- ?2 and ?3 are account list's filters, empty here; named so that
-- PostgreSQL, which types every parameter, knows them as text.
AND CAST(?2 AS TEXT) = '' AND CAST(?3 AS TEXT) = ''
ORDER BY s.id`

// ReportStudents returns, in one query, the figures of every student with
// a dossier of year, as of asOf (timestamps read in loc). A student's
// whole ledger is counted, as account list counts it, and a payer's share
// of the student's order too.
func (db *DB) ReportStudents(ctx context.Context, year string, asOf clock.Date, loc *time.Location) ([]ReportStudent, error) {
	day, cut := asOfBounds(asOf, loc)
	rs, err := db.sql.QueryContext(ctx, reportSummaryQuery, day, "", "", cut, year)
	if err != nil {
		return nil, mapErr(fmt.Errorf("report summary: %w", err))
	}
	defer rs.Close()
	out := []ReportStudent{}
	for rs.Next() {
		var r ReportStudent
		t := &r.AccountTotals
		if err := rs.Scan(&t.StudentID, &t.LastName, &t.FirstName, &t.Programme, &t.Session, &r.Code,
			&t.Invoiced, &t.CreditNotes, &t.Payments, &t.Unpaid, &t.Refunds, &t.NotYetDue, &t.Blocked,
			&r.Card, &r.Cheque, &r.Transfer, &r.Cash); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, mapErr(rs.Err())
}

// MonthSum is the sum of one kind of movement (Movement.Kind) with one
// payment method in a month (YYYY-MM).
type MonthSum struct {
	Month, Kind, Method string
	Amount              money.Cents
}

// ReportMonths sums the movements of account export (movementsUnion)
// dated up to asOf, of the students with a dossier of year, by month, kind
// and method, in one query.
func (db *DB) ReportMonths(ctx context.Context, year string, asOf clock.Date) ([]MonthSum, error) {
	rs, err := db.sql.QueryContext(ctx, `SELECT substr(m.d, 1, 7), m.kind, m.method, SUM(m.amount) FROM (`+movementsUnion+`) m
		WHERE m.sid IN (SELECT student_id FROM dossiers WHERE year = ?3)
		GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`, "0000-01-01", asOf.String(), year)
	if err != nil {
		return nil, mapErr(fmt.Errorf("report by month: %w", err))
	}
	defer rs.Close()
	out := []MonthSum{}
	for rs.Next() {
		var m MonthSum
		if err := rs.Scan(&m.Month, &m.Kind, &m.Method, &m.Amount); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, mapErr(rs.Err())
}

// ReportInstalment is one instalment of report instalments: what its plan
// was to collect on its due date, and how it stands.
type ReportInstalment struct {
	StudentID, LastName, FirstName string
	Order, Plan                    string
	Seq                            int
	Due                            string
	Amount                         money.Cents // what the plan asks, at most what the order owes (once paid: what it took)
	Status                         string      // pending, paid or failed
	Attempts                       int
	NextTry, LastCode, PaidDate    string
	Blocked                        string // the reason of the order's block, "" if none
}

// ReportInstalments returns, in one query, the instalments due in month
// (YYYY-MM) of the plans approved, active or completed (a cancelled
// instalment is nothing to collect), by due date then student.
func (db *DB) ReportInstalments(ctx context.Context, month string) ([]ReportInstalment, error) {
	// What is still to collect is capped by what the order owes (owedSQL),
	// as the charge run and the upcoming debits cap it: never the stored
	// amount alone.
	rs, err := db.sql.QueryContext(ctx, `SELECT d.student_id, s.last_name, s.first_name, o.number, p.plan, i.seq, i.due_date,
		CASE WHEN i.status IN ('pending','failed') THEN MAX(0, MIN(i.amount, `+owedSQL+`)) ELSE i.amount END,
		i.status, i.attempts, i.next_try, i.last_code, i.paid_date, o.blocked_reason
		FROM instalments i JOIN plans p ON p.id = i.plan_id JOIN orders o ON o.id = p.order_id
		`+studentInvoiceJoin+`
		JOIN dossiers d ON d.id = o.dossier_id JOIN students s ON s.id = d.student_id
		WHERE i.due_date BETWEEN ?1 || '-01' AND ?1 || '-31' AND i.status <> 'cancelled'
		AND p.status IN ('approved','active','completed')
		ORDER BY i.due_date, d.student_id, i.seq`, month)
	if err != nil {
		return nil, mapErr(fmt.Errorf("report instalments: %w", err))
	}
	defer rs.Close()
	out := []ReportInstalment{}
	for rs.Next() {
		var r ReportInstalment
		if err := rs.Scan(&r.StudentID, &r.LastName, &r.FirstName, &r.Order, &r.Plan, &r.Seq, &r.Due, &r.Amount, &r.Status,
			&r.Attempts, &r.NextTry, &r.LastCode, &r.PaidDate, &r.Blocked); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, mapErr(rs.Err())
}

// ReportCredit is a part of a payment that is neither allocated nor
// refunded: a credit that a refund would send back to that payment.
type ReportCredit struct {
	StudentID, LastName, FirstName string
	Payment, Date, Method          string
	NumTrans                       string
	Paid                           money.Cents // the payment
	Free                           money.Cents // what is left of it to refund
}

// ReportCredits returns, in one query, every payment with a free part
// (the rule of PaymentsWithCredit, refunds in flight included through
// refundedSQL), by student then payment. Only the payments not wholly
// allocated have their refunds summed (refunds has no index on payment_id).
func (db *DB) ReportCredits(ctx context.Context) ([]ReportCredit, error) {
	rs, err := db.sql.QueryContext(ctx, `SELECT * FROM (SELECT p.student_id, s.last_name, s.first_name, p.number, p.date, p.method, p.numtrans, p.amount,
		`+unallocatedSQL+` AS free
		FROM payments p JOIN students s ON s.id = p.student_id
		WHERE NOT EXISTS (SELECT 1 FROM unpaids u WHERE u.payment_id = p.id)
		AND p.amount > `+allocatedSQL+`
		ORDER BY p.student_id, p.id) f WHERE free > 0`)
	if err != nil {
		return nil, mapErr(fmt.Errorf("report refunds: %w", err))
	}
	defer rs.Close()
	out := []ReportCredit{}
	for rs.Next() {
		var r ReportCredit
		if err := rs.Scan(&r.StudentID, &r.LastName, &r.FirstName, &r.Payment, &r.Date, &r.Method, &r.NumTrans, &r.Paid, &r.Free); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, mapErr(rs.Err())
}
