package billing

import (
	"reflect"
	"testing"

	"github.com/inpctl/inpctl/internal/store"
)

// TestInvoiceDocumentsMatchOneByOne: the bulk read that invoice render
// --all uses gives, for every invoice, the document InvoiceDocument gives
// for its number, at as-of dates before, on and after the payments, and
// with a session filter.
func TestInvoiceDocumentsMatchOneByOne(t *testing.T) {
	y := chargeYard(t, 5)
	if _, _, err := y.charge(newCountingGateway(), 10); err != nil { // pays the October instalments
		t.Fatal(err)
	}
	invs, err := y.db.ListInvoices(y.ctx, store.InvoiceFilter{})
	y.must(err)
	if len(invs) != 5 {
		t.Fatalf("%d invoices, want 5", len(invs))
	}
	y.pay(invs[2].StudentID, invs[2], 1000) // one more payment: two on 10/10
	for _, asOf := range []string{"2025-09-04", "2025-09-05", "2025-10-10", "2025-12-31", "2026-06-30"} {
		day := posDay(asOf)
		for _, session := range []string{"", invs[0].Session, "no-such-session"} {
			docs, err := y.svc.InvoiceDocuments(y.ctx, session, day)
			y.must(err)
			want := 0
			for _, inv := range invs {
				if session != "" && inv.Session != session {
					continue
				}
				one, err := y.svc.InvoiceDocument(y.ctx, inv.Number, day)
				y.must(err)
				if want >= len(docs) {
					t.Fatalf("as of %s, session %q: %d documents, want more", asOf, session, len(docs))
				}
				if !reflect.DeepEqual(docs[want], one) {
					t.Errorf("as of %s, invoice %s:\nbulk %+v\none  %+v", asOf, inv.Number, docs[want], one)
				}
				want++
			}
			if len(docs) != want {
				t.Errorf("as of %s, session %q: %d documents, want %d", asOf, session, len(docs), want)
			}
		}
	}
	docs, err := y.svc.InvoiceDocuments(y.ctx, "", posDay("2025-10-10"))
	y.must(err)
	if len(docs[2].Payments) < 3 || len(docs[0].NextDues) == 0 {
		t.Errorf("the fixture lost its point: payments %+v, next dues %+v", docs[2].Payments, docs[0].NextDues)
	}
}
