package billing

import (
	"github.com/inpctl/inpctl/internal/gateway"
	"sort"
	"time"

	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/money"
	"github.com/inpctl/inpctl/internal/store"
)

// ledger indexes the rows of one student for BuildAccount.
type ledger struct {
	r             store.AccountRows
	day           string
	unpaid        map[int64]string // payment → reversal date
	orderNumber   map[int64]string
	paymentNumber map[int64]string
}

func newLedger(r store.AccountRows, day string) *ledger {
	l := &ledger{r: r, day: day, unpaid: unpaidAsOf(r, day), orderNumber: map[int64]string{}, paymentNumber: map[int64]string{}}
	for _, o := range r.Orders {
		l.orderNumber[o.ID] = o.Number
	}
	for _, p := range r.Payments {
		l.paymentNumber[p.ID] = p.Number
	}
	return l
}

// voided reports whether a payment's allocations no longer count on day
// (it was reversed as unpaid on or before it).
func (l *ledger) voided(paymentID int64, day string) bool {
	d, ok := l.unpaid[paymentID]
	return ok && d <= day
}

// allocated is what is allocated to an invoice on day, from payments not
// reversed by then.
func (l *ledger) allocated(invoiceID int64, day string) money.Cents {
	var sum money.Cents
	for _, a := range l.r.Allocations {
		if a.InvoiceID == invoiceID && a.Date <= day && !l.voided(a.PaymentID, day) {
			sum += a.Amount
		}
	}
	return sum
}

// credited is what credit notes cancelled of an invoice by day.
func (l *ledger) credited(invoiceID int64, day string) money.Cents {
	var sum money.Cents
	for _, c := range l.r.CreditNotes {
		if c.InvoiceID == invoiceID && c.Date <= day {
			sum += c.Amount
		}
	}
	return sum
}

// settledDate is the day an invoice became fully settled (credited plus
// paid reaching its TTC) and stayed so until the as-of date; "" if open.
func (l *ledger) settledDate(i store.InvoiceRow) string {
	days := []string{i.Date}
	for _, a := range l.r.Allocations {
		if a.InvoiceID == i.ID {
			days = append(days, a.Date)
		}
	}
	for _, c := range l.r.CreditNotes {
		if c.InvoiceID == i.ID {
			days = append(days, c.Date)
		}
	}
	for _, d := range l.unpaid {
		days = append(days, d)
	}
	sort.Strings(days)
	settled := ""
	for _, d := range days {
		if d > l.day {
			break
		}
		if i.TTC-l.credited(i.ID, d)-l.allocated(i.ID, d) <= 0 {
			if settled == "" {
				settled = d
			}
		} else {
			settled = ""
		}
	}
	return settled
}

// refundsByInvoice shows each refund on the invoices its money came back
// from: the allocations its payment (then any payment) had released by
// credit notes, oldest invoice first. A refund of an unallocated
// overpayment is on no invoice.
func (l *ledger) refundsByInvoice() map[int64]money.Cents {
	released := map[[2]int64]money.Cents{} // (payment, invoice) → released
	var keys [][2]int64
	for _, a := range l.r.Allocations {
		if a.Amount < 0 && a.Date <= l.day {
			k := [2]int64{a.PaymentID, a.InvoiceID}
			if _, seen := released[k]; !seen {
				keys = append(keys, k)
			}
			released[k] -= a.Amount
		}
	}
	sort.SliceStable(keys, func(x, y int) bool { return keys[x][1] < keys[y][1] })
	out := map[int64]money.Cents{}
	for _, f := range l.r.Refunds {
		if f.Date > l.day {
			continue
		}
		left := f.Amount
		for pass := 0; pass < 2 && left > 0; pass++ {
			for _, k := range keys {
				if pass == 0 && k[0] != f.PaymentID || released[k] <= 0 {
					continue
				}
				take := min(left, released[k])
				released[k] -= take
				out[k[1]] += take
				left -= take
			}
		}
	}
	return out
}

// invoiceLines builds Factures.
func (l *ledger) invoiceLines() Section[InvoiceLine, InvoiceTotals] {
	s := Section[InvoiceLine, InvoiceTotals]{Items: []InvoiceLine{}}
	refunded := l.refundsByInvoice()
	for _, i := range l.r.Invoices {
		if i.Date > l.day {
			continue
		}
		line := InvoiceLine{Date: i.Date, Number: i.Number, OrderNumber: l.orderNumber[i.OrderID], SettledDate: l.settledDate(i),
			HT: i.HT, TVA: i.TVA, TTC: i.TTC, Credited: l.credited(i.ID, l.day), Paid: l.allocated(i.ID, l.day), Refunded: refunded[i.ID],
			Payer: i.Part == partPayer}
		line.Due = due(line.TTC, line.Credited, line.Paid)
		s.Items = append(s.Items, line)
		s.Total = s.Total.add(line)
	}
	return s
}

// orderLines builds Commandes: an invoiced order is settled when its
// invoice is; a zero-amount order is settled on its date. It also returns
// the block reason of a current order.
func (l *ledger) orderLines(invoices []InvoiceLine) (Section[OrderLine, OrderTotals], string) {
	// An order invoiced in parts (a payer's share) is invoiced for the sum
	// of its parts, and settled when both are, on the later day.
	byOrder := map[string]InvoiceLine{}
	for _, i := range invoices {
		if cur, ok := byOrder[i.OrderNumber]; ok {
			i.TTC += cur.TTC
			if cur.SettledDate == "" || i.SettledDate == "" {
				i.SettledDate = ""
			} else {
				i.SettledDate = max(i.SettledDate, cur.SettledDate)
			}
		}
		byOrder[i.OrderNumber] = i
	}
	s := Section[OrderLine, OrderTotals]{Items: []OrderLine{}}
	blocked := ""
	for _, o := range l.r.Orders {
		if o.Date > l.day {
			continue
		}
		line := OrderLine{Date: o.Date, Number: o.Number, Year: o.Year, Code: o.Code, HT: o.HT, TVA: o.TVA, TTC: o.TTC, Financed: l.financed(o),
			Superseded: o.SupersededDate != "" && o.SupersededDate <= l.day}
		if inv, ok := byOrder[o.Number]; ok {
			line.Invoiced, line.SettledDate = inv.TTC, inv.SettledDate
		} else if o.TTC == 0 {
			line.SettledDate = o.Date
		}
		if o.BlockedReason == "" && o.UnblockedAt != "" && clock.DateOf(mustTime(o.UnblockedAt), time.UTC).String() <= l.day {
			line.BlockedReason = "blocage levé le " + clock.DateOf(mustTime(o.UnblockedAt), time.UTC).French() + " : " + o.UnblockReason
		}
		if o.BlockedReason != "" && (o.BlockedAt == "" || o.BlockedAt[:min(10, len(o.BlockedAt))] <= l.day) {
			line.BlockedReason = o.BlockedReason
			if !line.Superseded && blocked == "" {
				blocked = o.BlockedReason
			}
		}
		s.Items = append(s.Items, line)
		t := &s.Total
		t.HT, t.TVA, t.TTC, t.Financed, t.Invoiced = t.HT+o.HT, t.TVA+o.TVA, t.TTC+o.TTC, t.Financed+line.Financed, t.Invoiced+line.Invoiced
	}
	return s, blocked
}

// paymentLines builds Règlements.
func (l *ledger) paymentLines() Section[PaymentLine, PaymentTotals] {
	s := Section[PaymentLine, PaymentTotals]{Items: []PaymentLine{}}
	for _, p := range l.r.Payments {
		if p.Date > l.day {
			continue
		}
		line := PaymentLine{Date: p.Date, Number: p.Number, Method: p.Method, Ref: p.Ref, Amount: p.Amount, Payer: p.ThirdParty}
		if d, ok := l.unpaid[p.ID]; ok {
			line.Unpaid, line.UnpaidDate = p.Amount, d
			for _, u := range l.r.Unpaids {
				line.Voided = line.Voided || (u.PaymentID == p.ID && u.Void)
			}
		} else {
			for _, a := range l.r.Allocations {
				if a.PaymentID == p.ID && a.Date <= l.day {
					line.Allocated += a.Amount
				}
			}
		}
		s.Items = append(s.Items, line)
		t := &s.Total
		t.Amount, t.Allocated, t.Unpaid = t.Amount+line.Amount, t.Allocated+line.Allocated, t.Unpaid+line.Unpaid
	}
	return s
}

// plan returns the current plan and the debits still to come on it.
func (l *ledger) plan() (*PlanLine, []ComingDebit) {
	current := map[int64]string{}
	blocked := map[int64]bool{}
	for _, o := range l.r.Orders {
		if o.Date <= l.day && (o.SupersededDate == "" || o.SupersededDate > l.day) {
			current[o.ID] = o.Number
			blocked[o.ID] = o.BlockedReason != "" && (o.BlockedAt == "" || o.BlockedAt[:min(10, len(o.BlockedAt))] <= l.day)
		}
	}
	var p *store.PlanRow
	for k := range l.r.Plans {
		if _, ok := current[l.r.Plans[k].OrderID]; ok {
			p = &l.r.Plans[k]
		}
	}
	coming := []ComingDebit{}
	if p == nil {
		return nil, coming
	}
	line := &PlanLine{Plan: p.Plan, Status: p.Status, OrderNumber: current[p.OrderID], Count: len(p.Instalments), Instalments: []InstalmentLine{}}
	// A card that a hard decline (lost, stolen, expired) blocked the order
	// on is not usable, whatever its expiry says, until a new card lifts the
	// block (card_ok false).
	expires, ecard := l.card()
	refused := blocked[p.OrderID] && l.cardRefused(current[p.OrderID])
	scheduled := PlanScheduledAt(*p, l.day)
	for _, n := range p.Instalments {
		status := InstalmentStatusAt(*p, n, l.day)
		paid := ""
		switch status {
		case "paid":
			line.PaidCount++
			paid = n.PaidDate
		case "pending", "failed":
			line.Remaining += n.Amount
		}
		line.Instalments = append(line.Instalments, InstalmentLine{n.Seq, n.Due, n.Amount, status, paid})
		if scheduled && (status == "pending" || status == "failed") && n.Due != "" {
			coming = append(coming, ComingDebit{Due: n.Due, Seq: n.Seq, Amount: n.Amount, Status: status, Overdue: n.Due <= l.day, Blocked: blocked[p.OrderID],
				NextTry: n.NextTry, CardExpires: expires, CardOK: expires != "" && expires >= n.Due && !(ecard && p.Plan != "1x") && !refused})
		}
	}
	line.PaidAmount = l.receivedOnPlan(p)
	return line, coming
}

// receivedOnPlan is what the plan's order received by l.day from payments
// made after the plan's approval (PaidBefore), not reversed by then: the
// money the plan collected, a partial cheque included.
func (l *ledger) receivedOnPlan(p *store.PlanRow) money.Cents {
	invoices := map[int64]bool{}
	for _, inv := range l.r.Invoices {
		if inv.OrderID == p.OrderID {
			invoices[inv.ID] = true
		}
	}
	var sum money.Cents
	for _, a := range l.r.Allocations {
		if invoices[a.InvoiceID] && a.PaymentID > p.PaidBefore && a.Date <= l.day && !l.voided(a.PaymentID, l.day) {
			sum += a.Amount
		}
	}
	return sum
}

// card returns the last valid day of the student's current stored card
// (the newest one not deleted) and whether it is a temporary e-card; ""
// when there is none or its expiry cannot be read.
// cardRefused: the order's last debit by l.day was a hard decline (a card
// lost, stolen or expired) and no card was registered since. A block from
// an impayé leaves the card usable.
func (l *ledger) cardRefused(orderNumber string) bool {
	last := store.AttemptRow{}
	for _, a := range l.r.Attempts {
		if a.OrderNumber == orderNumber && a.Date[:min(10, len(a.Date))] <= l.day && a.Date >= last.Date {
			last = a
		}
	}
	if last.State != "declined" {
		return false
	}
	if _, hard := gateway.Classify(last.Code); !hard {
		return false
	}
	for _, c := range l.r.Cards {
		if !c.Deleted && c.CreatedDate > last.Date[:min(10, len(last.Date))] && c.CreatedDate <= l.day {
			return false
		}
	}
	return true
}

func (l *ledger) card() (string, bool) {
	for k := len(l.r.Cards) - 1; k >= 0; k-- {
		c := l.r.Cards[k]
		if c.Deleted || c.CreatedDate > l.day {
			continue
		}
		return gateway.StoredExpiry(c.Expiry).LastDay().String(), c.ECard
	}
	return "", false
}

// mustTime reads a stored RFC 3339 timestamp (the zero time if unreadable).
func mustTime(s string) time.Time {
	t, _ := time.Parse(time.RFC3339, s)
	return t
}

// financed is an order's Financé TTC: the payer's part when it is invoiced
// in parts; nothing when its one invoice is the student's though the
// dossier now names a payer for a share (an order the share superseded);
// else FinancedPart.
func (l *ledger) financed(o store.OrderRow) money.Cents {
	whole := false
	for _, i := range l.r.Invoices {
		if i.OrderID != o.ID {
			continue
		}
		if i.Part == partPayer {
			return i.TTC
		}
		whole = whole || i.Part == ""
	}
	if whole && o.PayerShare > 0 && o.PayerShare < o.TTC {
		return 0
	}
	return FinancedPart(o.TTC, o.Financed, o.PayerName != "", o.PayerShare)
}
