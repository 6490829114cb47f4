package billing

import (
	"context"
	"errors"
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
// gateway (TYPE 00014), any other as a manual refund. Never more than the
// student's credit nor the payment's refundable part.
//
// A card refund goes exactly once, like a charge: its intent (an attempt
// with its own REFERENCE and NUMQUESTION) is committed first, and from then
// on reserves its amount (store.refundedSQL), so no second refund can spend
// the same credit; then Paybox is called; then the outcome is recorded. An
// outcome that is not known (a lost answer, a crash before the commit) stays
// unknown, is never sent again, and is resolved by a lookup in Reconcile.
func (s *Service) Refund(ctx context.Context, gw gateway.Gateway, r RefundRequest) (store.Refund, error) {
	var pay store.Payment
	var att store.Attempt
	var ref store.Refund
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if pay, err = s.refundSource(ctx, tx, r); err != nil {
			return err
		}
		ref = store.Refund{StudentID: r.StudentID, PaymentID: pay.ID, Payment: pay.Number, Amount: r.Amount, Method: pay.Method, Reason: r.Reason}
		if pay.Method != "card" {
			// A manual refund is recorded in the transaction that checked it.
			ref.Method = "manual (" + pay.Method + ")"
			ref, err = s.writeRefund(ctx, tx, ref)
			return err
		}
		if att, err = tx.CreateAttempt(ctx, store.Attempt{Kind: "refund", Amount: r.Amount, PaymentID: pay.ID, Note: r.Reason}); err != nil {
			return err
		}
		return tx.Audit(ctx, "refund:"+r.StudentID, fmt.Sprintf("card refund %s of %s on payment %s sent to Paybox (%s reserved)", att.Reference, r.Amount, pay.Number, r.Amount))
	})
	if err != nil || pay.Method != "card" {
		return ref, err
	}
	ref.Reference = att.Reference
	res, err := gw.Refund(context.WithoutCancel(ctx), gateway.RefundRequest{Reference: att.Reference, NumQuestion: att.NumQuestion,
		Amount: r.Amount, NumTrans: pay.NumTrans, NumAppel: pay.NumAppel, When: r.Now})
	if err != nil {
		// A request we built wrong; stay on the safe side: look it up.
		res = gateway.Result{Outcome: gateway.Unknown, Detail: err.Error()}
	}
	att.Payment, att.StudentID, att.Note = pay.Number, r.StudentID, r.Reason
	return s.settleRefund(ctx, att, res)
}

// CheckRefund runs Refund's checks (the student, the payment, the credit
// and what is left on the payment) and writes nothing, so a command can
// refuse before it takes a lock. Refund checks again in its own
// transaction.
func (s *Service) CheckRefund(ctx context.Context, r RefundRequest) error {
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		if _, err := s.refundSource(ctx, tx, r); err != nil {
			return err
		}
		return errCheckOnly
	})
	if errors.Is(err, errCheckOnly) {
		return nil
	}
	return err
}

var errCheckOnly = errors.New("check only: rolled back")

// settleRefund records what Paybox said of refund attempt att (answered
// now, or found by a lookup): approved → the refund is recorded and the
// attempt closed in one transaction; declined or certainly not done → the
// attempt is closed and its reservation released; unknown → it stays
// reserved, to be looked up. An attempt already resolved meanwhile is left
// as it is (nothing is recorded twice).
func (s *Service) settleRefund(ctx context.Context, att store.Attempt, res gateway.Result) (store.Refund, error) {
	ctx = context.WithoutCancel(ctx) // what was sent must be known
	ref := store.Refund{StudentID: att.StudentID, PaymentID: att.PaymentID, Payment: att.Payment, Amount: att.Amount, Method: "card",
		Reason: att.Note, Reference: att.Reference}
	att.Code, att.Text, att.NumTrans, att.NumAppel = res.Code, res.Text, res.NumTrans, res.NumAppel
	var fail error
	switch res.Outcome {
	case gateway.Approved:
		att.State = "approved"
		ref.NumTrans, ref.NumAppel = res.NumTrans, res.NumAppel
	case gateway.Declined:
		att.State = "declined"
		fail = fault.New(fault.Declined, "Paybox refused the refund %s: %s (%s); nothing was refunded", att.Reference, res.Code, gateway.Describe(res.Code))
	case gateway.Unavailable:
		att.State = "failed"
		if res.Code != "" {
			fail = fault.New(fault.Unavailable, "Paybox refused the request: %s (%s); nothing was refunded", res.Code, gateway.Describe(res.Code)).
				WithHint("check the gateway configuration (site, rang, HMAC key); retrying is safe")
		} else {
			fail = fault.New(fault.Unavailable, "Paybox could not be reached: nothing was refunded (%s)", res.Detail).WithHint("retrying is safe")
		}
		if att.Text == "" {
			att.Text = "not sent or refused before acting: nothing was refunded"
		}
	default:
		att.State = "unknown"
		if att.Text == "" {
			att.Text = "outcome unknown: will be looked up (" + res.Detail + ")"
		}
		fail = fault.New(fault.Unknown, "the outcome of refund %s (%s to %s) is unknown: %s; Paybox may have refunded it, so do not refund again",
			att.Reference, att.Amount, att.StudentID, res.Detail).
			WithHint("run: inpctl reconcile (it asks Paybox by reference and records the refund, or frees the %s it keeps reserved)", att.Amount)
	}
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		if att.State == "approved" {
			var err error
			if ref, err = s.writeRefund(ctx, tx, ref); err != nil {
				return err
			}
			att.RefundID = ref.ID
		}
		changed, err := tx.ResolveOpenAttempt(ctx, att)
		if err == nil && !changed {
			return errAlreadyResolved
		}
		if err != nil || att.State == "approved" {
			return err
		}
		return tx.Audit(ctx, "refund:"+att.StudentID, fmt.Sprintf("card refund %s of %s on payment %s: %s (%s)", att.Reference, att.Amount, att.Payment, att.State, att.Text))
	})
	if errors.Is(err, errAlreadyResolved) {
		return ref, fault.New(fault.Conflict, "refund %s was already resolved by another command: nothing recorded twice", att.Reference).
			WithHint("inpctl account show %s", att.StudentID)
	}
	if err != nil {
		return ref, err
	}
	return ref, fail
}

var errAlreadyResolved = errors.New("attempt already resolved")

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

// writeRefund records a refund in the caller's transaction, with its
// notice and audit row.
func (s *Service) writeRefund(ctx context.Context, tx *store.Tx, ref store.Refund) (store.Refund, error) {
	ref.Date = s.today(tx).String()
	var err error
	if ref, err = tx.RecordRefund(ctx, ref); err != nil {
		return ref, err
	}
	if err := s.noticeRefund(ctx, tx, ref); err != nil {
		return ref, err
	}
	via := ref.Method
	if ref.Reference != "" {
		via += " " + ref.Reference
	}
	return ref, tx.Audit(ctx, "refund:"+ref.StudentID, fmt.Sprintf("%s refunded (%s) on payment %s: %s", ref.Amount, via, ref.Payment, ref.Reason))
}
