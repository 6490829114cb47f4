package billing

import (
	"context"
	"strings"
	"testing"

	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/store"
)

// Issued documents and money rows refuse UPDATE and DELETE even through raw
// SQL, not only through the Go API: the triggers are the last line.
func TestIssuedRowsRefuseRawSQL(t *testing.T) {
	s := activeWithCard(t) // an invoice, a payment and an allocation exist
	ctx := context.Background()
	if _, err := s.IssueCreditNote(ctx, "9200", 100, "test"); err != nil {
		t.Fatal(err)
	}
	if err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.RecordRefund(ctx, store.Refund{StudentID: "22100002", Date: clock.NewDate(2025, 9, 6).String(), Amount: 1, Method: "manual"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	raw := rawSQL(t, s.DB)
	for _, q := range []string{
		`UPDATE invoices SET ttc = 1`, `DELETE FROM invoices`,
		`UPDATE invoice_lines SET amount_ht = 1`, `DELETE FROM invoice_lines`,
		`UPDATE credit_notes SET amount = 1`, `DELETE FROM credit_notes`,
		`UPDATE payments SET amount = 1`, `DELETE FROM payments`,
		`UPDATE allocations SET amount = 1`, `DELETE FROM allocations`,
		`UPDATE refunds SET amount = 2`, `DELETE FROM refunds`,
		`UPDATE audit_log SET summary = 'x'`, `DELETE FROM audit_log`,
	} {
		var n int64
		res, err := raw.ExecContext(ctx, q)
		if err == nil {
			n, _ = res.RowsAffected()
		}
		if err == nil || !(strings.Contains(err.Error(), "immutable") || strings.Contains(err.Error(), "append-only")) {
			t.Errorf("%s: want a refusal by trigger, got %d rows, %v", q, n, err)
		}
	}
}
