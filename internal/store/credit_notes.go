package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/inpctl/inpctl/internal/docnum"
	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/money"
)

// CreditNoteByNumber returns a credit note.
func (db *DB) CreditNoteByNumber(ctx context.Context, number string) (CreditNote, error) {
	var c CreditNote
	err := db.sql.QueryRowContext(ctx, `SELECT `+creditNoteCols+` FROM credit_notes c JOIN invoices i ON i.id = c.invoice_id WHERE c.number = ?`, number).
		Scan(&c.ID, &c.Number, &c.InvoiceID, &c.InvoiceNumber, &c.StudentID, &c.Date, &c.IssuedAt, &c.Amount, &c.Reason, &c.Issuer.Name, &c.Issuer.Address, &c.Issuer.SIRET)
	if errors.Is(err, sql.ErrNoRows) {
		return c, fault.New(fault.NotFound, "no credit note %s", number)
	}
	return c, mapErr(err)
}

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
