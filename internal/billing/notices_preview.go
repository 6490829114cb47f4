package billing

import (
	"context"
	"errors"
	"strings"

	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/mail"
	"github.com/inpctl/inpctl/internal/schedule"
	"github.com/inpctl/inpctl/internal/store"
)

// errPreview rolls a preview's transaction back: it writes nothing.
var errPreview = errors.New("preview")

// NoticeFor builds, without writing anything, the notice of kind that the
// student's latest event of that kind gives (mail preview): the same
// helpers as the events use, inside a transaction that is rolled back.
func (s *Service) NoticeFor(ctx context.Context, kind mail.Kind, studentID string) (store.Notice, error) {
	var out store.Notice
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := s.latestEvent(ctx, tx, kind, studentID); err != nil {
			return err
		}
		ns, err := tx.NoticesOf(ctx, studentID, string(kind))
		if err != nil {
			return err
		}
		if len(ns) == 0 {
			return noEvent(kind, studentID)
		}
		out = ns[len(ns)-1]
		return errPreview
	})
	if errors.Is(err, errPreview) {
		err = nil
	}
	return out, err
}

func noEvent(kind mail.Kind, studentID string) error {
	return fault.New(fault.NotFound, "student %s has nothing to send a %s notice about", studentID, kind).
		WithHint("inpctl account show %s", studentID)
}

// latestEvent queues, in tx, the notice of the student's latest event of
// that kind.
func (s *Service) latestEvent(ctx context.Context, tx *store.Tx, kind mail.Kind, studentID string) error {
	if _, err := tx.StudentByID(ctx, studentID); err != nil {
		return err
	}
	switch kind {
	case mail.PlanApproved, mail.PlanRejected, mail.DebitUpcoming, mail.DebitFailed:
		return s.latestPlanEvent(ctx, tx, kind, studentID)
	case mail.OrderBlocked, mail.Exemption:
		_, o, err := s.currentOrder(ctx, tx, studentID)
		if err != nil {
			return err
		}
		if kind == mail.OrderBlocked && o.BlockedReason != "" {
			return s.noticeOrderBlocked(ctx, tx, studentID, o.ID, o.BlockedReason)
		}
		if kind == mail.Exemption {
			return s.latestExemption(ctx, tx, studentID, o)
		}
	case mail.PaymentReceived:
		ps, err := s.DB.ListPayments(ctx, store.PaymentFilter{StudentID: studentID})
		if err != nil || len(ps) == 0 {
			return err
		}
		p := ps[len(ps)-1]
		_, o, err := s.currentOrder(ctx, tx, studentID)
		if err != nil {
			return err
		}
		return s.noticePaymentReceived(ctx, tx, p, o.ID)
	case mail.CreditNote:
		cns, err := s.DB.ListCreditNotes(ctx, studentID)
		if err != nil || len(cns) == 0 {
			return err
		}
		cn := cns[len(cns)-1]
		inv, err := tx.InvoiceByNumber(ctx, cn.InvoiceNumber)
		if err != nil {
			return err
		}
		return s.noticeCreditNote(ctx, tx, cn, inv)
	case mail.Refund:
		r, ok, err := s.DB.LastRefund(ctx, studentID)
		if err != nil || !ok {
			return err
		}
		return s.noticeRefund(ctx, tx, r)
	}
	return nil
}

func (s *Service) latestPlanEvent(ctx context.Context, tx *store.Tx, kind mail.Kind, studentID string) error {
	p, err := s.dossierPlan(ctx, tx, studentID)
	if err != nil {
		return err
	}
	switch {
	case kind == mail.PlanApproved && p.Status != string(schedule.PlanRequested) && p.Status != string(schedule.PlanRejected):
		return s.noticePlanApproved(ctx, tx, p)
	case kind == mail.PlanRejected && p.Status == string(schedule.PlanRejected):
		return s.noticePlanRejected(ctx, tx, p)
	}
	for _, in := range p.Instalments {
		it := store.DueItem{InstalmentID: in.ID, PlanID: p.ID, OrderID: p.OrderID, StudentID: studentID, Seq: in.Seq, Amount: in.Amount, Due: in.Due, Attempts: in.Attempts}
		switch {
		case kind == mail.DebitUpcoming && in.Status == string(schedule.InstalmentPending) && in.Due != "":
			if c, ok, err := tx.StudentCard(ctx, studentID); err != nil {
				return err
			} else if ok {
				it.Card.Expiry = c.Expiry
			}
			return s.noticeDebitUpcoming(ctx, tx, it, "")
		case kind == mail.DebitFailed && in.Status == string(schedule.InstalmentFailed):
			dc := Decline{Item: it, Reference: "preview", Code: in.LastCode, Today: s.today(tx)}
			dc.NextTry, _ = clock.ParseDate(in.NextTry)
			_, o, _, err := tx.OrderWithDossier(ctx, p.OrderID)
			if err != nil {
				return err
			}
			dc.Blocked = o.BlockedReason != ""
			return s.noticeDebitFailed(ctx, tx, dc)
		}
	}
	return nil
}

// latestExemption finds the credit note of the order's exemption decision.
func (s *Service) latestExemption(ctx context.Context, tx *store.Tx, studentID string, o store.Order) error {
	cns, err := s.DB.ListCreditNotes(ctx, studentID)
	if err != nil {
		return err
	}
	for i := len(cns) - 1; i >= 0; i-- {
		reason := cns[i].Reason
		if !strings.HasPrefix(reason, "Commission d'exonération, décision ") {
			continue
		}
		decision, _, _ := strings.Cut(strings.TrimPrefix(reason, "Commission d'exonération, décision "), " : ")
		d, _, _, err := tx.OrderWithDossier(ctx, o.ID)
		if err != nil {
			return err
		}
		ex := Exemption{Decision: decision, Tariff: s.ExemptTariff(d.Programme, d.Year), CreditNote: cns[i].Number, Credited: cns[i].Amount}
		return s.noticeExemption(ctx, tx, studentID, o, ex)
	}
	return nil
}
