package store

import (
	"context"
	"fmt"
	"testing"

	"github.com/inpctl/inpctl/internal/fees"
)

// TestInvoiceParts (migration 0012): an order has one invoice for the whole
// or its student's and payer's parts, never both and never a part twice,
// refused by IssueInvoice and, under it, by the schema (raw SQL); the sums
// of OrderMoney cover both parts and the payer's apart.
func TestInvoiceParts(t *testing.T) {
	db := newTestDB(t)
	issue := func(orderID int64, id, part string) error {
		var err error
		inTx(t, db, func(ctx context.Context, tx *Tx) error {
			_, err = tx.IssueInvoice(ctx, InvoiceDraft{OrderID: orderID, StudentID: id, Date: "2025-09-01", Session: "S", ClientName: "Client",
				Lines: []fees.Line{{Designation: "Droits", Qty: 1, UnitHT: 1}}, HT: 1, TTC: 1, Part: part})
			return nil
		})
		return err
	}
	whole := orderFor(t, db, "22100001", "ING-GC-3A", "01")
	if err := issue(whole, "22100001", ""); err != nil {
		t.Fatal(err)
	}
	if err := issue(whole, "22100001", "student"); err == nil {
		t.Error("a part of an order invoiced whole was issued")
	}
	split := orderFor(t, db, "22100002", "ING-GC-3A", "01")
	for _, part := range []string{"student", "payer"} {
		if err := issue(split, "22100002", part); err != nil {
			t.Fatalf("part %s: %v", part, err)
		}
	}
	for _, part := range []string{"", "payer"} {
		if err := issue(split, "22100002", part); err == nil {
			t.Errorf("part %q issued again on an order invoiced in parts", part)
		}
	}
	// Under IssueInvoice, the schema refuses it too (the chain trigger needs
	// inpctl_chain, registered for every connection of the driver): a raw
	// insert goes through for an order with no invoice, not for one in parts.
	raw := func(seq int, orderID int64, id, part string) error {
		_, err := db.sql.Exec(`INSERT INTO invoices(number, seq, order_id, student_id, date, issued_at, libelle, session, client_name, client_address,
			ht, tva, ttc, vat_mention, part) VALUES (?5, ?1, ?2, ?3, '2025-09-01', '', '', '', '', '', 1, 0, 1, '', ?4)`, seq, orderID, id, part, fmt.Sprintf("X%d", seq))
		return err
	}
	if err := raw(99990, orderFor(t, db, "22100003", "ING-GC-3A", "01"), "22100003", "payer"); err != nil {
		t.Fatalf("raw SQL on an order with no invoice: %v", err)
	}
	for k, part := range []string{"", "payer", "student"} {
		if err := raw(99991+k, split, "22100002", part); err == nil {
			t.Errorf("raw SQL: part %q issued on an order invoiced in parts", part)
		}
	}
	inTx(t, db, func(ctx context.Context, tx *Tx) error {
		m, err := tx.OrderMoney(ctx, split, 0)
		if err != nil {
			return err
		}
		if !m.Invoiced || !m.InParts || m.TTC != 2 || m.PayerPart.TTC != 1 {
			t.Errorf("order money of the parts: %+v", m)
		}
		invs, err := tx.InvoicesOfOrder(ctx, split)
		if err != nil || len(invs) != 2 || invs[0].Part != "student" || invs[1].Part != "payer" {
			t.Errorf("invoices of the order: %+v %v", invs, err)
		}
		if inv, ok, err := tx.InvoiceOfOrder(ctx, split); err != nil || !ok || inv.Part != "student" {
			t.Errorf("the invoice the student pays: %+v %v %v", inv, ok, err)
		}
		return nil
	})
}
