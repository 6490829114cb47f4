package billing

import (
	"slices"

	"github.com/inpctl/inpctl/internal/mail"

	"github.com/inpctl/inpctl/internal/money"
)

// The oracle of the ledger simulation (sim_test.go): an independent model,
// in a few dozen lines, of what each order owes. It never calls billing's
// owed or plan functions: it follows the rules of SPEC §3–§7 and of
// docs/decisions.md ("What an order owes", issue 16) from the operations the
// simulation ran, and takes from production only identities (order ids,
// document numbers) and the amounts a gateway or a clerk moved.
//
//   - owed(order) = its TTC while not invoiced; once invoiced, invoiced TTC −
//     credit notes − money allocated to it (payments less reversals).
//   - A manual payment goes to the named dossier's invoice first, then the student's open invoices, oldest first; a
//     card payment (debit or hosted page) to the order it pays first (issue
//     16: "debits and payments settle the instalments of the plan they pay,
//     whatever its year"), then the other open invoices; the rest is credit.
//   - A credit note releases what was paid beyond the new net, newest payment
//     first; a code change after invoicing cancels the invoice and moves to
//     the new invoice, up to its TTC, oldest payment first, what each
//     payment lost on the dossier since its peak there, as far as it is
//     still free (an excess accepted as a credit stays one).
//   - An unpaid or a void takes back everything the payment had allocated.
//   - A payer with a share (set-payer --share, above 0 and below the TTC)
//     splits the order in two invoices, the student's part (TTC − share)
//     then the payer's (the share): the student's money pays the first only,
//     the payer's the second only; plans and debits are for the student's
//     part, and the student's figures leave the payer's part out.
type simOracle struct {
	orders   map[int64]*orOrder
	current  map[[2]string]*orOrder    // (student, year) → its current order
	invoices []*orInvoice              // in issue order: "oldest first"
	payments []*orPayment              // in recording order: "newest first" reversed
	refunds  map[string]money.Cents    // by student
	payer    map[[2]string]bool        // (student, year) whose orders a third party pays
	share    map[[2]string]money.Cents // its share (0: the whole order)
	// notices are the e-mail notices the events give (sim_notices_test.go).
	notices []orNotice
}

type orOrder struct {
	id                  int64
	student, year, code string
	ttc                 money.Cents
	inv                 *orInvoice // the whole, or the student's part
	pinv                *orInvoice // the payer's part of an order invoiced in two
	superseded          bool
}

type orInvoice struct {
	order         *orOrder
	number        string // production's, learnt after the fact
	ttc, credited money.Cents
	payer         bool // the payer's part
	toPayer       bool // addressed to the payer (its part, or a whole order it pays)
}

type orPayment struct {
	number, student string
	amount          money.Cents
	card, reversed  bool
	refunded        money.Cents
	alloc           map[*orInvoice]money.Cents
	peak            map[[2]string]money.Cents // by (student, year): the most it ever paid of that dossier
	only            *orOrder                  // a payer's transfer: the one order it may pay
	toPart          bool                      // a payer's transfer that went to a payer's part (not in the student's figures)
}

func newSimOracle() *simOracle {
	return &simOracle{orders: map[int64]*orOrder{}, current: map[[2]string]*orOrder{}, refunds: map[string]money.Cents{}, payer: map[[2]string]bool{},
		share: map[[2]string]money.Cents{}}
}

func (or *simOracle) allocated(inv *orInvoice) (sum money.Cents) {
	for _, p := range or.payments {
		sum += p.alloc[inv]
	}
	return sum
}

func (or *simOracle) due(inv *orInvoice) money.Cents {
	return inv.ttc - inv.credited - or.allocated(inv)
}

// owed is what the student still owes of order o: all of it, the rest of
// a payer's share, nothing of an order a payer pays whole.
func (or *simOracle) owed(o *orOrder) money.Cents {
	switch {
	case o == nil || or.financed(o):
		return 0
	case o.inv == nil && or.shared(o):
		return o.ttc - or.share[[2]string{o.student, o.year}]
	case o.inv == nil:
		return o.ttc
	}
	return or.due(o.inv)
}

// owedPayer is what the payer still owes of order o: its share, or all of
// an order it pays whole.
func (or *simOracle) owedPayer(o *orOrder) money.Cents {
	switch {
	case o == nil:
		return 0
	case or.shared(o) && o.pinv != nil:
		return or.due(o.pinv)
	case or.shared(o):
		return or.share[[2]string{o.student, o.year}]
	case !or.financed(o):
		return 0
	case o.inv == nil:
		return o.ttc
	}
	return or.due(o.inv)
}

func (p *orPayment) free() money.Cents {
	left := p.amount - p.refunded
	for _, a := range p.alloc {
		left -= a
	}
	return left
}

// net is what p pays now of the invoices of dossier k.
func (p *orPayment) net(k [2]string) (sum money.Cents) {
	for inv, a := range p.alloc {
		if inv.order.student == k[0] && inv.order.year == k[1] {
			sum += a
		}
	}
	return sum
}

// track keeps p's peak on o's dossier after money was allocated to it.
func (p *orPayment) track(o *orOrder) {
	k := [2]string{o.student, o.year}
	p.peak[k] = max(p.peak[k], p.net(k))
}

// credit is the student's money not allocated nor refunded.
func (or *simOracle) credit(student string) (sum money.Cents) {
	for _, p := range or.payments {
		if p.student == student && !p.reversed {
			sum += p.free()
		}
	}
	return sum
}

// owedTotal is what a clerk's payment for (student, year) may cover: the
// current order of the year and every other open invoice of the student.
func (or *simOracle) owedTotal(student, year string) money.Cents {
	cur := or.current[[2]string{student, year}]
	if or.financed(cur) {
		return 0 // refused: the student cannot pay it
	}
	sum := or.owed(cur)
	for _, inv := range or.invoices {
		if inv.order.student == student && (cur == nil || inv.order != cur) && !inv.payer && !or.financed(inv.order) {
			sum += max(or.due(inv), 0)
		}
	}
	return sum
}

// figures are Débit, Crédit, Solde of SPEC §8.
func (or *simOracle) figures(student string) (debit, credit money.Cents) {
	for _, inv := range or.invoices {
		if inv.order.student == student && !inv.payer {
			debit += inv.ttc
			credit += inv.credited
		}
	}
	for _, p := range or.payments {
		if p.student == student && !p.reversed && !p.toPart {
			credit += p.amount
		}
	}
	return debit + or.refunds[student], credit
}

func (or *simOracle) invoice(o *orOrder) {
	if o.inv != nil || o.ttc <= 0 || o.superseded {
		return
	}
	if or.shared(o) {
		share := or.share[[2]string{o.student, o.year}]
		o.inv = &orInvoice{order: o, ttc: o.ttc - share}
		o.pinv = &orInvoice{order: o, ttc: share, payer: true, toPayer: true}
		or.invoices = append(or.invoices, o.inv, o.pinv)
		return
	}
	o.inv = &orInvoice{order: o, ttc: o.ttc, toPayer: or.financed(o)}
	or.invoices = append(or.invoices, o.inv)
}

// financed: a third party pays the whole of o (SPEC §4: none of the
// student's money).
func (or *simOracle) financed(o *orOrder) bool {
	return o != nil && or.payer[[2]string{o.student, o.year}] && !or.shared(o)
}

// shared: a payer pays a share of o, the student the rest.
func (or *simOracle) shared(o *orOrder) bool {
	if o == nil {
		return false
	}
	k := [2]string{o.student, o.year}
	return or.payer[k] && or.share[k] > 0 && or.share[k] < o.ttc
}

// payersToPay: inv is the payer's (its part, or a whole order it pays).
func (or *simOracle) payersToPay(inv *orInvoice) bool {
	return inv.payer || inv.order.pinv == nil && or.financed(inv.order)
}

// mayPay: a payer's transfer pays its part of its order only; a student's
// money never pays what a payer pays.
func (or *simOracle) mayPay(p *orPayment, inv *orInvoice) bool {
	if p.only != nil {
		return inv.order == p.only && or.payersToPay(inv)
	}
	return inv.order.student == p.student && !or.payersToPay(inv)
}

// give allocates what is free of p to invs, in that order.
func (or *simOracle) give(p *orPayment, invs []*orInvoice) {
	for _, inv := range invs {
		if take := min(p.free(), or.due(inv)); take > 0 && or.mayPay(p, inv) {
			p.alloc[inv] += take
			p.toPart = p.toPart || inv.payer
			p.track(inv.order)
		}
	}
}

func (or *simOracle) pay(student, number string, amount money.Cents, card bool, first *orOrder) {
	or.newPayment(student, number, amount, card, first, nil)
}

// payerPay records the payer's transfer for (student, year)'s order.
func (or *simOracle) payerPay(student, year, number string, amount money.Cents) {
	o := or.current[[2]string{student, year}]
	or.invoice(o)
	or.newPayment(student, number, amount, false, o, o)
}

func (or *simOracle) newPayment(student, number string, amount money.Cents, card bool, first, only *orOrder) {
	p := &orPayment{only: only, number: number, student: student, amount: amount, card: card, alloc: map[*orInvoice]money.Cents{}, peak: map[[2]string]money.Cents{}}
	or.payments = append(or.payments, p)
	if only == nil { // a payer's transfer: the receipt is the payer's
		or.notice(mail.PaymentReceived, student, whatPayment(number, amount))
	}
	if first != nil && first.inv != nil {
		or.give(p, []*orInvoice{first.inv})
	}
	or.give(p, or.invoices)
}

// manual records a cheque, transfer or cash payment for (student, year).
func (or *simOracle) manual(student, year, number string, amount money.Cents) {
	cur := or.current[[2]string{student, year}]
	if cur != nil {
		or.invoice(cur)
	}
	// The dossier the clerk named is paid first (docs/decisions.md).
	or.pay(student, number, amount, false, cur)
}

// card records money Paybox took for order id.
func (or *simOracle) card(id int64, number string, amount money.Cents) {
	o := or.orders[id]
	or.invoice(o)
	or.pay(o.student, number, amount, true, o)
}

// setCode gives (student, year) an order of ttc; it reports whether the
// old order was invoiced (and so cancelled by a credit note and replaced).
func (or *simOracle) setCode(student, year, code string, id int64, ttc money.Cents) bool {
	k := [2]string{student, year}
	cur := or.current[k]
	if cur == nil || cur.inv == nil {
		if cur != nil {
			delete(or.orders, cur.id)
		}
		o := &orOrder{id: id, student: student, year: year, code: code, ttc: ttc}
		or.current[k], or.orders[id] = o, o
		return false
	}
	for _, old := range []*orInvoice{cur.inv, cur.pinv} {
		if old == nil {
			continue
		}
		for _, p := range or.payments {
			delete(p.alloc, old) // the credit note releases them all
		}
		old.credited = old.ttc
	}
	cur.superseded = true
	o := &orOrder{id: id, student: student, year: year, code: code, ttc: ttc}
	or.current[k], or.orders[id] = o, o
	or.invoice(o)
	// What credit notes of this dossier took off a payment since its peak
	// there follows it, oldest payment first, as far as it is still free.
	for _, inv := range []*orInvoice{o.inv, o.pinv} {
		if inv == nil {
			continue
		}
		for _, p := range or.payments {
			if p.reversed {
				continue
			}
			if p.only != nil && (p.only.student != o.student || p.only.year != o.year) {
				continue // another dossier's payer
			}
			if (p.only != nil) != or.payersToPay(inv) {
				continue // the payer's money pays its part only, the student's never the payer's
			}
			if p.only != nil {
				p.only = o // the payer's transfer follows its dossier to the new order
			}
			lost := p.peak[k] - p.net(k)
			if take := min(lost, p.free(), or.due(inv)); take > 0 {
				p.alloc[inv] += take
				p.toPart = p.toPart || inv.payer
				p.track(o)
			}
		}
	}
	return true
}

// creditNote issues a credit note of amount on inv: what was paid beyond
// the new net is released, newest payment first.
func (or *simOracle) creditNote(inv *orInvoice, amount money.Cents) {
	inv.credited += amount
	over := or.allocated(inv) - (inv.ttc - inv.credited)
	for _, p := range slices.Backward(or.payments) {
		if over <= 0 {
			break
		}
		take := min(p.alloc[inv], over)
		p.alloc[inv] -= take
		over -= take
	}
}

// exemptDiff is what an exemption of (student, year)'s order to tariff
// takes off (≤ 0: nothing to exempt, it must be refused).
func (or *simOracle) exemptDiff(student, year string, tariff money.Cents) money.Cents {
	switch o := or.current[[2]string{student, year}]; {
	case o == nil || or.financed(o) || or.shared(o):
		return 0 // a financed order, or one a payer shares, is not exempted
	case o.inv == nil:
		return o.ttc - tariff
	default:
		return o.inv.ttc - o.inv.credited - tariff
	}
}

// exempt brings (student, year)'s order down by diff: a credit note once
// invoiced, the order re-priced before.
func (or *simOracle) exempt(student, year string, diff money.Cents) {
	o := or.current[[2]string{student, year}]
	if o.inv == nil {
		o.ttc -= diff
		return
	}
	or.creditNote(o.inv, diff)
}

func (or *simOracle) payment(number string) *orPayment {
	for _, p := range or.payments {
		if p.number == number {
			return p
		}
	}
	return nil
}

// reverse is an unpaid or a void: the payment's allocations are taken back.
func (or *simOracle) reverse(number string) {
	p := or.payment(number)
	p.reversed, p.alloc = true, map[*orInvoice]money.Cents{}
}

func (or *simOracle) refund(number string, amount money.Cents) {
	p := or.payment(number)
	p.refunded += amount
	or.refunds[p.student] += amount
	or.notice(mail.Refund, p.student, whatPayment(number, amount))
}

// paid is the money allocated to order o's invoices (both parts).
func (or *simOracle) paid(o *orOrder) (sum money.Cents) {
	for _, inv := range []*orInvoice{o.inv, o.pinv} {
		if inv != nil {
			sum += or.allocated(inv)
		}
	}
	return sum
}

// creditable is what is left to cancel on each invoice of order o (the
// whole, or the student's part then the payer's): what a re-invoicing's
// credit notes cancel.
func (or *simOracle) creditable(o *orOrder) []money.Cents {
	var out []money.Cents
	if o == nil {
		return out
	}
	for _, inv := range []*orInvoice{o.inv, o.pinv} {
		if inv != nil {
			out = append(out, inv.ttc-inv.credited)
		}
	}
	return out
}

// credited is what credit notes cancelled of order o's invoices.
func (or *simOracle) credited(o *orOrder) (sum money.Cents) {
	for _, inv := range []*orInvoice{o.inv, o.pinv} {
		if inv != nil {
			sum += inv.credited
		}
	}
	return sum
}
