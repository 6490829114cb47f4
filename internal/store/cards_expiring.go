package store

import (
	"context"
	"strings"

	"github.com/inpctl/inpctl/internal/money"
)

// CardDue is a student's current card and a debit still to come on it:
// the instalments not yet paid of a live plan (approved or active) of a
// current order, with a due date (issue 18: account list --cards-expiring).
type CardDue struct {
	StudentID           string
	LastName, FirstName string
	CardExpiry          string // YYMM as Paybox sends it
	Due                 string // YYYY-MM-DD
	Seq                 int
	Amount              money.Cents
}

// CardDues lists, for every student with a card, the instalments still to
// debit on it, by student then due date.
func (db *DB) CardDues(ctx context.Context) ([]CardDue, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT s.id, s.last_name, s.first_name, c.expiry, i.due_date, i.seq, i.amount
		FROM students s
		JOIN cards c ON c.id = (SELECT MAX(c2.id) FROM cards c2 WHERE c2.student_id = s.id AND c2.deleted_at = '')
		JOIN dossiers d ON d.student_id = s.id
		JOIN orders o ON o.dossier_id = d.id AND o.superseded_by IS NULL
		JOIN plans p ON p.order_id = o.id AND p.status IN ('approved','active')
		JOIN instalments i ON i.plan_id = p.id AND i.status IN ('pending','failed') AND i.due_date <> ''
		ORDER BY s.last_name, s.first_name, s.id, i.due_date`)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []CardDue
	for rows.Next() {
		var c CardDue
		if err := rows.Scan(&c.StudentID, &c.LastName, &c.FirstName, &c.CardExpiry, &c.Due, &c.Seq, &c.Amount); err != nil {
			return nil, err
		}
		c.Due = strings.TrimSpace(c.Due)
		out = append(out, c)
	}
	return out, rows.Err()
}
