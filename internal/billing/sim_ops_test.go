package billing

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/gateway/sandbox"
	"github.com/inpctl/inpctl/internal/mail"
	"github.com/inpctl/inpctl/internal/money"
	"github.com/inpctl/inpctl/internal/store"
)

// The operations of the ledger simulation: each is one direct Service call
// (what one inpctl command does), then the oracle learns what it did.
type simOp struct {
	name   string
	weight int
	run    func(w *simWorld, st *simStudent, year string) (string, error)
}

// simOps: the first one (set-code) is also what a student without an order
// gets most of the time.
var simOps = []simOp{
	{"set-code", 5, (*simWorld).opSetCode},
	{"flow", 60, (*simWorld).opFlow},
	{"validate", 1, func(w *simWorld, st *simStudent, y string) (string, error) {
		_, err := w.svc[y].Validate(w.ctx, st.id)
		return simDone("validate "+st.id+" "+y, err)
	}},
	{"request", 3, (*simWorld).opRequest},
	{"approve", 3, (*simWorld).opApprove},
	{"reject", 1, (*simWorld).opReject},
	{"cancel", 2, func(w *simWorld, st *simStudent, y string) (string, error) {
		_, err := w.svc[y].CancelPlan(w.ctx, st.id, "l'étudiant choisit un autre échéancier")
		return simDone("schedule cancel "+st.id+" "+y, err)
	}},
	{"unblock", 3, func(w *simWorld, st *simStudent, y string) (string, error) {
		return simDone("schedule unblock "+st.id+" "+y, w.svc[y].Unblock(w.ctx, st.id, "carte vue au guichet"))
	}},
	{"pay", 5, (*simWorld).opPay},
	{"cheque", 7, (*simWorld).opCheque},
	{"unpaid", 3, func(w *simWorld, st *simStudent, _ string) (string, error) { return w.opReverse(st, false) }},
	{"void", 2, func(w *simWorld, st *simStudent, _ string) (string, error) { return w.opReverse(st, true) }},
	{"refund", 3, (*simWorld).opRefund},
	{"refund-lost", 2, (*simWorld).opRefundLost},
	{"charge-lost", 2, (*simWorld).opChargeLost},
	{"exempt", 3, (*simWorld).opExempt},
	{"credit-note", 2, (*simWorld).opCreditNote},
	{"invoice", 1, (*simWorld).opInvoice},
	{"set-payer", 3, func(w *simWorld, st *simStudent, y string) (string, error) { return w.opSetPayer(st, y, false) }},
	{"set-payer-share", 3, func(w *simWorld, st *simStudent, y string) (string, error) { return w.opSetPayer(st, y, true) }},
	{"payer-transfer", 3, (*simWorld).opPayerTransfer},
	{"cron", 8, func(w *simWorld, _ *simStudent, _ string) (string, error) { return w.opCron() }},
	{"retry", 4, func(w *simWorld, _ *simStudent, _ string) (string, error) {
		w.clk.now = w.clk.now.AddDate(0, 0, []int{3, 7}[w.rng.IntN(2)])
		return w.charge("")
	}},
	{"wait", 1, func(w *simWorld, _ *simStudent, _ string) (string, error) {
		w.clk.now = w.clk.now.AddDate(0, 0, 1+w.rng.IntN(12))
		return "wait" + simNothing, nil
	}},
	{"charge-id", 3, func(w *simWorld, st *simStudent, _ string) (string, error) { return w.charge(st.id) }},
}

// opFlow is the student's next step as the guide tells it: a code, a plan,
// its approval, the first payment, the monthly debits.
func (w *simWorld) opFlow(st *simStudent, year string) (string, error) {
	o := w.cur(st, year)
	if o == nil {
		return w.opSetCode(st, year)
	}
	if d, err := w.db.Dossier(w.ctx, st.id, year); err == nil {
		if cur, ok, err := w.db.OrderOf(w.ctx, d.ID); err == nil && ok && cur.BlockedReason != "" {
			if w.rng.IntN(2) == 0 {
				return simDone("schedule unblock "+st.id+" "+year, w.svc[year].Unblock(w.ctx, st.id, "l'étudiant a approvisionné son compte"))
			}
			st.card = simCards[w.rng.IntN(len(simCards))] // a new card on the hosted page
			return w.opPay(st, year)
		}
	}
	p, err := w.svc[year].Plan(w.ctx, st.id)
	switch r := w.rng.IntN(10); {
	case err != nil || p.OrderID != o.id || p.Status == "rejected" || p.Status == "cancelled":
		return w.opRequest(st, year)
	case p.Status == "requested" && r == 0:
		return w.opReject(st, year)
	case p.Status == "requested":
		return w.opApprove(st, year)
	case p.Status == "approved":
		return w.opPay(st, year)
	case p.Status == "active" && r < 6:
		return w.opCron()
	case p.Status == "active" && r < 8:
		w.clk.now = w.clk.now.AddDate(0, 0, []int{3, 7}[w.rng.IntN(2)])
		return w.charge("")
	case p.Status == "active":
		return w.opCheque(st, year)
	}
	return w.opCron() // completed: the year goes on
}

func (w *simWorld) opRequest(st *simStudent, year string) (string, error) {
	plans := []string{"1x", "3x", "3x", "3x", "5x"} // 5x is for orders above 1 000,00 €
	if o := w.cur(st, year); o != nil && o.ttc > 100000 {
		plans = []string{"1x", "3x", "3x", "5x", "5x", "5x"}
	}
	plan := plans[w.rng.IntN(len(plans))]
	_, err := w.svc[year].RequestPlan(w.ctx, PlanRequest{StudentID: st.id, Plan: plan})
	return simDone("schedule request "+st.id+" "+year+" "+plan, err)
}

func (w *simWorld) opApprove(st *simStudent, year string) (string, error) {
	res, refusals, err := w.svc[year].ApprovePlans(w.ctx, []string{st.id})
	if err == nil && len(refusals) > 0 {
		err = refusals[0]
	}
	desc := "schedule approve " + st.id + " " + year
	if err != nil {
		return refused(desc, err)
	}
	for _, p := range res.Plans { // approved, with a warning or not: its notice is queued
		if err := w.noteOrder(mail.PlanApproved, st.id, w.cur(st, year).id, func(o string) string { return whatPlan(o, p.Plan) }); err != nil {
			return desc, err
		}
	}
	return desc, nil
}

func (w *simWorld) opReject(st *simStudent, year string) (string, error) {
	desc := "schedule reject " + st.id + " " + year
	p, err := w.svc[year].RejectPlan(w.ctx, st.id, "pièces manquantes")
	if err != nil {
		return refused(desc, err)
	}
	return desc, w.noteOrder(mail.PlanRejected, st.id, w.cur(st, year).id, func(o string) string { return whatPlan(o, p.Plan) })
}

// opCron is the cron of the 10th: the clock goes to the next 10th, and
// charge --due runs.
func (w *simWorld) opCron() (string, error) {
	d := w.today()
	next := clock.NewDate(d.Year, d.Month, 10)
	if d.Day >= 10 {
		next = clock.NewDate(d.Year, d.Month+1, 10)
	}
	w.clk.now = next.Time(w.loc).Add(9 * time.Hour)
	return w.charge("")
}

func simDone(desc string, err error) (string, error) {
	if err != nil {
		return refused(desc, err)
	}
	return desc, nil
}

func (w *simWorld) cur(st *simStudent, year string) *orOrder {
	return w.or.current[[2]string{st.id, year}]
}

func (w *simWorld) opSetCode(st *simStudent, year string) (string, error) {
	// 01 and 05 most of the time; 02 (bourse), 07 and 14 now and then.
	codes := []string{"01", "01", "01", "05", "05", "05", "02", "02", "07", "14"}
	code := codes[w.rng.IntN(len(codes))]
	for o := w.cur(st, year); o != nil && o.code == code; {
		code = codes[w.rng.IntN(len(codes))]
	}
	c := CodeChange{StudentID: st.id, Code: code, Reason: "changement de situation"}
	if code == "02" || code == "07" {
		c.Proof = fmt.Sprintf("attestation %d", w.next())
	}
	desc := fmt.Sprintf("set-code %s %s %s --reason", st.id, year, code)
	res, err := w.svc[year].SetCode(w.ctx, c)
	if err != nil {
		return refused(desc, err)
	}
	ttc := simTariffs[year][code]
	creditable := w.or.creditable(w.cur(st, year)) // what a code change's credit notes cancel
	if res.Order.TTC != ttc {
		return desc, violation(invRule, "%s: order of %s, the tariff is %s", desc, res.Order.TTC, ttc)
	}
	if re := w.or.setCode(st.id, year, code, res.Order.ID, ttc); re != (res.Reinvoiced != nil) {
		return desc, violation(invRule, "%s: re-invoiced %v, the old order was invoiced: %v", desc, res.Reinvoiced != nil, re)
	}
	if res.Reinvoiced != nil {
		desc += fmt.Sprintf(" → re-invoiced, %s moved, credit %s", res.Reinvoiced.Moved, res.Reinvoiced.Credit)
		if err := w.reinvoiceNotice(desc, st.id, res.Reinvoiced, creditable); err != nil {
			return desc, err
		}
	}
	return desc, nil
}

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

func (w *simWorld) opExempt(st *simStudent, year string) (string, error) {
	diff := w.or.exemptDiff(st.id, year, simTariffs[year]["01"])
	desc := fmt.Sprintf("schedule exempt %s %s (oracle: %s off)", st.id, year, diff)
	decision := fmt.Sprintf("CE-%d", w.next())
	ex, err := w.svc[year].Exempt(w.ctx, st.id, decision)
	switch {
	case err == nil && diff <= 0:
		return desc, violation(invRule, "%s: accepted, the order costs no more than the exempted tariff", desc)
	case err != nil && diff > 0:
		d, verr := refused(desc, err)
		if verr == nil {
			verr = violation(invRule, "%s: refused though the order costs %s more than the exempted tariff", d, diff)
		}
		return d, verr
	case err != nil:
		return refused(desc, err)
	}
	o := w.cur(st, year)
	var credited money.Cents // an invoiced order gets a credit note of diff; before, it is re-priced
	if o.inv != nil {
		credited = diff
	}
	desc += fmt.Sprintf(" → credit note %s %s, %d cancelled, credit %s", ex.CreditNote, ex.Credited, ex.Cancelled, ex.Credit)
	if (ex.CreditNote != "") != (o.inv != nil) {
		return desc, violation(invRule, "%s: credit note %q, the order was invoiced: %v", desc, ex.CreditNote, o.inv != nil)
	}
	w.or.exempt(st.id, year, diff)
	return desc, w.noteOrder(mail.Exemption, st.id, o.id, func(num string) string { return whatExemption(num, decision, ex.CreditNote, credited) })
}

// opCreditNote issues a partial credit note on the current invoice.
func (w *simWorld) opCreditNote(st *simStudent, year string) (string, error) {
	o := w.cur(st, year)
	if o == nil || o.inv == nil || o.inv.ttc-o.inv.credited <= 200 {
		return "invoice credit-note " + st.id + " " + year + simNothing, nil
	}
	inv, number := o.inv, ""
	invs, err := w.db.ListInvoices(w.ctx, store.InvoiceFilter{StudentID: st.id})
	for _, i := range invs {
		if i.OrderID == o.id && i.Part != partPayer {
			number = i.Number
		}
	}
	if err != nil || number == "" {
		return "invoice credit-note", violation(invRule, "%s %s: the invoice of order %d is not in the store (%v)", st.id, year, o.id, err)
	}
	amount := money.Cents(1+w.rng.Int64N(int64(inv.ttc-inv.credited)/100-1)) * 100
	desc := fmt.Sprintf("invoice credit-note %s %s", number, amount)
	cn, err := w.svc[year].IssueCreditNote(w.ctx, number, amount, "geste commercial")
	if err != nil {
		return refused(desc, err)
	}
	w.or.creditNote(inv, amount)
	w.or.notice(mail.CreditNote, st.id, whatCreditNote(cn.Number, number, amount))
	return desc, nil
}

func (w *simWorld) opInvoice(st *simStudent, year string) (string, error) {
	desc := "invoice issue " + st.id + " " + year
	inv, err := w.svc[year].IssueInvoice(w.ctx, st.id)
	if err != nil {
		return refused(desc, err)
	}
	if o := w.cur(st, year); o == nil || o.inv != nil || inv.TTC != o.ttc {
		return desc, violation(invRule, "%s: invoice %s of %s not expected", desc, inv.Number, inv.TTC)
	}
	w.or.invoice(w.cur(st, year))
	return desc + " → " + inv.Number, nil
}

// opSetPayer names a company as the payer of the dossier's order, for the
// whole of it or, withShare, a share (set-payer --share; one in four at or
// above the TTC, refused): refused unless nothing is paid on it and it has
// no plan (the sim checks the first; production knows the plans).
func (w *simWorld) opSetPayer(st *simStudent, year string, withShare bool) (string, error) {
	o, k := w.cur(st, year), [2]string{st.id, year}
	desc := "dossier set-payer " + st.id + " " + year
	if w.rng.IntN(2) == 0 {
		// The clerk follows the refusal's hint: the student's plan, with
		// nothing paid on it, is cancelled first (refused otherwise).
		if _, err := w.svc[year].CancelPlan(w.ctx, st.id, "financement par l'entreprise"); err == nil {
			desc = "schedule cancel + " + desc
		}
	}
	var share money.Cents
	switch r := w.rng.IntN(4); {
	case o == nil || o.ttc <= 200 || !withShare:
	case r > 0:
		share = money.Cents(1+w.rng.Int64N(int64(o.ttc)/100-1)) * 100
	default:
		share = o.ttc + money.Cents(w.rng.Int64N(2))*100
	}
	if share > 0 {
		desc += " --share " + share.String()
	}
	res, err := w.svc[year].SetPayer(w.ctx, PayerInput{StudentID: st.id, Name: "Exemple Formation SAS", SIRET: "41200123210004", PORef: fmt.Sprintf("BC-%d", w.next()), Share: share})
	if err != nil {
		return refused(desc, err)
	}
	switch {
	case o == nil || o.ttc == 0:
		return desc, violation(invRule, "%s: accepted, there is no order to pay", desc)
	case share >= o.ttc:
		return desc, violation(invRule, "%s: accepted, a share not below the order's %s", desc, o.ttc)
	case o.inv != nil && (w.or.paid(o) != 0 || w.or.credited(o) != 0):
		return desc, violation(invRule, "%s: accepted, %s is paid and %s credited on the order", desc, w.or.paid(o), w.or.credited(o))
	}
	creditable := w.or.creditable(o) // what the re-addressing's credit notes cancel
	w.or.payer[k], w.or.share[k] = true, share
	shared := w.or.shared(o)
	// The invoices already say who pays what: the two parts for this share,
	// or one invoice addressed to the payer of the whole.
	as := o.inv != nil && (shared && o.pinv != nil && o.pinv.ttc == share || !shared && o.pinv == nil && o.inv.toPayer)
	if re := o.inv != nil && !as; re != (res.Reinvoiced != nil) {
		return desc, violation(invRule, "%s: re-addressed %v, expected %v", desc, res.Reinvoiced != nil, re)
	}
	if res.Reinvoiced != nil {
		d, err := w.db.Dossier(w.ctx, st.id, year)
		if err != nil {
			return desc, violation(invInternal, "%s: %v", desc, err)
		}
		no, _, err := w.db.OrderOf(w.ctx, d.ID)
		if err != nil {
			return desc, violation(invInternal, "%s: %v", desc, err)
		}
		w.or.setCode(st.id, year, o.code, no.ID, o.ttc)
		desc += " → re-addressed, invoice " + res.Reinvoiced.NewInvoice
		if err := w.reinvoiceNotice(desc, st.id, res.Reinvoiced, creditable); err != nil {
			return desc, err
		}
		return desc, nil
	}
	if want := o.inv == nil && shared; want != (len(res.Invoices) == 2) {
		return desc, violation(invRule, "%s: invoices %v issued, expected the two parts: %v", desc, res.Invoices, want)
	}
	if len(res.Invoices) > 0 {
		w.or.invoice(o)
		desc += " → invoices " + strings.Join(res.Invoices, ", ")
	}
	return desc, nil
}

// opPayerTransfer records the payer's transfer (payment record --payer):
// all of what the order owes, part of it, or more (refused).
func (w *simWorld) opPayerTransfer(st *simStudent, year string) (string, error) {
	// Most of the time a dossier that has a payer (in a fixed order, so
	// that a seed replays), else the one drawn (refused).
	if ks := slices.SortedFunc(maps.Keys(w.or.payer), func(a, b [2]string) int { return strings.Compare(a[0]+a[1], b[0]+b[1]) }); len(ks) > 0 && w.rng.IntN(4) > 0 {
		k := ks[w.rng.IntN(len(ks))]
		year = k[1]
		for _, s := range w.students {
			if s.id == k[0] {
				st = s
			}
		}
	}
	o, k := w.cur(st, year), [2]string{st.id, year}
	owed := w.or.owedPayer(o)
	m := ManualPayment{StudentID: st.id, Method: "transfer", Ref: fmt.Sprintf("VIR %d", w.next()), Payer: true}
	kind := []string{"full", "partial", "over"}[w.rng.IntN(3)]
	switch {
	case kind == "partial" && owed > 200:
		m.Amount = money.Cents(1+w.rng.Int64N(int64(owed)/100-1)) * 100
	case kind == "over" || owed <= 0:
		kind, m.Amount = "over", max(owed, 0)+money.Cents(1+w.rng.Int64N(500))*100
	default:
		kind, m.Amount = "full", owed
	}
	desc := fmt.Sprintf("payment record %s %s --payer %q %s (%s; owed %s)", st.id, year, m.Ref, m.Amount, kind, owed)
	res, err := w.svc[year].RecordPayment(w.ctx, m)
	if err != nil {
		return refused(desc, err)
	}
	switch {
	case !w.or.payer[k]:
		return desc, violation(invRule, "%s: accepted, the dossier has no payer", desc)
	case m.Amount > owed:
		return desc, violation(invRule, "%s: accepted, more than the order owes", desc)
	case res.Credit != 0:
		return desc, violation(invRule, "%s: a payer's transfer left a credit of %s", desc, res.Credit)
	}
	w.or.payerPay(st.id, year, res.Payment.Number, m.Amount)
	return desc + " → " + res.Payment.Number, nil
}
