package billing

import (
	"context"
	"fmt"
	"strings"

	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/money"
	"github.com/inpctl/inpctl/internal/store"
)

// Unpaid reverses a payment (chargeback, rejected cheque): the invoice is
// owed again and the order is blocked.
func (s *Service) Unpaid(ctx context.Context, number, reason string) (store.Payment, error) {
	if strings.TrimSpace(reason) == "" {
		return store.Payment{}, fault.New(fault.Usage, "an unpaid needs a reason (--reason)")
	}
	var p store.Payment
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if p, err = tx.PaymentByNumber(ctx, number); err != nil {
			return err
		}
		if err := s.guardCharges(ctx, tx, p.StudentID); err != nil {
			return err
		}
		if p.Unpaid {
			return fault.New(fault.Conflict, "payment %s is already marked unpaid (%s)", number, p.UnpaidDate)
		}
		if p.Refunded > 0 {
			return fault.New(fault.Conflict, "payment %s was partly refunded (%s): reverse the refund first", number, p.Refunded)
		}
		today := s.today(tx)
		orders, err := recordUnpaid(ctx, tx, p, today.String(), reason, "unpaid")
		if err != nil {
			return err
		}
		for _, o := range orders {
			why := fmt.Sprintf("impayé du règlement %s le %s : %s", number, today.French(), reason)
			if err := tx.BlockOrder(ctx, o, why); err != nil {
				return err
			}
			if err := s.noticeOrderBlocked(ctx, tx, p.StudentID, o, why); err != nil {
				return err
			}
			if _, _, err := s.replan(ctx, tx, o, today); err != nil {
				return err
			}
		}
		p.Unpaid, p.UnpaidDate, p.Allocated, p.UnpaidReason = true, today.String(), 0, reason
		return tx.Audit(ctx, "payment:"+number, fmt.Sprintf("unpaid (%s): %s reversed, %d order(s) blocked", reason, p.Amount, len(orders)))
	})
	return p, err
}

// recordUnpaid records the reversal of payment p (store.Tx.RecordUnpaid)
// and takes back all it had allocated, with negative allocation rows
// (append-only): every invoice it paid is owed again and its order no
// longer settled. It returns those orders.
func recordUnpaid(ctx context.Context, tx *store.Tx, p store.Payment, date, reason, kind string) ([]int64, error) {
	nets, err := tx.RecordUnpaid(ctx, p, date, reason, kind)
	if err != nil {
		return nil, err
	}
	var orders []int64
	for _, n := range nets {
		if err := tx.Allocate(ctx, p.ID, n.InvoiceID, -n.Amount); err != nil {
			return nil, err
		}
		if err := tx.ReopenOrder(ctx, n.OrderID); err != nil {
			return nil, err
		}
		orders = append(orders, n.OrderID)
	}
	return orders, nil
}

// VoidPayment cancels a manual payment entered by mistake (never a card
// payment: those come from Paybox and go back with a refund): its
// allocations are reversed, the payment stays listed with its status and
// reason, and the plan follows what is owed again. Nothing is blocked: the
// student did nothing wrong.
func (s *Service) VoidPayment(ctx context.Context, number, reason string) (store.Payment, error) {
	if strings.TrimSpace(reason) == "" {
		return store.Payment{}, fault.New(fault.Usage, "a void needs a reason (--reason)")
	}
	var p store.Payment
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if p, err = tx.PaymentByNumber(ctx, number); err != nil {
			return err
		}
		if err := s.guardCharges(ctx, tx, p.StudentID); err != nil {
			return err
		}
		switch {
		case p.Method == "card":
			return fault.New(fault.Conflict, "payment %s is a card payment: Paybox took the money, a void would lose it", number).
				WithHint("give it back with: inpctl refund %s --payment %s --amount AMOUNT", p.StudentID, number)
		case p.Unpaid:
			return fault.New(fault.Conflict, "payment %s is already reversed (%s)", number, p.UnpaidDate)
		case p.Refunded > 0:
			return fault.New(fault.Conflict, "payment %s was partly refunded (%s): it cannot be voided", number, p.Refunded)
		}
		today := s.today(tx)
		orders, err := recordUnpaid(ctx, tx, p, today.String(), reason, "void")
		if err != nil {
			return err
		}
		for _, o := range orders {
			if _, _, err := s.replan(ctx, tx, o, today); err != nil {
				return err
			}
		}
		p.Unpaid, p.UnpaidDate, p.Voided, p.Allocated, p.UnpaidReason = true, today.String(), true, 0, reason
		return tx.Audit(ctx, "payment:"+number, fmt.Sprintf("voided (%s): %s %s of %s reversed", reason, p.Method, p.Ref, p.Amount))
	})
	return p, err
}

// CreditAllocation is what applying a student's credit did.
type CreditAllocation struct {
	StudentID string      `json:"student_id"`
	Applied   money.Cents `json:"applied_cents"` // credit now allocated to open invoices
	Credit    money.Cents `json:"credit_cents"`  // what is left of the credit
	Currency  string      `json:"currency"`
}

// AllocateCredit applies a student's credit (a payment larger than owed,
// money released by a credit note) to what the same student owes on other
// invoices, oldest first, when staff ask for it: never silently. The plans
// of the orders paid follow what they now owe.
func (s *Service) AllocateCredit(ctx context.Context, studentID string) (CreditAllocation, error) {
	res := CreditAllocation{StudentID: studentID, Currency: money.Currency}
	s.waitForCharges(ctx, studentID)
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.StudentByID(ctx, studentID); err != nil {
			return err
		}
		if err := s.guardCharges(ctx, tx, studentID); err != nil {
			return err
		}
		before, err := tx.StudentCredit(ctx, studentID)
		if err != nil {
			return err
		}
		open, err := openInvoices(ctx, tx, studentID)
		if err != nil {
			return err
		}
		if before <= 0 || len(open) == 0 {
			return fault.New(fault.Conflict, "student %s has %s of credit and %d open invoice(s): nothing to allocate", studentID, before, len(open))
		}
		pays, err := tx.PaymentsWithCredit(ctx, studentID)
		if err != nil {
			return err
		}
		today := s.today(tx)
		for _, p := range pays { // p.Amount is the payment's free part
			p.StudentID, p.Date = studentID, today.String()
			if _, err := s.allocate(ctx, tx, p, 0); err != nil {
				return err
			}
		}
		for _, inv := range open {
			if _, _, err := s.replan(ctx, tx, inv.OrderID, today); err != nil {
				return err
			}
		}
		if res.Credit, err = tx.StudentCredit(ctx, studentID); err != nil {
			return err
		}
		res.Applied = before - res.Credit
		return tx.Audit(ctx, "payment:"+studentID, fmt.Sprintf("credit of %s applied to open invoices: %s allocated, %s left", before, res.Applied, res.Credit))
	})
	return res, err
}
