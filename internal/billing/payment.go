package billing

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/money"
	"github.com/inpctl/inpctl/internal/store"
)

// allocate spreads a payment over the student's open invoices: the
// invoice of the order it pays first (orderID, 0 for none: a credit
// applied on request), then the others oldest first. Each invoice's order
// is marked settled when nothing is left due, and the plan of every order
// that received money follows what it now owes (schedule.Replan): money
// allocated anywhere moves its plan, whatever the year. What is left over
// stays unallocated: a credit in the student's favour.
func (s *Service) allocate(ctx context.Context, tx *store.Tx, p store.Payment, orderID int64) (money.Cents, error) {
	open, err := openInvoices(ctx, tx, p.StudentID)
	if err != nil {
		return 0, err
	}
	slices.SortStableFunc(open, func(a, b store.Invoice) int {
		return cmp.Compare(b2i(a.OrderID != orderID), b2i(b.OrderID != orderID))
	})
	day, err := clock.ParseDate(p.Date)
	if err != nil {
		return 0, err
	}
	left := p.Amount
	for _, inv := range open {
		if left == 0 {
			break
		}
		// A payer's transfer pays its part of its order only; a student's
		// money never pays what a third party finances (SPEC §4).
		if p.PayerID != 0 && (inv.OrderID != orderID || !invoiceFinanced(inv)) || p.PayerID == 0 && invoiceFinanced(inv) {
			continue
		}
		take := min(left, InvoiceDue(inv))
		if err := tx.Allocate(ctx, p.ID, inv.ID, take); err != nil {
			return 0, err
		}
		left -= take
		if take == InvoiceDue(inv) {
			// Settled when nothing is left, on every part of the order.
			if owing, err := owedOf(ctx, tx, inv.OrderID); err != nil {
				return 0, err
			} else if owing.Total() <= 0 {
				if err := tx.SetOrderSettled(ctx, inv.OrderID, p.Date); err != nil {
					return 0, err
				}
			}
		}
		if _, _, err := s.replan(ctx, tx, inv.OrderID, day); err != nil {
			return 0, err
		}
	}
	return left, nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// recordCardPayment records an approved card payment for an instalment:
// the invoice is issued if this is the order's first money, the payment is
// allocated, and the plan of the instalment's order follows what is now
// owed. The money came in: it is recorded whatever happened meanwhile (a
// cheque paid the instalment, the code changed, the plan was cancelled);
// what no invoice needs is the student's credit, never refused. One
// transaction (the caller's).
func (s *Service) recordCardPayment(ctx context.Context, tx *store.Tx, p store.Payment, instalmentID int64) (store.Payment, error) {
	plan, err := tx.PlanOfInstalment(ctx, instalmentID)
	if err != nil {
		return p, fmt.Errorf("instalment %d: %w", instalmentID, err)
	}
	return s.recordOrderPayment(ctx, tx, p, plan.OrderID)
}

// recordOrderPayment records money received for an order (a debit, a
// hosted-page payment): invoice first if needed, allocation, then the
// order's plan follows the rule of what is owed.
func (s *Service) recordOrderPayment(ctx context.Context, tx *store.Tx, p store.Payment, orderID int64) (store.Payment, error) {
	if _, ok, err := tx.InvoiceNumberOfOrder(ctx, orderID); err != nil {
		return p, err
	} else if !ok {
		if err := s.invoiceOrder(ctx, tx, orderID, s.Issuer.LibelleCard); err != nil {
			return p, err
		}
	}
	p.Method = "card"
	p, err := tx.RecordPayment(ctx, p)
	if err != nil {
		return p, err
	}
	if _, err := s.allocate(ctx, tx, p, orderID); err != nil {
		return p, err
	}
	date, err := clock.ParseDate(p.Date)
	if err != nil {
		return p, err
	}
	if _, _, err = s.replan(ctx, tx, orderID, date); err != nil {
		return p, err
	}
	return p, s.noticePaymentReceived(ctx, tx, p, orderID)
}

// invoiceOrder issues the invoice of an order that is still current (a
// superseded order is never invoiced again: its money goes to the
// student's open invoices).
func (s *Service) invoiceOrder(ctx context.Context, tx *store.Tx, orderID int64, libelle string) error {
	d, o, ok, err := tx.OrderWithDossier(ctx, orderID)
	if err != nil || !ok || o.TTC <= 0 {
		return err
	}
	_, err = s.issueFor(ctx, tx, d, o, libelle)
	return err
}
