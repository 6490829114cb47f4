package billing

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/mail"
	"github.com/inpctl/inpctl/internal/store"
)

func outbox(t *testing.T, s *Service) []store.Notice {
	t.Helper()
	ns, err := s.DB.ListNotices(context.Background(), store.NoticeFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return ns
}

// ofKind is the outbox's notices of one kind.
func ofKind(ns []store.Notice, kind string) []store.Notice {
	var out []store.Notice
	for _, n := range ns {
		if n.Kind == kind {
			out = append(out, n)
		}
	}
	return out
}

func data(t *testing.T, n store.Notice) mail.Data {
	t.Helper()
	d, err := mail.DecodeData(n.Data)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func inTxT(t *testing.T, s *Service, fn func(ctx context.Context, tx *store.Tx) error) {
	t.Helper()
	ctx := context.Background()
	if err := s.DB.InTx(ctx, func(tx *store.Tx) error { return fn(ctx, tx) }); err != nil {
		t.Fatal(err)
	}
}

// A notice is written with its event, once per event: queued twice it is
// one row; rolled back with its transaction it is none.
func TestNoticePlanApprovedOncePerEvent(t *testing.T) {
	s, _ := planSvc(t)
	ctx := context.Background()
	approved5x(t, s)
	// The approval wrote its notice (billing queues it in the approval's
	// transaction).
	if ns := outbox(t, s); len(ns) != 1 || ns[0].Kind != "plan_approved" {
		t.Fatalf("the approval queued %+v", ns)
	}
	boom := errors.New("the event failed")
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		p, err := s.dossierPlan(ctx, tx, "22100002")
		if err != nil {
			return err
		}
		if err := s.noticePlanApproved(ctx, tx, p); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) || len(outbox(t, s)) != 1 {
		t.Fatalf("a rolled-back event left a notice: %v %d", err, len(outbox(t, s)))
	}
	for range 2 {
		inTxT(t, s, func(ctx context.Context, tx *store.Tx) error {
			p, err := s.dossierPlan(ctx, tx, "22100002")
			if err != nil {
				return err
			}
			return s.noticePlanApproved(ctx, tx, p)
		})
	}
	ns := outbox(t, s)
	if len(ns) != 1 || ns[0].Kind != "plan_approved" || ns[0].StudentID != "22100002" || ns[0].Status != "pending" {
		t.Fatalf("outbox %+v", ns)
	}
	d := data(t, ns[0])
	if d.Plan != "5x" || d.Total != 394100 || len(d.Instalments) != 5 || d.Instalments[0].Amount != 62800 ||
		d.Instalments[4].Amount != 82825 || !d.NeedsLink || d.DebitDay != 10 || d.Order == "" {
		t.Fatalf("data %+v", d)
	}
}

// A student without a usable address: the notice is failed at once.
func TestNoticeWithoutAddressFailsAtOnce(t *testing.T) {
	s, _ := planSvc(t)
	ctx := context.Background()
	rows := []store.ImportRow{{Student: store.Student{ID: "22100001", LastName: "Durand", FirstName: "Camille", Email: "camille-sans-arobase", Programme: "ING-GC-3A"}, Year: "2025-2026", Line: 2}}
	if _, _, err := s.DB.ImportStudents(ctx, "s.csv", rows, false, nil); err != nil {
		t.Fatal(err)
	}
	declare(t, s, "22100001", "01")
	inTxT(t, s, func(ctx context.Context, tx *store.Tx) error {
		_, o, err := s.currentOrder(ctx, tx, "22100001")
		if err != nil {
			return err
		}
		return s.noticeOrderBlocked(ctx, tx, "22100001", o.ID, "refus définitif")
	})
	ns := outbox(t, s)
	if len(ns) != 1 || ns[0].Status != "failed" || !strings.HasPrefix(ns[0].LastError, "no usable e-mail address") {
		t.Fatalf("outbox %+v", ns)
	}
}

// The money notices carry what the student reads: amounts, what remains,
// the documents to attach.
func TestNoticePaymentDeclineExemption(t *testing.T) {
	s, _ := planSvc(t)
	ctx := context.Background()
	approved5x(t, s)
	day := clock.Date{Year: 2025, Month: 9, Day: 5}
	inv := payFirst(t, s, "22100002", 62800, day)
	ps, _ := s.DB.ListPayments(ctx, store.PaymentFilter{StudentID: "22100002"})
	var plan store.Plan
	inTxT(t, s, func(ctx context.Context, tx *store.Tx) (err error) {
		if plan, err = s.dossierPlan(ctx, tx, "22100002"); err != nil {
			return err
		}
		if err := s.noticePaymentReceived(ctx, tx, ps[0], plan.OrderID); err != nil {
			return err
		}
		in := plan.Instalments[1]
		return s.noticeDebitFailed(ctx, tx, Decline{Item: store.DueItem{InstalmentID: in.ID, PlanID: plan.ID, OrderID: plan.OrderID, StudentID: "22100002", Seq: 2, Amount: in.Amount},
			Reference: "I0001-2", Code: "00151", Today: clock.Date{Year: 2025, Month: 10, Day: 10}, NextTry: clock.Date{Year: 2025, Month: 10, Day: 13}})
	})
	ex, err := s.Exempt(ctx, "22100002", "CE-2025-09-14")
	if err != nil {
		t.Fatal(err)
	}
	inTxT(t, s, func(ctx context.Context, tx *store.Tx) error {
		_, o, err := s.currentOrder(ctx, tx, "22100002")
		if err != nil {
			return err
		}
		return s.noticeExemption(ctx, tx, "22100002", o, ex)
	})
	all := outbox(t, s)
	ns := append(append(ofKind(all, "payment_received"), ofKind(all, "debit_failed")...), ofKind(all, "exemption")...)
	if len(ns) != 3 || len(all) != 4 { // and the plan's approval
		t.Fatalf("outbox %+v", all)
	}
	pay := data(t, ns[0])
	if pay.Amount != 62800 || pay.Remaining != 394100-62800 || pay.Invoice != inv.Number || pay.Method != "carte" ||
		len(pay.Docs) != 1 || pay.Docs[0] != (mail.Doc{Kind: mail.DocInvoice, Number: inv.Number, AsOf: "2025-09-05"}) {
		t.Fatalf("payment_received %+v", pay)
	}
	dec := data(t, ns[1])
	if dec.Code != "00151" || !strings.HasPrefix(dec.Decline, "provision insuffisante") || strings.Contains(dec.Decline, "insufficient") ||
		!dec.Retry || dec.NextTry != "2025-10-13" || dec.Blocked || !dec.NeedsLink || dec.Amount != 82825 {
		t.Fatalf("debit_failed %+v", dec)
	}
	exd := data(t, ns[2])
	if exd.Decision != "CE-2025-09-14" || exd.Tariff != 62800 || exd.CreditNote != "AV000001" || exd.Amount != 331300 ||
		exd.Cancelled != 4 || exd.Remaining != 0 || exd.Invoice != inv.Number || len(exd.Docs) != 1 || exd.Docs[0].Kind != mail.DocCreditNote {
		t.Fatalf("exemption %+v", exd)
	}
}

// A debit within debit_upcoming_days is announced once, with the card's
// type and expiry and no digit of it.
func TestQueueUpcomingDebits(t *testing.T) {
	s, _ := planSvc(t)
	ctx := context.Background()
	approved5x(t, s)
	payFirst(t, s, "22100002", 62800, clock.Date{Year: 2025, Month: 9, Day: 5})
	inTxT(t, s, func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.SaveCard(ctx, store.Card{StudentID: "22100002", RefAbonne: "ABC1", Token: "tok", Expiry: "2712", CardType: "CB"})
		return err
	})
	for _, today := range []clock.Date{{Year: 2025, Month: 10, Day: 6}, {Year: 2025, Month: 10, Day: 7}, {Year: 2025, Month: 10, Day: 8}} {
		if _, err := s.QueueUpcomingDebits(ctx, today, 3); err != nil {
			t.Fatal(err)
		}
	}
	ns := ofKind(outbox(t, s), "debit_upcoming")
	if len(ns) != 1 {
		t.Fatalf("outbox %+v", outbox(t, s))
	}
	d := data(t, ns[0])
	if d.Due != "2025-10-10" || d.Seq != 2 || d.Amount != 82825 || d.Card != "CB expirant fin 12/2027" || d.Plan != "5x" {
		t.Fatalf("debit_upcoming %+v", d)
	}
}

// NoticeFor (mail preview) gives the notice of the latest event and
// writes nothing.
func TestNoticeForWritesNothing(t *testing.T) {
	s, _ := planSvc(t)
	ctx := context.Background()
	approved5x(t, s)
	before := len(outbox(t, s))
	n, err := s.NoticeFor(ctx, mail.PlanApproved, "22100002")
	if err != nil || n.Kind != "plan_approved" || data(t, n).Total != 394100 {
		t.Fatalf("preview: %+v %v", n, err)
	}
	if len(outbox(t, s)) != before {
		t.Fatal("a preview queued a notice")
	}
	if _, err := s.NoticeFor(ctx, mail.Refund, "22100002"); err == nil {
		t.Fatal("a refund preview for a student never refunded")
	}
}
