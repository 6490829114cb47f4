package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Sequence names.
const (
	SeqOrder       = "order"
	SeqInvoice     = "invoice"
	SeqCreditNote  = "credit_note"
	SeqPayment     = "payment"
	SeqNumQuestion = "numquestion"
	SeqAttempt     = "attempt"
)

// maxNumQuestion is Paybox's upper bound for NUMQUESTION.
const maxNumQuestion = 2147483647

// EnsureSequence creates a sequence if missing. An existing one keeps its
// position; only its prefix may be set while it has never been used.
func (tx *Tx) ensureSequence(ctx context.Context, name, prefix string, start int64) error {
	_, err := tx.exec(ctx, `INSERT INTO sequences(name, prefix, next) VALUES (?, ?, ?)
		ON CONFLICT(school, name) DO NOTHING`, name, prefix, start)
	return err
}

// next takes the next number of a sequence inside tx: the series has no gap
// because a rolled-back transaction gives its number back.
func (tx *Tx) next(ctx context.Context, name string) (prefix string, n int64, err error) {
	err = tx.queryRow(ctx, `UPDATE sequences SET next = next + 1 WHERE name = ? RETURNING prefix, next - 1`, name).Scan(&prefix, &n)
	if errors.Is(err, sql.ErrNoRows) {
		return "", 0, fmt.Errorf("sequence %s is not initialised (run inpctl init)", name)
	}
	return prefix, n, err
}

// nextNumQuestion returns a NUMQUESTION in 1..2147483647, wrapping around.
func (tx *Tx) nextNumQuestion(ctx context.Context) (int64, error) {
	_, n, err := tx.next(ctx, SeqNumQuestion)
	if err != nil {
		return 0, err
	}
	return (n-1)%maxNumQuestion + 1, nil
}

// nextBlock takes n consecutive numbers of a sequence inside tx with one
// UPDATE and returns the first: the caller must use all n in this
// transaction (or fail it), so the series stays without a gap.
func (tx *Tx) nextBlock(ctx context.Context, name string, n int) (prefix string, first int64, err error) {
	err = tx.queryRow(ctx, `UPDATE sequences SET next = next + ? WHERE name = ? RETURNING prefix, next - ?`, n, name, n).Scan(&prefix, &first)
	if errors.Is(err, sql.ErrNoRows) {
		return "", 0, fmt.Errorf("sequence %s is not initialised (run inpctl init)", name)
	}
	return prefix, first, err
}
