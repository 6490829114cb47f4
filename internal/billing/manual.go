package billing

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/gateway"
	"github.com/inpctl/inpctl/internal/money"
	"github.com/inpctl/inpctl/internal/schedule"
	"github.com/inpctl/inpctl/internal/store"
)

// ManualPayment is a cheque, transfer or cash payment recorded by staff.
type ManualPayment struct {
	StudentID, Method, Ref string
	Amount                 money.Cents
	Date                   clock.Date // zero = today
}

// PaymentResult is what recording a payment did.
type PaymentResult struct {
	Payment  store.Payment `json:"payment"`
	Credit   money.Cents   `json:"credit_cents"`        // left unallocated: the student's credit
	Covered  []int         `json:"instalments_covered"` // instalments now paid by it
	Currency string        `json:"currency"`
}

// RecordPayment records a manual payment: the invoice is issued if this is
// the order's first money; the payment goes to open invoices oldest first;
// the instalments it covers in full are marked paid so they are not
// debited (a cheque for the whole remainder cancels the coming debits);
// what is left over is a credit.
func (s *Service) RecordPayment(ctx context.Context, m ManualPayment) (PaymentResult, error) {
	switch m.Method {
	case "cheque", "transfer", "cash":
	default:
		return PaymentResult{}, fault.New(fault.Usage, "--method %q is not cheque, transfer or cash (card payments come from Paybox)", m.Method)
	}
	if strings.TrimSpace(m.Ref) == "" {
		return PaymentResult{}, fault.New(fault.Usage, "a payment needs a reference (--ref: cheque number, transfer label…)")
	}
	res := PaymentResult{Currency: money.Currency}
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		date := m.Date
		if date.IsZero() {
			date = s.today(tx)
		}
		_, o, err := s.currentOrder(ctx, tx, m.StudentID)
		if err != nil {
			return err
		}
		if o.TTC > 0 {
			if err := s.ensureInvoiceLibelle(ctx, tx, m.StudentID, o.ID, "Règlement "+m.Method); err != nil {
				return err
			}
		}
		p, err := tx.RecordPayment(ctx, store.Payment{StudentID: m.StudentID, Date: date.String(), Amount: m.Amount, Method: m.Method, Ref: m.Ref})
		if err != nil {
			return err
		}
		if res.Credit, err = s.allocate(ctx, tx, p); err != nil {
			return err
		}
		p.Allocated = p.Amount - res.Credit
		if res.Covered, err = s.coverInstalments(ctx, tx, o, date); err != nil {
			return err
		}
		res.Payment = p
		return tx.Audit(ctx, "payment:"+p.Number, fmt.Sprintf("%s %s of %s for %s; instalments now paid: %d; credit %s", m.Method, m.Ref, m.Amount, m.StudentID, len(res.Covered), res.Credit))
	})
	return res, err
}

// ensureInvoiceLibelle is ensureInvoice with the libellé of the first money.
func (s *Service) ensureInvoiceLibelle(ctx context.Context, tx *store.Tx, studentID string, orderID int64, libelle string) error {
	if _, ok, err := tx.InvoiceOfOrder(ctx, orderID); err != nil || ok {
		return err
	}
	d, o, err := s.currentOrder(ctx, tx, studentID)
	if err != nil {
		return err
	}
	_, err = s.issueFor(ctx, tx, d, o, libelle)
	return err
}

// coverInstalments marks paid, in order, the unpaid instalments of the
// order's plan that what was allocated to its invoice now covers in full.
func (s *Service) coverInstalments(ctx context.Context, tx *store.Tx, o store.Order, date clock.Date) ([]int, error) {
	p, ok, err := tx.LivePlan(ctx, o.ID)
	if err != nil || !ok || p.Status == string(schedule.PlanRequested) {
		return nil, err
	}
	inv, ok, err := tx.InvoiceOfOrder(ctx, o.ID)
	if err != nil || !ok {
		return nil, err
	}
	cover := inv.Allocated + inv.Credited - p.Paid()
	var covered []int
	for _, in := range p.Instalments {
		if in.Status != string(schedule.InstalmentPending) && in.Status != string(schedule.InstalmentFailed) {
			continue
		}
		if in.Amount > cover {
			break
		}
		cover -= in.Amount
		if p.Status == string(schedule.PlanApproved) {
			err = tx.ActivatePlan(ctx, p.ID, date, s.Rules.DebitDay)
			p.Status = string(schedule.PlanActive)
		} else {
			err = tx.PayInstalment(ctx, in.ID, date)
		}
		if err != nil {
			return covered, err
		}
		covered = append(covered, in.Seq)
	}
	return covered, nil
}

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
		if p.Unpaid {
			return fault.New(fault.Conflict, "payment %s is already marked unpaid (%s)", number, p.UnpaidDate)
		}
		if p.Refunded > 0 {
			return fault.New(fault.Conflict, "payment %s was partly refunded (%s): reverse the refund first", number, p.Refunded)
		}
		today := s.today(tx)
		orders, err := tx.RecordUnpaid(ctx, p, today.String(), reason)
		if err != nil {
			return err
		}
		for _, o := range orders {
			if err := tx.BlockOrder(ctx, o, fmt.Sprintf("impayé du règlement %s le %s : %s", number, today.French(), reason)); err != nil {
				return err
			}
		}
		p.Unpaid, p.UnpaidDate = true, today.String()
		return tx.Audit(ctx, "payment:"+number, fmt.Sprintf("unpaid (%s): %s reversed, %d order(s) blocked", reason, p.Amount, len(orders)))
	})
	return p, err
}

// RefundRequest is a refund of a student's credit.
type RefundRequest struct {
	StudentID, Payment, Reason string
	Amount                     money.Cents
	Now                        time.Time
}

// Refund gives back part of a student's credit: a card payment through the
// gateway (TYPE 00014, intent written first), any other as a manual refund.
// Never more than the student's credit nor the payment's refundable part.
func (s *Service) Refund(ctx context.Context, gw gateway.Gateway, r RefundRequest) (store.Refund, error) {
	var pay store.Payment
	var att store.Attempt
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		var err error
		pay, err = s.refundSource(ctx, tx, r)
		if err != nil || pay.Method != "card" {
			return err
		}
		if att, err = tx.CreateAttempt(ctx, store.Attempt{Kind: "refund", Amount: r.Amount}); err != nil {
			return err
		}
		return tx.SetAttemptPayment(ctx, att.ID, pay.ID)
	})
	if err != nil {
		return store.Refund{}, err
	}
	ref := store.Refund{StudentID: r.StudentID, PaymentID: pay.ID, Payment: pay.Number, Amount: r.Amount, Method: pay.Method, Reason: r.Reason}
	if pay.Method != "card" {
		ref.Method = "manual (" + pay.Method + ")"
		return s.saveRefund(ctx, ref, store.Attempt{})
	}
	res, err := gw.Refund(context.WithoutCancel(ctx), gateway.RefundRequest{Reference: att.Reference, NumQuestion: att.NumQuestion,
		Amount: r.Amount, NumTrans: pay.NumTrans, NumAppel: pay.NumAppel, When: r.Now})
	if err != nil {
		res = gateway.Result{Outcome: gateway.Unknown, Detail: err.Error()}
	}
	att.Code, att.Text, att.NumTrans, att.NumAppel = res.Code, res.Text, res.NumTrans, res.NumAppel
	switch res.Outcome {
	case gateway.Approved:
		att.State = "approved"
		ref.NumTrans, ref.NumAppel = res.NumTrans, res.NumAppel
		return s.saveRefund(ctx, ref, att)
	case gateway.Declined:
		att.State = "declined"
		err = fault.New(fault.Declined, "Paybox refused the refund: %s (%s)", res.Code, gateway.Describe(res.Code))
	case gateway.Unavailable:
		att.State = "failed"
		if res.Code != "" {
			err = fault.New(fault.Unavailable, "Paybox refused the request: %s (%s); nothing was refunded", res.Code, gateway.Describe(res.Code)).
				WithHint("check the gateway configuration (site, rang, HMAC key); retrying is safe")
		} else {
			err = fault.New(fault.Unavailable, "Paybox is unavailable: nothing was refunded (%s)", res.Detail).WithHint("retrying is safe")
		}
	default:
		att.State = "unknown"
		err = fault.New(fault.Unavailable, "the refund's outcome is unknown (%s): check the Paybox back office before refunding again", res.Detail)
	}
	if rerr := s.DB.InTx(ctx, func(tx *store.Tx) error { return tx.ResolveAttempt(ctx, att) }); rerr != nil {
		return ref, rerr
	}
	return ref, err
}

// refundSource checks the amount and picks the payment to refund.
func (s *Service) refundSource(ctx context.Context, tx *store.Tx, r RefundRequest) (store.Payment, error) {
	if _, err := tx.StudentByID(ctx, r.StudentID); err != nil {
		return store.Payment{}, err
	}
	var named store.Payment
	if r.Payment != "" {
		var err error
		if named, err = tx.PaymentByNumber(ctx, r.Payment); err != nil {
			return named, err
		}
		if named.StudentID != r.StudentID {
			return named, fault.New(fault.Conflict, "payment %s is not a payment of student %s (it is %s's)", r.Payment, r.StudentID, named.StudentID)
		}
	}
	credit, err := tx.StudentCredit(ctx, r.StudentID)
	if err != nil {
		return store.Payment{}, err
	}
	if r.Amount > credit {
		return store.Payment{}, fault.New(fault.Conflict, "student %s has a credit of %s; a refund of %s is refused", r.StudentID, credit, r.Amount)
	}
	if r.Payment != "" {
		p := named
		free, err := tx.Unallocated(ctx, p.ID)
		if err != nil {
			return p, err
		}
		if r.Amount > free {
			return p, fault.New(fault.Conflict, "payment %s has %s refundable for student %s; a refund of %s is refused", p.Number, free, r.StudentID, r.Amount)
		}
		return p, nil
	}
	cands, err := tx.PaymentsWithCredit(ctx, r.StudentID)
	if err != nil {
		return store.Payment{}, err
	}
	for i := len(cands) - 1; i >= 0; i-- { // the newest payment with enough left
		if cands[i].Amount >= r.Amount {
			return tx.PaymentByNumber(ctx, cands[i].Number)
		}
	}
	return store.Payment{}, fault.New(fault.Conflict, "no single payment of %s has %s left to refund", r.StudentID, r.Amount).
		WithHint("refund payment by payment with --payment")
}

func (s *Service) saveRefund(ctx context.Context, ref store.Refund, att store.Attempt) (store.Refund, error) {
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		if att.ID != 0 {
			if err := tx.ResolveAttempt(ctx, att); err != nil {
				return err
			}
		}
		// Re-check inside the writing transaction: nothing may have used
		// the credit since the intent.
		credit, err := tx.StudentCredit(ctx, ref.StudentID)
		if err != nil {
			return err
		}
		if ref.Amount > credit && att.ID == 0 {
			return fault.New(fault.Conflict, "student %s now has a credit of %s; refund refused", ref.StudentID, credit)
		}
		ref.Date = s.today(tx).String()
		if ref, err = tx.RecordRefund(ctx, ref); err != nil {
			return err
		}
		return tx.Audit(ctx, "refund:"+ref.StudentID, fmt.Sprintf("%s refunded (%s) on payment %s: %s", ref.Amount, ref.Method, ref.Payment, ref.Reason))
	})
	return ref, err
}
