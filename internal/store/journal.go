package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/money"
)

// JournalMovement is one movement of the period as the journal books it
// (inpctl journal, issue 20): what account export gives, plus the fee code
// and the amounts of the invoice, and the third party (the payer) whose
// receivable it moves.
type JournalMovement struct {
	Kind       string // invoice, credit_note, payment, unpaid, void, refund
	Date       string
	Number     string // the invoice, credit note or payment number (the reversed or refunded payment; "" for a refund of none)
	ID         int64  // the row's id
	StudentID  string
	Name       string // last and first name
	PayerSIRET string // the invoice's client SIRET, or the paying payer's
	PayerName  string
	Code       string // the order's fee code (invoice, credit note)
	HT, TVA    money.Cents
	TTC        money.Cents // of the invoice (invoice, credit note)
	Amount     money.Cents
	Method     string // payments, unpaids, voids, refunds
	Ref        string // the order (invoice), the invoice (credit note), the reason (unpaid, void, refund)
	// The number an export of a closed period recorded for this movement
	// (journal_numbers): its journal's code and label, and its place in the
	// journal; Seq 0 when none was recorded.
	Numbered, NumberedLib string
	Seq                   int
}

// journalUnion is every dated movement with what the journal needs, one
// SELECT per table; k orders a day's movements as account export does.
const journalUnion = `
SELECT i.date AS d, 1 AS k, 'invoice' AS kind, i.number AS num, i.id AS id, i.student_id AS sid,
	i.client_siret AS psiret, CASE WHEN i.client_siret <> '' THEN i.client_name ELSE '' END AS pname,
	o.code AS code, i.ht AS ht, i.tva AS tva, i.ttc AS ttc, i.ttc AS amount, '' AS method, o.number AS ref
	FROM invoices i JOIN orders o ON o.id = i.order_id WHERE i.date BETWEEN ?1 AND ?2
UNION ALL
SELECT c.date, 2, 'credit_note', c.number, c.id, i.student_id,
	i.client_siret, CASE WHEN i.client_siret <> '' THEN i.client_name ELSE '' END,
	o.code, i.ht, i.tva, i.ttc, c.amount, '', i.number
	FROM credit_notes c JOIN invoices i ON i.id = c.invoice_id JOIN orders o ON o.id = i.order_id WHERE c.date BETWEEN ?1 AND ?2
UNION ALL
SELECT p.date, 3, 'payment', p.number, p.id, p.student_id, COALESCE(py.siret, ''), COALESCE(py.name, ''),
	'', 0, 0, 0, p.amount, p.method, p.ref
	FROM payments p LEFT JOIN payers py ON py.id = p.payer_id WHERE p.date BETWEEN ?1 AND ?2
UNION ALL
SELECT u.date, 4, CASE u.kind WHEN 'void' THEN 'void' ELSE 'unpaid' END, p.number, u.id, p.student_id,
	COALESCE(py.siret, ''), COALESCE(py.name, ''), '', 0, 0, 0, p.amount, p.method, u.reason
	FROM unpaids u JOIN payments p ON p.id = u.payment_id LEFT JOIN payers py ON py.id = p.payer_id WHERE u.date BETWEEN ?1 AND ?2
UNION ALL
SELECT r.date, 5, 'refund', COALESCE(p.number, ''), r.id, r.student_id, COALESCE(py.siret, ''), COALESCE(py.name, ''),
	'', 0, 0, 0, r.amount, r.method, r.reason
	FROM refunds r LEFT JOIN payments p ON p.id = r.payment_id LEFT JOIN payers py ON py.id = p.payer_id WHERE r.date BETWEEN ?1 AND ?2`

// EachJournalMovement calls fn for every movement dated from from to to
// (inclusive), by date, then kind, then order of issue (that of the
// numbers), streamed from one query so that a whole year is never held in
// memory. An error from fn stops the reading and is returned.
func (db *DB) EachJournalMovement(ctx context.Context, from, to clock.Date, fn func(JournalMovement) error) error {
	rs, err := db.sql.QueryContext(ctx, journalSelect, from.String(), to.String())
	return eachJournalRow(rs, err, fn)
}

// journalSelect is the period's movements with the number recorded for
// each, in the order they are booked.
const journalSelect = `SELECT m.d, m.kind, m.num, m.id, m.sid, s.last_name, s.first_name, m.psiret, m.pname,
	m.code, m.ht, m.tva, m.ttc, m.amount, m.method, m.ref,
	COALESCE(n.journal, ''), COALESCE(n.journal_lib, ''), COALESCE(n.seq, 0)
	FROM (` + journalUnion + `) m JOIN students s ON s.id = m.sid
	LEFT JOIN journal_numbers n ON n.kind = m.kind AND n.movement_id = m.id
	ORDER BY m.d, m.k, m.id`

func eachJournalRow(rs *sql.Rows, err error, fn func(JournalMovement) error) error {
	if err != nil {
		return mapErr(fmt.Errorf("journal movements: %w", err))
	}
	defer rs.Close()
	for rs.Next() {
		var m JournalMovement
		var last, first string
		if err := rs.Scan(&m.Date, &m.Kind, &m.Number, &m.ID, &m.StudentID, &last, &first, &m.PayerSIRET, &m.PayerName,
			&m.Code, &m.HT, &m.TVA, &m.TTC, &m.Amount, &m.Method, &m.Ref, &m.Numbered, &m.NumberedLib, &m.Seq); err != nil {
			return mapErr(err)
		}
		m.Name = strings.TrimSpace(last + " " + first)
		if err := fn(m); err != nil {
			return err
		}
	}
	return mapErr(rs.Err())
}
