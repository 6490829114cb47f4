package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/inpctl/inpctl/internal/pan"
	"github.com/inpctl/inpctl/internal/siret"
)

// Finding is one result of Check: an error (the books are wrong) or a
// warning (something needs a look).
type Finding struct {
	Code    string `json:"code"` // E001…, W001…
	Warning bool   `json:"warning"`
	Message string `json:"message"`
}

func (f Finding) String() string { return f.Code + " " + f.Message }

// checks are the invariants of SPEC §10, each a query whose rows are
// findings (a code and a message).
var checks = []struct {
	code, query string
}{
	// E001: the unpaid instalments of a live plan are what its order owes
	// (billing.OwedBy, the student's part, as owedSQL writes it).
	{"E001", `SELECT 'plan of order ' || o.number || ': its unpaid instalments sum to ' || COALESCE(SUM(CASE WHEN i.status IN ('pending','failed') THEN i.amount END), 0)
		|| ' cents, the order owes ' || ` + owedSQL + `
		FROM plans p JOIN orders o ON o.id = p.order_id` + studentInvoiceJoin + ` JOIN instalments i ON i.plan_id = p.id
		WHERE p.status IN ('approved','active')
		GROUP BY p.id, o.id, v.id HAVING COALESCE(SUM(CASE WHEN i.status IN ('pending','failed') THEN i.amount END), 0) <> ` + owedSQL},
	// E015: card money kept for a dossier (not reversed, less its refunds)
	// never exceeds the most any of its orders cost.
	{"E015", `SELECT 'dossier of ' || d.student_id || ' (' || d.year || '): ' || SUM(c.net) || ' cents taken by card, more than its dearest order (' ||
		(SELECT MAX(ttc) FROM orders WHERE dossier_id = d.id) || ')'
		FROM (SELECT COALESCE(o1.dossier_id, o2.dossier_id) AS dossier, pm.amount - COALESCE((SELECT SUM(r.amount) FROM refunds r WHERE r.payment_id = pm.id), 0) AS net
			FROM payments pm
			LEFT JOIN attempts a ON a.id = pm.attempt_id LEFT JOIN instalments n ON n.id = a.instalment_id LEFT JOIN plans pl ON pl.id = n.plan_id
			LEFT JOIN orders o1 ON o1.id = pl.order_id
			LEFT JOIN pay_requests q ON q.id = pm.pay_request_id LEFT JOIN orders o2 ON o2.id = q.order_id
			WHERE pm.method = 'card' AND NOT EXISTS (SELECT 1 FROM unpaids u WHERE u.payment_id = pm.id)) c
		JOIN dossiers d ON d.id = c.dossier
		GROUP BY d.id HAVING SUM(c.net) > (SELECT MAX(ttc) FROM orders WHERE dossier_id = d.id)`},
	// E016: a blocked order is never debited: no charge was sent after its block.
	{"E016", `SELECT 'order ' || o.number || ' is blocked since ' || o.blocked_at || ' but charge ' || a.reference || ' was sent on ' || a.created_at
		FROM attempts a JOIN instalments i ON i.id = a.instalment_id JOIN plans p ON p.id = i.plan_id JOIN orders o ON o.id = p.order_id
		WHERE a.kind = 'charge' AND o.blocked_reason <> '' AND o.blocked_at <> '' AND a.created_at > o.blocked_at`},
	{"E002", `SELECT 'payment ' || p.number || ' of ' || p.amount || ' cents has ' || COALESCE(a.s, 0) || ' allocated and ' || COALESCE(r.s, 0) || ' refunded'
		FROM payments p LEFT JOIN (SELECT payment_id, SUM(amount) s FROM allocations GROUP BY payment_id) a ON a.payment_id = p.id
		LEFT JOIN (SELECT payment_id, SUM(amount) s FROM refunds GROUP BY payment_id) r ON r.payment_id = p.id
		WHERE COALESCE(a.s, 0) + COALESCE(r.s, 0) > p.amount`},
	{"E006", `SELECT 'invoice ' || i.number || ': ' || a.s || ' cents allocated, more than its ' || (i.ttc - COALESCE(c.s, 0)) || ' net of credit notes'
		FROM invoices i JOIN (SELECT invoice_id, SUM(amount) s FROM allocations GROUP BY invoice_id) a ON a.invoice_id = i.id
		LEFT JOIN (SELECT invoice_id, SUM(amount) s FROM credit_notes GROUP BY invoice_id) c ON c.invoice_id = i.id
		WHERE a.s > i.ttc - COALESCE(c.s, 0)`},
	{"E007", `SELECT 'payment ' || p.number || ' has a negative net allocation (' || SUM(a.amount) || ' cents) on invoice ' || i.number
		FROM allocations a JOIN payments p ON p.id = a.payment_id JOIN invoices i ON i.id = a.invoice_id
		GROUP BY p.id, i.id HAVING SUM(a.amount) < 0`},
	// E008: an instalment is debited once, plus once for every payment to
	// its order reversed since (an unpaid or a void takes money off the
	// earliest instalments, and the plan asks for this one again: issue 16).
	// Charges whose own money was reversed do not count.
	{"E008", `SELECT 'instalment ' || a.instalment_id || ' has ' || COUNT(*) || ' approved charges, '
			|| (SELECT COUNT(*) FROM unpaids u WHERE u.payment_id IN (SELECT al.payment_id FROM allocations al
				JOIN invoices i ON i.id = al.invoice_id WHERE i.order_id = pl.order_id)) || ' payments to its order reversed'
		FROM attempts a JOIN instalments n ON n.id = a.instalment_id JOIN plans pl ON pl.id = n.plan_id
		WHERE a.kind = 'charge' AND a.state = 'approved'
		AND NOT EXISTS (SELECT 1 FROM payments pm JOIN unpaids u ON u.payment_id = pm.id WHERE pm.attempt_id = a.id)
		GROUP BY a.instalment_id, pl.order_id
		HAVING COUNT(*) > 1 + (SELECT COUNT(*) FROM unpaids u WHERE u.payment_id IN (SELECT al.payment_id FROM allocations al
			JOIN invoices i ON i.id = al.invoice_id WHERE i.order_id = pl.order_id))`},
	{"E009", `SELECT 'approved charge ' || a.reference || ' has no payment'
		FROM attempts a WHERE a.kind = 'charge' AND a.state = 'approved' AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.attempt_id = a.id)`},
	{"E013", `SELECT 'credit notes on invoice ' || i.number || ' total ' || SUM(c.amount) || ' cents, more than its ' || i.ttc
		FROM credit_notes c JOIN invoices i ON i.id = c.invoice_id GROUP BY i.id HAVING SUM(c.amount) > i.ttc`},
	{"E014", `SELECT 'refunds of student ' || r.student_id || ' (' || SUM(r.amount) || ' cents) exceed what they paid'
		FROM refunds r GROUP BY r.student_id HAVING SUM(r.amount) > (SELECT COALESCE(SUM(amount), 0) FROM payments p WHERE p.student_id = r.student_id)`},
}

// seriesChecks: each document series must be continuous and dated in order.
var seriesChecks = []struct{ code, table, name string }{
	{"E003", "invoices", "invoice"},
	{"E004", "credit_notes", "credit note"},
}

// Check verifies every invariant and returns the findings (none when the
// books are consistent). now dates the "unknown for more than a day" warning.
func (db *DB) Check(ctx context.Context, now time.Time) ([]Finding, error) {
	out, _, err := db.CheckBooks(ctx, now, nil)
	return out, err
}

// CheckBooks is Check that also returns the chains as it recomputed them,
// at their ends and at the counts of marks (a seal's, by series).
func (db *DB) CheckBooks(ctx context.Context, now time.Time, marks map[string]int64) ([]Finding, BooksState, error) {
	out, err := db.check(ctx, now)
	if err != nil {
		return nil, BooksState{}, err
	}
	schema, err := db.checkSchema(ctx)
	if err != nil {
		return nil, BooksState{}, fmt.Errorf("check the schema: %w", err)
	}
	chains, st, err := db.checkChains(ctx, marks)
	if err != nil {
		return nil, BooksState{}, err
	}
	out = append(append(out, schema...), chains...)
	// Errors first, then warnings, each in the order found.
	sort.SliceStable(out, func(i, j int) bool { return !out[i].Warning && out[j].Warning })
	return out, st, nil
}

func (db *DB) check(ctx context.Context, now time.Time) ([]Finding, error) {
	var out []Finding
	ok := "ok"
	// PostgreSQL checks its own pages (data checksums, amcheck for the
	// administrator); SQLite's file is ours to check.
	if !db.pg {
		if err := db.sql.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&ok); err != nil {
			return nil, mapErr(err)
		}
	}
	if ok != "ok" {
		out = append(out, Finding{Code: "E012", Message: "PRAGMA integrity_check: " + ok})
	}
	for _, c := range checks {
		msgs, err := db.strings(ctx, c.query)
		if err != nil {
			return nil, fmt.Errorf("check %s: %w", c.code, err)
		}
		for _, m := range msgs {
			out = append(out, Finding{Code: c.code, Message: m})
		}
	}
	for _, s := range seriesChecks {
		f, err := db.checkSeries(ctx, s.code, s.table, s.name)
		if err != nil {
			return nil, err
		}
		out = append(out, f...)
	}
	if bad, err := db.VerifyAudit(ctx); err != nil {
		return nil, err
	} else if bad != 0 {
		out = append(out, Finding{Code: "E010", Message: fmt.Sprintf("audit chain broken at row %d (altered, inserted or deleted)", bad)})
	}
	pans, err := db.findCardNumbers(ctx)
	if err != nil {
		return nil, err
	}
	out = append(out, pans...)
	stale, err := db.strings(ctx, `SELECT 'charge ' || reference || ' is ' || state || ' since ' || created_at || ': run inpctl charge reconcile'
		FROM attempts WHERE kind = 'charge' AND state IN ('sent','unknown') AND created_at < ?`, ts(now.Add(-24*time.Hour)))
	if err != nil {
		return nil, err
	}
	for _, m := range stale {
		out = append(out, Finding{Code: "W001", Warning: true, Message: m})
	}
	// W003: e-mail notices failed (one line each: someone must look), or
	// pending for more than a day (one line for all: mail send is not run).
	mails, err := db.strings(ctx, `SELECT 'notice ' || id || ' (' || kind || ', student ' || student_id || ') failed: ' || last_error
		|| '; see inpctl mail show ' || id || ', then inpctl mail retry ' || id FROM outbox WHERE status = 'failed' ORDER BY id`)
	if err != nil {
		return nil, err
	}
	late, err := db.strings(ctx, `SELECT COUNT(*) || ' notice(s) pending for more than a day (the oldest since ' || MIN(created_at) || '): run inpctl mail send'
		FROM outbox WHERE status = 'pending' AND created_at < ? HAVING COUNT(*) > 0`, ts(now.Add(-24*time.Hour)))
	if err != nil {
		return nil, err
	}
	for _, m := range append(mails, late...) {
		out = append(out, Finding{Code: "W003", Warning: true, Message: m})
	}
	// W002 (issue 17): a card refund whose outcome is unknown keeps its
	// amount reserved until a lookup says what Paybox did; at once, not
	// after a day: the clerk must not refund it again meanwhile.
	refunds, err := db.strings(ctx, `SELECT 'refund ' || a.reference || ' of ' || a.amount || ' cents on payment ' || COALESCE(p.number, '?')
		|| ' (student ' || COALESCE(p.student_id, '?') || ') is ' || a.state || ' since ' || a.created_at
		|| ': Paybox may have refunded it; do not refund again, run inpctl reconcile'
		FROM attempts a LEFT JOIN payments p ON p.id = a.payment_id WHERE a.kind = 'refund' AND a.state IN ('sent','unknown') ORDER BY a.id`)
	if err != nil {
		return nil, err
	}
	for _, m := range refunds {
		out = append(out, Finding{Code: "W002", Warning: true, Message: m})
	}
	return out, nil
}

func (db *DB) strings(ctx context.Context, q string, args ...any) ([]string, error) {
	return queryStrings(ctx, db.sql, q, args...)
}

// queryStrings is the one text column of the rows of q.
func queryStrings(ctx context.Context, r interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, q string, args ...any) ([]string, error) {
	rows, err := r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

func (db *DB) checkSeries(ctx context.Context, code, table, name string) ([]Finding, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT seq, number, date FROM `+table+` ORDER BY seq`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Finding
	var prevSeq int64
	var prevNum, prevDate string
	for first := true; rows.Next(); first = false {
		var seq int64
		var num, date string
		if err := rows.Scan(&seq, &num, &date); err != nil {
			return nil, err
		}
		if !first && seq != prevSeq+1 {
			out = append(out, Finding{Code: code, Message: fmt.Sprintf("%s series has a gap between %s and %s", name, prevNum, num)})
		}
		if !first && date < prevDate {
			out = append(out, Finding{Code: "E005", Message: fmt.Sprintf("%s %s is dated %s, before %s of %s", name, num, date, prevNum, prevDate)})
		}
		prevSeq, prevNum, prevDate = seq, num, date
	}
	return out, rows.Err()
}

// hashColumns hold hex digests, not text a person typed: they are not
// scanned at all.
var hashColumns = map[string]bool{"audit_log.hash": true, "audit_log.prev_hash": true,
	"chain_links.hash": true, "chain_heads.head": true}

// siretColumns hold a SIRET, which passes the Luhn check like a card
// number and cannot be told apart from one by its digits (see package
// siret). A value of these columns is skipped only when it is a valid
// SIRET; anything else in them is scanned like any other text. The table
// may not exist yet (payers comes with migration 0007).
var siretColumns = map[string]bool{"payers.siret": true, "invoices.client_siret": true,
	"invoices.issuer_siret": true, "credit_notes.issuer_siret": true}

// cardDigitsSQL is true for a text with at least 13 digits, the fewest a
// card number has (package pan): the rows that cannot hold one are left in
// SQLite. ? is the column's text.
const cardDigitsSQL = `length(?) - length(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(?,
	'0',''),'1',''),'2',''),'3',''),'4',''),'5',''),'6',''),'7',''),'8',''),'9','')) >= 13`

// findCardNumbers scans every text value of every table with package
// pan's detector: inpctl must never store a card number. Each column is
// scanned alone, so that digits of two columns never join.
func (db *DB) findCardNumbers(ctx context.Context) ([]Finding, error) {
	tables, err := tableNames(ctx, db.sql)
	if err != nil {
		return nil, err
	}
	// The references of a database made before randomPrefix ended with a
	// letter may read as 14 digits ("I312345-00000006"): the database's own
	// prefix is taken out of every text before it is scanned.
	own, err := db.strings(ctx, `SELECT prefix FROM sequences WHERE name = ? AND prefix <> ''`, SeqAttempt)
	if err != nil {
		return nil, err
	}
	var out []Finding
	for _, t := range tables {
		cols, err := tableColumns(ctx, db.sql, t)
		if err != nil {
			return nil, err
		}
		var scanned, exprs, tests []string
		for _, c := range cols {
			if hashColumns[t+"."+c] {
				continue
			}
			e := `COALESCE(CAST("` + c + `" AS TEXT), '')`
			scanned = append(scanned, c)
			exprs = append(exprs, e)
			tests = append(tests, "("+strings.ReplaceAll(cardDigitsSQL, "?", e)+")")
		}
		if len(exprs) == 0 {
			continue
		}
		f, err := db.cardNumbersIn(ctx, t, scanned, exprs, tests, own)
		if err != nil {
			return nil, err
		}
		out = append(out, f...)
	}
	return out, nil
}

// cardNumbersIn reads, in one pass over table t, the rows where a column
// has enough digits, and reports each card number by table and column
// (never the number: its last four digits only).
func (db *DB) cardNumbersIn(ctx context.Context, t string, cols, exprs, tests, own []string) ([]Finding, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT `+strings.Join(exprs, `, `)+` FROM "`+t+`" WHERE `+strings.Join(tests, ` OR `))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	vals := make([]string, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var out []Finding
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		for i, v := range vals {
			if siretColumns[t+"."+cols[i]] && siret.Valid(v) {
				continue
			}
			for _, p := range own {
				v = strings.ReplaceAll(v, p, "I~")
			}
			for _, m := range pan.Find(v) {
				out = append(out, Finding{Code: "E011", Message: fmt.Sprintf("table %s column %s holds a %d-digit number that passes the Luhn check (%s): card numbers must never be stored", t, cols[i], len(m.Digits), m.Masked())})
			}
		}
	}
	return out, rows.Err()
}
