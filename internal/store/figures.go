package store

import (
	"context"
	"fmt"

	"github.com/inpctl/inpctl/internal/money"
)

// YearFigures are the end-of-year figures of a rehearsal, read from the
// books (not from what the rehearsal believes it did), so that the two can
// be compared.
type YearFigures struct {
	Students    int         `json:"students"`
	Invoices    int         `json:"invoices"`
	CreditNotes int         `json:"credit_notes"`
	Payments    int         `json:"payments"`
	Declines    int         `json:"declines"`
	Blocked     int         `json:"blocked"`
	Paid        money.Cents `json:"paid_cents"`
	Refunded    money.Cents `json:"refunded_cents"`
	Collected   money.Cents `json:"collected_cents"` // paid minus refunded
}

// YearFigures counts students, documents, payments, declined charges and
// blocked orders, and sums what was paid and refunded.
func (db *DB) YearFigures(ctx context.Context) (YearFigures, error) {
	var f YearFigures
	q := []struct {
		dst   any
		query string
	}{
		{&f.Students, `SELECT COUNT(*) FROM students`},
		{&f.Invoices, `SELECT COUNT(*) FROM invoices`},
		{&f.CreditNotes, `SELECT COUNT(*) FROM credit_notes`},
		{&f.Payments, `SELECT COUNT(*) FROM payments`},
		{&f.Declines, `SELECT COUNT(*) FROM attempts WHERE kind = 'charge' AND state = 'declined'`},
		{&f.Blocked, `SELECT COUNT(*) FROM orders WHERE blocked_reason <> '' AND superseded_by IS NULL`},
		{&f.Paid, `SELECT COALESCE(SUM(amount), 0) FROM payments`},
		{&f.Refunded, `SELECT COALESCE(SUM(amount), 0) FROM refunds`},
		// The books' own figure, summed by the database like the two
		// above (what the rehearsal believes it collected is compared
		// with it).
		{&f.Collected, `SELECT (SELECT COALESCE(SUM(amount), 0) FROM payments) - (SELECT COALESCE(SUM(amount), 0) FROM refunds)`},
	}
	for _, x := range q {
		if err := db.sql.QueryRowContext(ctx, x.query).Scan(x.dst); err != nil {
			return f, mapErr(fmt.Errorf("year figures: %w", err))
		}
	}
	return f, nil
}
