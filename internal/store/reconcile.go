package store

import (
	"context"
	"fmt"

	"github.com/inpctl/inpctl/internal/money"
)

// CardTx is a card payment or a card refund of the books, with the Paybox
// identifiers it was recorded with (inpctl reconcile paybox, issue 20).
type CardTx struct {
	Refund    bool
	Number    string // the payment's number (a refund: the refunded payment's)
	StudentID string
	Date      string
	Amount    money.Cents
	NumTrans  string
	NumAppel  string
	Reference string // PBX_CMD of the hosted page, or the attempt's REFERENCE
}

// CardTransactions are the card payments and card refunds dated from
// from to to (YYYY-MM-DD, inclusive), by date. A payment later reversed
// (unpaid, void) is still one: Paybox took the money.
func (db *DB) CardTransactions(ctx context.Context, from, to string) ([]CardTx, error) {
	rs, err := db.sql.QueryContext(ctx, `
SELECT 0, p.number, p.student_id, p.date, p.amount, p.numtrans, p.numappel,
	COALESCE(a.reference, r.cmd, '') AS reference, p.id
	FROM payments p LEFT JOIN attempts a ON a.id = p.attempt_id LEFT JOIN pay_requests r ON r.id = p.pay_request_id
	WHERE p.method = 'card' AND p.date BETWEEN ?1 AND ?2
UNION ALL
SELECT 1, COALESCE(p.number, ''), f.student_id, f.date, f.amount, f.numtrans, f.numappel,
	COALESCE((SELECT a.reference FROM attempts a WHERE a.kind = 'refund' AND a.refund_id = f.id), ''), f.id
	FROM refunds f LEFT JOIN payments p ON p.id = f.payment_id
	WHERE f.method = 'card' AND f.date BETWEEN ?1 AND ?2
ORDER BY 4, 1, 9`, from, to)
	if err != nil {
		return nil, mapErr(fmt.Errorf("card transactions: %w", err))
	}
	defer rs.Close()
	var out []CardTx
	for rs.Next() {
		var t CardTx
		var id int64
		if err := rs.Scan(&t.Refund, &t.Number, &t.StudentID, &t.Date, &t.Amount, &t.NumTrans, &t.NumAppel, &t.Reference, &id); err != nil {
			return nil, mapErr(err)
		}
		out = append(out, t)
	}
	return out, mapErr(rs.Err())
}
