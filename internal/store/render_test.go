package store

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/inpctl/inpctl/internal/fees"
)

// TestEachInvoiceForRenderChunks: the invoices come in number order,
// renderChunk at a time, with their lines, the total known from the first
// chunk, and chunks of 2 together are what one chunk of 512 gives; an error from fn
// stops the reading and is returned.
func TestEachInvoiceForRenderChunks(t *testing.T) {
	db := newTestDB(t)
	ctx := context.Background()
	for i := range 5 {
		id := fmt.Sprintf("2210000%d", i)
		orderID := orderFor(t, db, id, "ING-GC-3A", "01")
		inTx(t, db, func(ctx context.Context, tx *Tx) error {
			_, err := tx.IssueInvoice(ctx, InvoiceDraft{OrderID: orderID, StudentID: id, Date: "2025-09-01", Session: "S",
				ClientName: "Client " + id, Lines: []fees.Line{{Designation: "Droits", Qty: 1, UnitHT: 1000}}, HT: 1000, TTC: 1000})
			return err
		})
	}
	var all []RenderInvoice // in one chunk
	err := db.EachInvoiceForRender(ctx, InvoiceFilter{}, "2026-06-30", func(_ int, rs []RenderInvoice) error {
		all = append(all, rs...)
		return nil
	})
	if err != nil || len(all) != 5 {
		t.Fatalf("one read: %d invoices, %v", len(all), err)
	}
	db.renderChunk = 2
	var got []RenderInvoice
	var sizes, totals []int
	err = db.EachInvoiceForRender(ctx, InvoiceFilter{}, "2026-06-30", func(total int, rs []RenderInvoice) error {
		got, sizes, totals = append(got, rs...), append(sizes, len(rs)), append(totals, total)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(sizes, []int{2, 2, 1}) || !reflect.DeepEqual(totals, []int{5, 5, 5}) {
		t.Errorf("chunks of %v, totals %v; want 2, 2, 1 of 5", sizes, totals)
	}
	if !reflect.DeepEqual(got, all) {
		t.Errorf("chunks:\n%+v\none read:\n%+v", got, all)
	}
	for i := 1; i < len(got); i++ {
		if got[i].Number <= got[i-1].Number || len(got[i].Lines) != 1 {
			t.Errorf("invoice %d: %s after %s, %d lines", i, got[i].Number, got[i-1].Number, len(got[i].Lines))
		}
	}
	stop := errors.New("stop")
	calls := 0
	err = db.EachInvoiceForRender(ctx, InvoiceFilter{}, "2026-06-30", func(int, []RenderInvoice) error { calls++; return stop })
	if !errors.Is(err, stop) || calls != 1 {
		t.Errorf("fn failing: err %v after %d calls, want stop after 1", err, calls)
	}
	calls = 0
	err = db.EachInvoiceForRender(ctx, InvoiceFilter{Session: "none"}, "2026-06-30", func(int, []RenderInvoice) error { calls++; return nil })
	if err != nil || calls != 0 {
		t.Errorf("empty selection: err %v, %d calls", err, calls)
	}
}
