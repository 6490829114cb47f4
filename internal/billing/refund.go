package billing

import (
	"context"
	"fmt"
	"time"

	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/gateway"
	"github.com/inpctl/inpctl/internal/money"
	"github.com/inpctl/inpctl/internal/store"
)

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
		if err := s.noticeRefund(ctx, tx, ref); err != nil {
			return err
		}
		return tx.Audit(ctx, "refund:"+ref.StudentID, fmt.Sprintf("%s refunded (%s) on payment %s: %s", ref.Amount, ref.Method, ref.Payment, ref.Reason))
	})
	return ref, err
}
