package billing

import (
	"testing"

	"github.com/inpctl/inpctl/internal/store"
)

// TestOwedSQLIsOwed: the SQL twin of OwedBy's Student (store's owedSQL, which caps
// every debit and which db check E001 uses) gives what Owed gives, for
// orders with nothing paid, partly paid, and credited.
func TestOwedSQLIsOwed(t *testing.T) {
	y := chargeYard(t, 4)
	invs, err := y.db.ListInvoices(y.ctx, store.InvoiceFilter{})
	y.must(err)
	if _, err := y.svc.IssueCreditNote(y.ctx, invs[0].Number, 10000, "remise"); err != nil {
		t.Fatal(err)
	}
	due, err := y.db.DueInstalments(y.ctx, "9999-12-31", "")
	y.must(err)
	if len(due) < 4 {
		t.Fatalf("the fixture lost its point: %d due items", len(due))
	}
	for _, it := range due {
		var want int64
		y.tx(func(tx *store.Tx) error {
			m, err := tx.OrderMoney(y.ctx, it.OrderID, 0)
			want = int64(OwedBy(m).Student)
			return err
		})
		if int64(it.Owed) != want || it.Amount > it.Owed {
			t.Errorf("order %d: SQL says it owes %s (debit %s), Owed says %d", it.OrderID, it.Owed, it.Amount, want)
		}
	}
}
