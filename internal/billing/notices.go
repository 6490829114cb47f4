package billing

import (
	"context"
	"fmt"

	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/gateway"
	"github.com/inpctl/inpctl/internal/mail"
	"github.com/inpctl/inpctl/internal/store"
)

// queueNotice writes a notice to the student in the caller's transaction:
// it is a fact of the event, committed or rolled back with it, sent later
// by mail send. key names the event, so a notice is never queued twice
// (a replayed or retried flow writes nothing more). A student without a
// usable address gets the notice failed at once, with that reason.
func (s *Service) queueNotice(ctx context.Context, tx *store.Tx, kind mail.Kind, studentID, key string, data mail.Data) error {
	st, err := tx.StudentByID(ctx, studentID)
	if err != nil {
		return err
	}
	body, err := data.Encode()
	if err != nil {
		return fmt.Errorf("notice %s: %w", key, err)
	}
	n := store.Notice{Key: key, StudentID: studentID, Kind: string(kind), Data: body}
	if aerr := mail.CheckAddress(st.Email); aerr != nil {
		n.Status, n.LastError, n.Recipient = "failed", "no usable e-mail address: "+aerr.Error(), st.Email
	}
	_, _, err = tx.QueueNotice(ctx, n)
	return err
}

// planData is what a plan notice shows: its amounts and, once fixed, dates.
func (s *Service) planData(p store.Plan) mail.Data {
	d := mail.Data{Plan: p.Plan, Order: p.OrderNumber, DebitDay: s.Rules.DebitDay, Reason: p.Reason}
	for _, in := range p.Instalments {
		d.Instalments = append(d.Instalments, mail.Instalment{Seq: in.Seq, Amount: in.Amount, Due: in.Due})
		d.Total += in.Amount
	}
	if d.Total == 0 {
		d.Total = p.Total
	}
	return d
}

// noticePlanApproved: the plan, its amounts, and the payment link of the
// first instalment (made when the notice is sent).
func (s *Service) noticePlanApproved(ctx context.Context, tx *store.Tx, p store.Plan) error {
	d := s.planData(p)
	d.NeedsLink = true
	return s.queueNotice(ctx, tx, mail.PlanApproved, p.StudentID, fmt.Sprintf("plan_approved:plan:%d", p.ID), d)
}

// noticePlanRejected: the reason, and what the student can do.
func (s *Service) noticePlanRejected(ctx context.Context, tx *store.Tx, p store.Plan) error {
	return s.queueNotice(ctx, tx, mail.PlanRejected, p.StudentID, fmt.Sprintf("plan_rejected:plan:%d", p.ID), s.planData(p))
}

// Decline is a declined debit as recordDecline knows it.
type Decline struct {
	Item      store.DueItem
	Reference string     // the attempt's REFERENCE: one notice per attempt
	Code      string     // Paybox's answer
	Today     clock.Date // the day of the attempt
	NextTry   clock.Date // zero when no retry is planned
	Blocked   bool       // the decline blocked the order
}

// noticeDebitFailed: the decline in plain French, whether and when it is
// retried, and a link to pay with (and register) another card.
func (s *Service) noticeDebitFailed(ctx context.Context, tx *store.Tx, dc Decline) error {
	d := mail.Data{Amount: dc.Item.Amount, Seq: dc.Item.Seq, Date: dc.Today.String(), Code: dc.Code, Decline: gateway.DescribeFR(dc.Code),
		Retry: !dc.NextTry.IsZero(), Blocked: dc.Blocked, NeedsLink: true}
	if d.Retry {
		d.NextTry = dc.NextTry.String()
	}
	if _, o, ok, err := tx.OrderWithDossier(ctx, dc.Item.OrderID); err != nil {
		return err
	} else if ok {
		d.Order = o.Number
	}
	return s.queueNotice(ctx, tx, mail.DebitFailed, dc.Item.StudentID, "debit_failed:attempt:"+dc.Reference, d)
}

// noticeOrderBlocked: why, and whom to contact. One notice per block (an
// order unblocked and blocked again gets a second one).
func (s *Service) noticeOrderBlocked(ctx context.Context, tx *store.Tx, studentID string, orderID int64, reason string) error {
	_, o, _, err := tx.OrderWithDossier(ctx, orderID)
	if err != nil {
		return err
	}
	key := fmt.Sprintf("order_blocked:order:%d:%s", orderID, tx.Now.Format("20060102T150405Z"))
	return s.queueNotice(ctx, tx, mail.OrderBlocked, studentID, key, mail.Data{Order: o.Number, Reason: reason, Date: s.today(tx).String()})
}

// noticePaymentReceived: the amount, what remains on the order, with the
// invoice as of the payment's date attached (the bytes of `invoice render
// N --as-of DATE`). Call it after the payment is allocated.
func (s *Service) noticePaymentReceived(ctx context.Context, tx *store.Tx, p store.Payment, orderID int64) error {
	if p.PayerID != 0 {
		return nil // the payer's transfer: the invoice and its receipt are the payer's, not the student's
	}
	d := mail.Data{Amount: p.Amount, Date: p.Date, Payment: p.Number, Method: MethodFR(p.Method)}
	if err := s.owedAndCredit(ctx, tx, p.StudentID, orderID, &d); err != nil {
		return err
	}
	if num, ok, err := tx.InvoiceNumberOfOrder(ctx, orderID); err != nil {
		return err
	} else if ok {
		d.Invoice = num
		d.Docs = []mail.Doc{{Kind: mail.DocInvoice, Number: num, AsOf: p.Date}}
	}
	return s.queueNotice(ctx, tx, mail.PaymentReceived, p.StudentID, "payment_received:payment:"+p.Number, d)
}

// owedAndCredit fills what the order still owes and the student's credit.
func (s *Service) owedAndCredit(ctx context.Context, tx *store.Tx, studentID string, orderID int64, d *mail.Data) error {
	if orderID != 0 {
		owed, err := owedOf(ctx, tx, orderID)
		if err != nil {
			return err
		}
		d.Remaining = max(owed.Student, 0)
	}
	credit, err := tx.StudentCredit(ctx, studentID)
	d.Credit = max(credit, 0)
	return err
}

// noticeCreditNote: what changed, with the credit note attached.
func (s *Service) noticeCreditNote(ctx context.Context, tx *store.Tx, cn store.CreditNote, inv store.Invoice) error {
	d := mail.Data{CreditNote: cn.Number, Invoice: inv.Number, Amount: cn.Amount, Reason: cn.Reason, Date: cn.Date,
		Docs: []mail.Doc{{Kind: mail.DocCreditNote, Number: cn.Number}}}
	if err := s.owedAndCredit(ctx, tx, inv.StudentID, inv.OrderID, &d); err != nil {
		return err
	}
	return s.queueNotice(ctx, tx, mail.CreditNote, inv.StudentID, "credit_note:"+cn.Number, d)
}

// noticeRefund: the amount and how, with the account statement as of the
// refund's date attached (the bytes of `account statement ID --as-of D`).
// Call it after the refund is recorded (ref.ID set).
func (s *Service) noticeRefund(ctx context.Context, tx *store.Tx, ref store.Refund) error {
	d := mail.Data{Amount: ref.Amount, Date: ref.Date, Method: refundMethodFR(ref.Method), Payment: ref.Payment, Reason: ref.Reason,
		Docs: []mail.Doc{{Kind: mail.DocStatement, Number: ref.StudentID, AsOf: ref.Date}}}
	if err := s.owedAndCredit(ctx, tx, ref.StudentID, 0, &d); err != nil {
		return err
	}
	return s.queueNotice(ctx, tx, mail.Refund, ref.StudentID, fmt.Sprintf("refund:%d", ref.ID), d)
}

// refundMethodFR names how a refund was made.
func refundMethodFR(m string) string {
	if m == "card" {
		return "sur votre carte bancaire"
	}
	return "remboursement manuel"
}

// noticeExemption: the exemption decision, what the order costs now, the
// credit note (attached) and the instalments cancelled.
func (s *Service) noticeExemption(ctx context.Context, tx *store.Tx, studentID string, o store.Order, ex Exemption) error {
	d := mail.Data{Decision: ex.Decision, Order: o.Number, Tariff: ex.Tariff, CreditNote: ex.CreditNote, Amount: ex.Credited,
		Cancelled: ex.Cancelled, Date: s.today(tx).String()}
	if ex.CreditNote != "" {
		d.Docs = []mail.Doc{{Kind: mail.DocCreditNote, Number: ex.CreditNote}}
		if num, ok, err := tx.InvoiceNumberOfOrder(ctx, o.ID); err != nil {
			return err
		} else if ok {
			d.Invoice = num
		}
	}
	if err := s.owedAndCredit(ctx, tx, studentID, o.ID, &d); err != nil {
		return err
	}
	return s.queueNotice(ctx, tx, mail.Exemption, studentID, fmt.Sprintf("exemption:order:%d:%s", o.ID, ex.Decision), d)
}

// noticeDebitUpcoming: N days before a debit, its amount, date and card.
// One notice per instalment and due date.
func (s *Service) noticeDebitUpcoming(ctx context.Context, tx *store.Tx, it store.DueItem, cardType string) error {
	p, err := tx.Plan(ctx, it.PlanID)
	if err != nil {
		return err
	}
	d := mail.Data{Amount: it.Amount, Due: it.Due, Seq: it.Seq, Plan: p.Plan, Order: p.OrderNumber, Card: cardLabel(cardType, it.Card.Expiry)}
	return s.queueNotice(ctx, tx, mail.DebitUpcoming, it.StudentID, fmt.Sprintf("debit_upcoming:instalment:%d:%s", it.InstalmentID, it.Due), d)
}

// cardLabel names a stored card without any of its digits (inpctl never
// has them): its type and expiry, "CB expirant fin 12/2027".
func cardLabel(cardType, yymm string) string {
	label := cardType
	if e := gateway.StoredExpiry(yymm); !e.IsZero() {
		if label != "" {
			label += " "
		}
		label += fmt.Sprintf("expirant fin %02d/%d", int(e.Month), e.Year)
	}
	return label
}

// QueueUpcomingDebits queues a debit_upcoming notice for every debit due
// after today and within days (mail send runs it before sending). A debit
// already announced is not announced again. It returns how many were
// queued or already there.
func (s *Service) QueueUpcomingDebits(ctx context.Context, today clock.Date, days int) (int, error) {
	items, err := s.DB.UpcomingDebits(ctx, today.String(), today.AddDays(days).String())
	if err != nil || len(items) == 0 {
		return 0, err
	}
	types := map[int64]string{}
	for _, it := range items {
		if _, ok := types[it.Card.ID]; !ok {
			if types[it.Card.ID], err = s.DB.CardType(ctx, it.Card.ID); err != nil {
				return 0, err
			}
		}
	}
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		for _, it := range items {
			if err := s.noticeDebitUpcoming(ctx, tx, it, types[it.Card.ID]); err != nil {
				return err
			}
		}
		return nil
	})
	return len(items), err
}
