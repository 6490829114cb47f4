package store

import (
	"context"
	"database/sql"
	"errors"
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

// Card is a row of the cards table: a Paybox Direct Plus subscriber, never
// a card number. It is the one type of that table: what a charge sends
// (Token), what the plan rules check (Expiry, ECard) and what the account
// position shows (CreatedDate, Deleted) are its fields; a reader fills
// those it selects.
type Card struct {
	ID        int64  `json:"-"`
	StudentID string `json:"student_id"`
	RefAbonne string `json:"refabonne"`
	Token     string `json:"-"`
	Expiry    string `json:"expiry"` // YYMM, as Paybox sends it
	ECard     bool   `json:"ecard"`  // a temporary card (e-carte)
	CardType  string `json:"card_type"`
	// CreatedDate is the local date the card was registered on, and
	// Deleted says a later card retired it before the position's date
	// (account position only).
	CreatedDate string `json:"-"`
	Deleted     bool   `json:"-"`
}

// SaveCard stores a student's card; an earlier card is kept but retired.
func (tx *Tx) SaveCard(ctx context.Context, c Card) (Card, error) {
	if _, err := tx.exec(ctx, `UPDATE cards SET deleted_at=? WHERE student_id=? AND deleted_at='' AND refabonne<>?`, ts(tx.Now), c.StudentID, c.RefAbonne); err != nil {
		return c, err
	}
	res, err := tx.exec(ctx, `INSERT INTO cards(student_id, refabonne, token, expiry, ecard, card_type, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT(refabonne) DO UPDATE SET token=excluded.token, expiry=excluded.expiry, ecard=excluded.ecard, card_type=excluded.card_type, deleted_at=''`,
		c.StudentID, c.RefAbonne, c.Token, c.Expiry, c.ECard, c.CardType, ts(tx.Now))
	if err != nil {
		return c, err
	}
	c.ID, _ = res.LastInsertId()
	return c, nil
}

// StudentCard returns the student's current card: the latest registered
// and not deleted.
func (tx *Tx) StudentCard(ctx context.Context, studentID string) (Card, bool, error) {
	var c Card
	err := tx.queryRow(ctx, `SELECT id, student_id, refabonne, expiry, ecard, card_type FROM cards
		WHERE student_id = ? AND deleted_at = '' ORDER BY id DESC LIMIT 1`, studentID).
		Scan(&c.ID, &c.StudentID, &c.RefAbonne, &c.Expiry, &c.ECard, &c.CardType)
	if errors.Is(err, sql.ErrNoRows) {
		return c, false, nil
	}
	return c, err == nil, err
}

// CardType returns the type of a stored card (CB, VISA…), "" if unknown.
func (db *DB) CardType(ctx context.Context, cardID int64) (string, error) {
	var t string
	err := db.sql.QueryRowContext(ctx, `SELECT card_type FROM cards WHERE id = ?`, cardID).Scan(&t)
	return t, mapErr(err)
}
