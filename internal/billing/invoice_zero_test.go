package billing

import (
	"context"
	"testing"

	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/store"
)

// TestZeroAmountOrderGetsNoInvoice: billing decides that a zero-amount
// order gets no invoice (issue 21: store writes the draft billing gives
// it, so the rule has one home); the refusal is a conflict that says
// why, before the schema's CHECK (ttc > 0) would answer with a
// constraint failure, and leaves no invoice behind.
func TestZeroAmountOrderGetsNoInvoice(t *testing.T) {
	ctx := context.Background()
	s, _ := planSvc(t)
	declare(t, s, "22100002", "02") // boursier: 0 €
	_, err := s.IssueInvoice(ctx, "22100002")
	wantKind(t, "invoice of a zero-amount order", err, fault.Conflict)
	if want := "student 22100002: order CMD000001 is 0,00 €; a zero-amount order gets no invoice"; err == nil || err.Error() != want {
		t.Errorf("err = %v, want %q", err, want)
	}
	invs, err := s.DB.ListInvoices(ctx, store.InvoiceFilter{})
	if err != nil || len(invs) != 0 {
		t.Errorf("invoices after the refusal = %+v, %v", invs, err)
	}
}
