package billing

import (
	"context"
	"crypto/rsa"
	"fmt"
	"time"

	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/gateway"
	"github.com/inpctl/inpctl/internal/gateway/paybox"
	"github.com/inpctl/inpctl/internal/money"
	"github.com/inpctl/inpctl/internal/schedule"
	"github.com/inpctl/inpctl/internal/store"
)

// PayLink is a signed hosted-page request for a student's next amount.
type PayLink struct {
	StudentID  string         `json:"student_id"`
	Cmd        string         `json:"pbx_cmd"`
	Amount     money.Cents    `json:"amount_cents"`
	Currency   string         `json:"currency"`
	Plan       string         `json:"plan"`
	Instalment int            `json:"instalment"`
	URL        string         `json:"url"`
	Fields     []paybox.Field `json:"fields"`
}

// MakePayLink records a payment request (a fresh PBX_CMD) for the
// student's next amount and builds the signed hosted-page request. A
// student with no plan pays in one go (a 1x plan is recorded); a plan
// awaiting approval cannot be paid yet.
func (s *Service) MakePayLink(ctx context.Context, studentID string, lc paybox.LinkConfig, when time.Time) (PayLink, error) {
	var pl PayLink
	err := s.DB.InTx(ctx, func(tx *store.Tx) (err error) {
		pl, err = s.makePayLink(ctx, tx, studentID, lc, when)
		return err
	})
	return pl, err
}

// makePayLink is MakePayLink inside the caller's transaction.
func (s *Service) makePayLink(ctx context.Context, tx *store.Tx, studentID string, lc paybox.LinkConfig, when time.Time) (PayLink, error) {
	var pl PayLink
	_, o, err := s.currentOrder(ctx, tx, studentID)
	if err != nil {
		return pl, err
	}
	p, in, err := s.nextInstalment(ctx, tx, studentID, o)
	if err != nil {
		return pl, err
	}
	st, err := tx.StudentByID(ctx, studentID)
	if err != nil {
		return pl, err
	}
	r, err := tx.CreatePayRequest(ctx, store.PayRequest{StudentID: studentID, OrderID: o.ID, InstalmentID: in.ID, Amount: in.Amount})
	if err != nil {
		return pl, err
	}
	link, err := paybox.BuildLink(lc, paybox.LinkRequest{Amount: in.Amount, Cmd: r.Cmd, Email: st.Email, RefAbonne: "AB" + r.Cmd, When: when,
		Billing:  paybox.Address{FirstName: st.FirstName, LastName: st.LastName, Address1: st.Address, ZipCode: st.Postcode, City: st.City, Country: st.Country},
		Quantity: 1, LastDue: s.lastDue(tx, p)})
	if err != nil {
		return pl, err
	}
	pl = PayLink{StudentID: studentID, Cmd: r.Cmd, Amount: in.Amount, Currency: money.Currency, Plan: p.Plan, Instalment: in.Seq, URL: link.URL, Fields: link.Fields}
	return pl, tx.Audit(ctx, "pay_request:"+r.Cmd, fmt.Sprintf("hosted-page request for %s: %s (%s plan, instalment %d)", studentID, in.Amount, p.Plan, in.Seq))
}

// lastDue is the last due date of a 3x or 5x plan, for PBX_DATEVALMAX: the
// card registered on the hosted page must still be valid then. Before the
// first payment the dates are not fixed yet: they are the ones a payment
// today would fix (schedule.DueDates), as pay link is used when the student
// is about to pay. Zero for 1x (the card pays once).
func (s *Service) lastDue(tx *store.Tx, p store.Plan) time.Time {
	n := len(p.Instalments)
	if !schedule.Plan(p.Plan).NeedsApproval() || n == 0 {
		return time.Time{}
	}
	d, err := clock.ParseDate(p.Instalments[n-1].Due)
	if err != nil || d.IsZero() {
		dates := schedule.DueDates(s.today(tx), n, s.Rules.DebitDay)
		d = dates[n-1]
	}
	return d.Time(time.UTC)
}

// nextInstalment finds what the student pays next on the hosted page: the
// next unpaid instalment of the order's plan, as the rule of what is owed
// makes it now (never a stored figure alone). With no plan the student pays
// what the order owes in one go: a 1x plan for it is recorded. A plan
// awaiting approval cannot be paid yet; a financed order is not the
// student's to pay; a settled order has nothing to pay.
func (s *Service) nextInstalment(ctx context.Context, tx *store.Tx, studentID string, o store.Order) (store.Plan, store.Instalment, error) {
	if o.TTC == 0 {
		return store.Plan{}, store.Instalment{}, fault.New(fault.Conflict, "student %s owes nothing: order %s is 0,00 €", studentID, o.Number)
	}
	if financed(o) {
		return store.Plan{}, store.Instalment{}, refuseStudentPays(studentID, o, "the student cannot pay it")
	}
	p, ok, err := s.replan(ctx, tx, o.ID, s.today(tx))
	if err != nil {
		return p, store.Instalment{}, err
	}
	if !ok {
		cur, live, err := tx.LivePlan(ctx, o.ID)
		if err != nil {
			return p, store.Instalment{}, err
		}
		if live && cur.Status == string(schedule.PlanRequested) {
			return cur, store.Instalment{}, fault.New(fault.Conflict, "student %s: the %s plan awaits the accounting office's approval", studentID, cur.Plan).
				WithHint("inpctl schedule approve %s", studentID)
		}
	}
	owing, err := owedOf(ctx, tx, o.ID)
	if err != nil {
		return p, store.Instalment{}, err
	}
	owed := owing.Student // the payer's share is never the student's to pay
	if owed <= 0 {
		return p, store.Instalment{}, fault.New(fault.Conflict, "student %s has nothing left to pay on order %s", studentID, o.Number).
			WithHint("inpctl account show %s", studentID)
	}
	if !ok || p.Status == string(schedule.PlanCompleted) {
		if p, err = tx.CreatePlan(ctx, o.ID, schedule.Plan1x, schedule.InitialStatus(schedule.Plan1x), []money.Cents{owed}); err != nil {
			return p, store.Instalment{}, err
		}
	}
	for _, in := range p.Instalments {
		if in.Status == string(schedule.InstalmentPending) || in.Status == string(schedule.InstalmentFailed) {
			in.Amount = min(in.Amount, owed)
			return p, in, nil
		}
	}
	return p, store.Instalment{}, fault.New(fault.Conflict, "student %s has nothing left to pay on order %s", studentID, o.Number)
}

// IPNResult says what a notification did.
type IPNResult struct {
	StudentID string      `json:"student_id"`
	Cmd       string      `json:"pbx_cmd"`
	Code      string      `json:"code"`
	Outcome   string      `json:"outcome"` // paid, excess (kept as a credit) or refused
	Amount    money.Cents `json:"amount_cents"`
	Currency  string      `json:"currency"`
	Payment   string      `json:"payment"`
	Invoice   string      `json:"invoice"`
	CardSaved bool        `json:"card_saved"`
	Warning   string      `json:"warning"`
	NumTrans  string      `json:"numtrans"`
	// Excess: a further payment on a link already paid, kept as a credit.
	Excess bool `json:"excess"`
	// Replay: this notification was applied before; nothing was written.
	Replay    bool  `json:"replay"`
	paymentID int64 // the payment recorded, for the notification's row
}

// ApplyIPN verifies a Paybox notification (RSA-SHA1 over the raw bytes)
// and applies it once: the payment is recorded, the invoice issued if this
// is the order's first money, the payment allocated, the instalment paid,
// the plan activated (its due dates fixed) and the card stored. A bad
// signature or an unknown PBX_CMD is refused and changes nothing; a replay
// answers what the first delivery did and writes nothing (see applyIPN).
func (s *Service) ApplyIPN(ctx context.Context, raw string, keys []*rsa.PublicKey) (IPNResult, error) {
	n, err := verifyIPN(raw, keys)
	if err != nil {
		return IPNResult{}, err
	}
	return s.applyOne(ctx, n)
}

// verifyIPN checks a notification's signature (a refusal is a usage error).
func verifyIPN(raw string, keys []*rsa.PublicKey) (paybox.Notification, error) {
	n, err := paybox.VerifyIPN(raw, keys)
	if err != nil {
		return n, fault.Wrap(fault.Usage, err, "notification refused")
	}
	return n, nil
}

// applyOne applies one verified notification in its own transaction.
func (s *Service) applyOne(ctx context.Context, n paybox.Notification) (res IPNResult, err error) {
	err = s.DB.InTx(ctx, func(tx *store.Tx) (err error) {
		res, err = s.applyIPN(ctx, tx, n)
		return err
	})
	return res, err
}

// applyIPN applies a verified notification inside the caller's
// transaction. A notification is identified by its transaction (NUMTRANS,
// NUMAPPEL, AUTORISATION, code), not by PBX_CMD (issue 17): a replay of one
// already applied answers what it did and writes nothing; every approved
// one is money Paybox took and is recorded once — the first on its link
// pays what the link asked for, a further one on the same link (two tabs,
// a second try) is kept as a credit, with a warning; a refused one leaves
// the link payable.
func (s *Service) applyIPN(ctx context.Context, tx *store.Tx, n paybox.Notification) (IPNResult, error) {
	res := IPNResult{Cmd: n.Cmd, Code: n.Code, Amount: n.Amount, Currency: money.Currency, NumTrans: n.NumTrans}
	r, err := tx.PayRequestByCmd(ctx, n.Cmd)
	if err != nil {
		return res, err
	}
	res.StudentID = r.StudentID
	id := store.Notification{Cmd: n.Cmd, PayRequestID: r.ID, NumTrans: n.NumTrans, NumAppel: n.NumAppel, Auth: n.Auth, Code: n.Code, Amount: n.Amount}
	prev, seen, err := tx.SeenNotification(ctx, id)
	if err != nil {
		return res, err
	}
	if seen {
		res.Outcome, res.Payment, res.Replay = prev.Outcome, prev.Payment, true
		return res, nil
	}
	if n.Code != "00000" {
		res.Outcome, id.Outcome = "refused", "refused"
		if err := tx.RecordNotification(ctx, id); err != nil {
			return res, err
		}
		return res, tx.Audit(ctx, "pay_request:"+n.Cmd, fmt.Sprintf("hosted-page payment refused: %s (%s); the link stays payable", n.Code, gateway.Describe(n.Code)))
	}
	if r.Status == "paid" {
		err = s.applyExcess(ctx, tx, r, n, &res)
	} else {
		if n.Amount != r.Amount {
			res.Warning = amountWarning(n, r.Amount)
		}
		err = s.applyPaid(ctx, tx, r, n, &res)
	}
	if err != nil {
		return res, err
	}
	id.Outcome = res.Outcome
	id.PaymentID = res.paymentID
	return res, tx.RecordNotification(ctx, id)
}

// applyExcess records a further approved payment on a link already paid:
// Paybox took the money, so it is a payment of the student, kept whole as a
// credit (never applied silently: payment allocate or refund), with a
// warning that says what to do.
func (s *Service) applyExcess(ctx context.Context, tx *store.Tx, r store.PayRequest, n paybox.Notification, res *IPNResult) error {
	p, err := tx.RecordPayment(ctx, store.Payment{StudentID: r.StudentID, Date: s.today(tx).String(), Amount: n.Amount, Method: "card",
		Ref: "Paiement en ligne " + n.Cmd + " (paiement en excédent)", NumTrans: n.NumTrans, NumAppel: n.NumAppel})
	if err != nil {
		return err
	}
	res.Outcome, res.Excess, res.Payment, res.paymentID = "excess", true, p.Number, p.ID
	res.Warning = excessWarning(n, p.Number, r.StudentID)
	return tx.Audit(ctx, "payment:"+p.Number, fmt.Sprintf("second hosted-page payment on %s (NUMTRANS %s) of %s for %s: kept as a credit", n.Cmd, n.NumTrans, n.Amount, r.StudentID))
}

func (s *Service) applyPaid(ctx context.Context, tx *store.Tx, r store.PayRequest, n paybox.Notification, res *IPNResult) error {
	res.Outcome = "paid"
	today := s.today(tx)
	if err := tx.ClosePayRequest(ctx, r.ID, "paid", n.Code); err != nil {
		return err
	}
	// Was the request's instalment still waiting for this money? Read
	// before recording it: afterwards the plan has followed the payment.
	open := false
	if r.InstalmentID != 0 {
		plan, err := tx.PlanOfInstalment(ctx, r.InstalmentID)
		if err != nil {
			return err
		}
		for _, in := range plan.Instalments {
			if in.ID == r.InstalmentID && plan.Live() && plan.OrderID == r.OrderID {
				open = in.Status == string(schedule.InstalmentPending) || in.Status == string(schedule.InstalmentFailed)
			}
		}
	}
	creditBefore, err := tx.StudentCredit(ctx, r.StudentID)
	if err != nil {
		return err
	}
	p, err := s.recordOrderPayment(ctx, tx, store.Payment{StudentID: r.StudentID, Date: today.String(), Amount: n.Amount,
		Ref: "Paiement en ligne " + n.Cmd, NumTrans: n.NumTrans, NumAppel: n.NumAppel, PayRequestID: r.ID}, r.OrderID)
	if err != nil {
		return err
	}
	res.Payment, res.paymentID = p.Number, p.ID
	if num, ok, err := tx.InvoiceNumberOfOrder(ctx, r.OrderID); err == nil && ok {
		res.Invoice = num
	}
	creditAfter, err := tx.StudentCredit(ctx, r.StudentID)
	if err != nil {
		return err
	}
	if !open || creditAfter > creditBefore {
		// Paybox took this money (the student paid two links, or paid after
		// a cheque): it is kept, as a credit when nothing is due, never lost.
		res.Warning = fmt.Sprintf("%s was already paid or is no longer due: %s of the payment %s is kept on the account as a credit (refundable with inpctl refund %s)",
			n.Cmd, creditAfter-creditBefore, p.Number, r.StudentID)
		return tx.Audit(ctx, "payment:"+p.Number, fmt.Sprintf("hosted-page payment %s of %s for %s on an instalment no longer due: %s kept as a credit", n.Cmd, n.Amount, r.StudentID, creditAfter-creditBefore))
	}
	plan, _, err := s.replan(ctx, tx, r.OrderID, today)
	if err != nil {
		return err
	}
	if err := s.storeCard(ctx, tx, r, n, plan, res); err != nil {
		return err
	}
	return tx.Audit(ctx, "payment:"+p.Number, fmt.Sprintf("hosted-page payment %s of %s for %s, NUMTRANS %s", n.Cmd, n.Amount, r.StudentID, n.NumTrans))
}

// storeCard keeps the card for later debits when the plan needs it and the
// card can back it (not a temporary e-card, not expiring before the last
// due date); otherwise the payment stands and a warning says why.
func (s *Service) storeCard(ctx context.Context, tx *store.Tx, r store.PayRequest, n paybox.Notification, p store.Plan, res *IPNResult) error {
	if n.Token == "" {
		return nil
	}
	last := clock.Date{}
	if k := len(p.Instalments); k > 0 {
		last, _ = clock.ParseDate(p.Instalments[k-1].Due)
	}
	if err := schedule.CheckCardForPlan(schedule.Plan(p.Plan), n.ECard, n.Expiry.LastDay(), last); err != nil && p.Plan != string(schedule.Plan1x) {
		res.Warning = fmt.Sprintf("the payment is recorded, but the card cannot back the later debits: %v; the student must register another card (inpctl pay link %s)", err, r.StudentID)
		return nil
	}
	if _, err := tx.SaveCard(ctx, store.Card{StudentID: r.StudentID, RefAbonne: "AB" + r.Cmd, Token: n.Token, Expiry: n.Expiry.YYMM(), ECard: n.ECard, CardType: n.CardType}); err != nil {
		return err
	}
	res.CardSaved = true
	// A new card for a blocked order lifts the block by itself: the card
	// that was refused is no longer the one debited.
	d, o, ok, err := tx.OrderWithDossier(ctx, r.OrderID)
	if err != nil || !ok || o.BlockedReason == "" {
		return err
	}
	_ = d
	return s.unblock(ctx, tx, o, "nouvelle carte enregistrée sur la page de paiement ("+r.Cmd+")")
}
