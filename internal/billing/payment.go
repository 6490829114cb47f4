package billing

import (
	"context"
	"fmt"

	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/money"
	"github.com/inpctl/inpctl/internal/store"
)

// allocate spreads a payment over the student's open invoices, oldest
// first, and marks each invoice's order settled when nothing is left due.
// What is left over stays unallocated: a credit in the student's favour.
func (s *Service) allocate(ctx context.Context, tx *store.Tx, p store.Payment) (money.Cents, error) {
	open, err := tx.OpenInvoices(ctx, p.StudentID)
	if err != nil {
		return 0, err
	}
	left := p.Amount
	for _, inv := range open {
		if left == 0 {
			break
		}
		take := min(left, inv.Due())
		if err := tx.Allocate(ctx, p.ID, inv.ID, take); err != nil {
			return 0, err
		}
		left -= take
		if take == inv.Due() {
			if err := tx.SetOrderSettled(ctx, inv.OrderID, p.Date); err != nil {
				return 0, err
			}
		}
	}
	return left, nil
}

// recordCardPayment records an approved card payment for an instalment:
// the invoice is issued if this is the order's first money, the payment is
// allocated, and the instalment is marked paid. One transaction (the
// caller's).
func (s *Service) recordCardPayment(ctx context.Context, tx *store.Tx, p store.Payment, instalmentID int64) (store.Payment, error) {
	t, err := tx.InstalmentTarget(ctx, instalmentID, p.StudentID, s.Year)
	if err != nil {
		return p, fmt.Errorf("instalment %d: %w", instalmentID, err)
	}
	in := t.Instalment
	// The money came in: it is recorded whatever happened meanwhile (a
	// cheque paid the instalment, the code changed, the plan was
	// cancelled). Only a still-open
	// instalment of the current order moves on; otherwise the payment is
	// allocated to what is open and the rest is the student's credit.
	// A plan cancelled meanwhile (an exemption, a new code) no longer
	// takes payments either: the debit stays as a credit, never refused.
	open := t.Open()
	if t.Current && !t.Invoiced {
		if err := s.ensureInvoice(ctx, tx, p.StudentID, t.OrderID); err != nil {
			return p, err
		}
	}
	p.Method = "card"
	if p, err = tx.RecordPayment(ctx, p); err != nil {
		return p, err
	}
	if _, err := s.allocate(ctx, tx, p); err != nil {
		return p, err
	}
	if !open {
		return p, tx.Audit(ctx, "payment:"+p.Number, fmt.Sprintf("card payment for instalment %d, which was already %s or belongs to a replaced order: kept as a credit if not allocated", in.Seq, in.Status))
	}
	date, err := clock.ParseDate(p.Date)
	if err != nil {
		return p, err
	}
	_, err = s.settleInstalment(ctx, tx, in.ID, date)
	return p, err
}

// ensureInvoice issues the order's invoice if it has none yet (SPEC §4: an
// invoice is issued when the first money arrives).
func (s *Service) ensureInvoice(ctx context.Context, tx *store.Tx, studentID string, orderID int64) error {
	if _, ok, err := tx.InvoiceNumberOfOrder(ctx, orderID); err != nil || ok {
		return err
	}
	d, o, err := s.currentOrder(ctx, tx, studentID)
	if err != nil {
		return err
	}
	if o.ID != orderID {
		return fmt.Errorf("payment for order %d but the current order of %s is %s", orderID, studentID, o.Number)
	}
	_, err = s.issueFor(ctx, tx, d, o, s.Issuer.LibelleCard)
	return err
}
