package billing

import (
	"fmt"

	"github.com/inpctl/inpctl/internal/gateway/sandbox"
	"github.com/inpctl/inpctl/internal/mail"
	"github.com/inpctl/inpctl/internal/money"
)

// The money operations of the simulation: a hosted-page payment, a cheque,
// a reversal, a refund.

// opPay is "pay link" then the student on the sandbox hosted page, then
// "pay ipn" with the signed notification. One in six is refused.
func (w *simWorld) opPay(st *simStudent, year string) (string, error) {
	desc := "pay link " + st.id + " " + year
	pl, err := w.svc[year].MakePayLink(w.ctx, st.id, w.link, w.clk.Now())
	if err != nil {
		return refused(desc, err)
	}
	o := w.cur(st, year)
	if o == nil || pl.Amount > w.or.owed(o) {
		return desc, violation(invCard, "%s asks %s on the hosted page, the order owes %s", desc, pl.Amount, w.or.owed(o))
	}
	url, card := pl.URL, st.card
	switch w.rng.IntN(12) {
	case 0:
		url += "&" + sandbox.ParamDateVal + "=0101" // expired: 00008
	case 1:
		card = sandbox.CardInvalid // Paybox's invalid test card: 00004
	}
	desc += fmt.Sprintf(" %s (%s instalment %d) card %s", pl.Amount, pl.Plan, pl.Instalment, simCardName(card))
	raw, err := w.sb.Pay(url, card)
	if err != nil {
		return desc, violation(invInternal, "%s: hosted page: %v", desc, err)
	}
	res, err := w.svc[year].ApplyIPN(w.ctx, raw, w.keys)
	if err != nil { // the link is fresh, the notification signed: nothing to refuse
		return desc, violation(invRule, "%s: the notification was refused: %v", desc, err)
	}
	if res.Outcome == "paid" {
		w.or.card(o.id, res.Payment, res.Amount)
	}
	return desc + " → " + res.Outcome + " " + res.Code + " " + res.Payment, nil
}

// opCheque records a manual payment: the whole of what is owed, part of it,
// more than it (with AllowCredit), or more than it without (refused).
func (w *simWorld) opCheque(st *simStudent, year string) (string, error) {
	owed := w.or.owedTotal(st.id, year)
	m := ManualPayment{StudentID: st.id, Method: []string{"cheque", "cheque", "transfer", "cash"}[w.rng.IntN(4)], Ref: fmt.Sprintf("CHQ %d", w.next())}
	kind := []string{"full", "partial", "over", "over-refused"}[w.rng.IntN(4)]
	switch {
	case kind == "full" && owed > 0:
		m.Amount = owed
	case kind == "partial" && owed > 200:
		m.Amount = money.Cents(1+w.rng.Int64N(int64(owed)/100-1)) * 100
	case kind == "over-refused":
		m.Amount = owed + money.Cents(1+w.rng.Int64N(50000))
	default:
		kind, m.AllowCredit = "over", true
		m.Amount = owed + money.Cents(1+w.rng.Int64N(500))*100
	}
	last, dup := w.lastRef[st.id], false
	switch r := w.rng.IntN(12); {
	case r == 0 && last[0] != "" && !w.or.payment(last[2]).reversed:
		m.Method, m.Ref, dup = last[0], last[1], true // the same cheque typed twice
		kind += ", same reference"
	case r == 1 && last[0] != "":
		m.Method, m.Ref, m.AllowDuplicateRef = last[0], last[1], true
		kind += ", same reference allowed"
	}
	desc := fmt.Sprintf("payment record %s %s %s %q %s (%s; owed %s)", st.id, year, m.Method, m.Ref, m.Amount, kind, owed)
	res, err := w.svc[year].RecordPayment(w.ctx, m)
	if err != nil {
		return refused(desc, err)
	}
	switch {
	case !m.AllowCredit && m.Amount > owed:
		return desc, violation(invRule, "%s: accepted without AllowCredit though it exceeds what is owed", desc)
	case dup:
		return desc, violation(invRule, "%s: accepted, the reference is already recorded (%s)", desc, last[2])
	}
	w.or.manual(st.id, year, res.Payment.Number, m.Amount)
	w.lastRef[st.id] = [3]string{m.Method, m.Ref, res.Payment.Number}
	return desc + " → " + res.Payment.Number, nil
}

// opReverse marks one of the student's payments unpaid (any method) or
// voids a manual one.
func (w *simWorld) opReverse(st *simStudent, void bool) (string, error) {
	var cands []*orPayment
	for _, p := range w.or.payments {
		if p.student == st.id && !p.reversed && p.refunded == 0 && (!void || !p.card) {
			cands = append(cands, p)
		}
	}
	if len(cands) == 0 {
		return "unpaid/void " + st.id + simNothing, nil
	}
	p := cands[w.rng.IntN(len(cands))]
	var err error
	desc := "payment unpaid " + p.number
	if void {
		desc = "payment void " + p.number
		_, err = w.svc[simNew].VoidPayment(w.ctx, p.number, "saisie en double")
	} else {
		_, err = w.svc[simNew].Unpaid(w.ctx, p.number, "rejet bancaire")
	}
	if err != nil {
		return refused(desc, err)
	}
	if !void { // an unpaid blocks every order the payment had paid part of
		for _, inv := range w.or.invoices {
			if p.alloc[inv] > 0 {
				if err := w.noteOrder(mail.OrderBlocked, st.id, inv.order.id, func(o string) string { return whatBlocked(o, p.number) }); err != nil {
					return desc, err
				}
			}
		}
	}
	w.or.reverse(p.number)
	return desc, nil
}

// opRefund refunds part of a payment's free part; with nothing to refund it
// asks anyway, and that must be refused.
func (w *simWorld) opRefund(st *simStudent, _ string) (string, error) {
	credit := w.or.credit(st.id)
	r := RefundRequest{StudentID: st.id, Reason: "trop-perçu", Amount: 10000, Now: w.clk.Now()}
	var cands []*orPayment
	for _, p := range w.or.payments {
		if p.student == st.id && !p.reversed && p.free() > 0 {
			cands = append(cands, p)
		}
	}
	if len(cands) > 0 && credit > 0 {
		p := cands[w.rng.IntN(len(cands))]
		r.Payment, r.Amount = p.number, min(p.free(), credit)
		if w.rng.IntN(2) == 0 {
			r.Amount = 1 + money.Cents(w.rng.Int64N(int64(r.Amount)))
		}
	}
	desc := fmt.Sprintf("refund %s %s --payment %q (credit %s)", st.id, r.Amount, r.Payment, credit)
	if _, err := w.svc[simNew].Refund(w.ctx, w.gw, r); err != nil {
		return refused(desc, err)
	}
	if r.Amount > credit || r.Payment == "" {
		return desc, violation(invRule, "%s: accepted, more than the student's credit", desc)
	}
	w.or.refund(r.Payment, r.Amount)
	return desc, nil
}
