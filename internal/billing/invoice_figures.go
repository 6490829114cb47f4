package billing

import (
	"context"

	"github.com/inpctl/inpctl/internal/money"
	"github.com/inpctl/inpctl/internal/store"
)

// InvoiceDue is what remains to be paid on invoice i: its TTC less what
// credit notes cancelled and payments settled (issue 21: a figure of the
// rules, so billing's, not a method of store's row).
func InvoiceDue(i store.Invoice) money.Cents { return due(i.TTC, i.Credited, i.Allocated) }

// due is what a document of ttc still asks once credit notes cancelled
// credited and payments settled settled: the one subtraction behind what
// an order, a part of it or an invoice owes (OwedBy, InvoiceDue, the
// account's Factures).
func due(ttc, credited, settled money.Cents) money.Cents { return ttc - credited - settled }

// Creditable is what a credit note may still cancel of invoice i: its TTC
// less what credit notes already cancelled.
func Creditable(i store.Invoice) money.Cents { return i.TTC - i.Credited }

// openInvoices are the student's invoices with something left due, oldest
// first (the allocation order).
func openInvoices(ctx context.Context, tx *store.Tx, studentID string) ([]store.Invoice, error) {
	all, err := tx.StudentInvoices(ctx, studentID)
	if err != nil {
		return nil, err
	}
	var open []store.Invoice
	for _, inv := range all {
		if InvoiceDue(inv) > 0 {
			open = append(open, inv)
		}
	}
	return open, nil
}
