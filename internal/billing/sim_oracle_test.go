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
type simOracle struct {
	orders   map[int64]*orOrder
	current  map[[2]string]*orOrder // (student, year) → its current order
	invoices []*orInvoice           // in issue order: "oldest first"
	payments []*orPayment           // in recording order: "newest first" reversed
	refunds  map[string]money.Cents // by student
	payer    map[[2]string]bool     // (student, year) whose orders a third party pays
	// notices are the e-mail notices the events give (sim_notices_test.go).
	notices []orNotice
}

type orOrder struct {
	id                  int64
	student, year, code string
	ttc                 money.Cents
	inv                 *orInvoice
	superseded          bool
}

type orInvoice struct {
	order         *orOrder
	number        string // production's, learnt after the fact
	ttc, credited money.Cents
}

type orPayment struct {
	number, student string
	amount          money.Cents
	card, reversed  bool
	refunded        money.Cents
	alloc           map[*orInvoice]money.Cents
	peak            map[[2]string]money.Cents // by (student, year): the most it ever paid of that dossier
	only            *orOrder                  // a payer's transfer: the one order it may pay
}

func newSimOracle() *simOracle {
	return &simOracle{orders: map[int64]*orOrder{}, current: map[[2]string]*orOrder{}, refunds: map[string]money.Cents{}, payer: map[[2]string]bool{}}
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

// owed is what order o still owes.
func (or *simOracle) owed(o *orOrder) money.Cents {
	if o == nil {
		return 0
	}
	if o.inv == nil {
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
		if inv.order.student == student && (cur == nil || inv.order != cur) && !or.financed(inv.order) {
			sum += max(or.due(inv), 0)
		}
	}
	return sum
}

// figures are Débit, Crédit, Solde of SPEC §8.
func (or *simOracle) figures(student string) (debit, credit money.Cents) {
	for _, inv := range or.invoices {
		if inv.order.student == student {
			debit += inv.ttc
			credit += inv.credited
		}
	}
	for _, p := range or.payments {
		if p.student == student && !p.reversed {
			credit += p.amount
		}
	}
	return debit + or.refunds[student], credit
}

func (or *simOracle) invoice(o *orOrder) {
	if o.inv == nil && o.ttc > 0 && !o.superseded {
		o.inv = &orInvoice{order: o, ttc: o.ttc}
		or.invoices = append(or.invoices, o.inv)
	}
}

// financed: a third party pays o (SPEC §4: none of the student's money).
func (or *simOracle) financed(o *orOrder) bool {
	return o != nil && or.payer[[2]string{o.student, o.year}]
}

// mayPay: a payer's transfer pays its order only; a student's money never
// pays a financed order.
func (or *simOracle) mayPay(p *orPayment, inv *orInvoice) bool {
	if p.only != nil {
		return inv.order == p.only
	}
	return inv.order.student == p.student && !or.financed(inv.order)
}

// give allocates what is free of p to invs, in that order.
func (or *simOracle) give(p *orPayment, invs []*orInvoice) {
	for _, inv := range invs {
		if take := min(p.free(), or.due(inv)); take > 0 && or.mayPay(p, inv) {
			p.alloc[inv] += take
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
	old := cur.inv
	for _, p := range or.payments {
		delete(p.alloc, old) // the credit note releases them all
	}
	old.credited = old.ttc
	cur.superseded = true
	o := &orOrder{id: id, student: student, year: year, code: code, ttc: ttc}
	or.current[k], or.orders[id] = o, o
	or.invoice(o)
	// What credit notes of this dossier took off a payment since its peak
	// there follows it, oldest payment first, as far as it is still free.
	if o.inv != nil {
		for _, p := range or.payments {
			if p.reversed {
				continue
			}
			if p.only != nil && (p.only.student != o.student || p.only.year != o.year) {
				continue // another dossier's payer
			}
			if (p.only != nil) != or.financed(o) {
				continue // the payer's money pays its order only, the student's never a financed one
			}
			if p.only != nil {
				p.only = o // the payer's transfer follows its dossier to the new order
			}
			lost := p.peak[k] - p.net(k)
			if take := min(lost, p.free(), or.due(o.inv)); take > 0 {
				p.alloc[o.inv] += take
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
	case o == nil || or.financed(o):
		return 0 // a financed order is not exempted
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
