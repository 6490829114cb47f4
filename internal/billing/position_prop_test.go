package billing

import (
	"fmt"
	"testing"

	"github.com/inpctl/inpctl/internal/money"
	"github.com/inpctl/inpctl/internal/store"
	"pgregory.net/rapid"
)

// posModel plays random operations on one student's account the way the flows
// write them (oldest invoice first, releases newest payment first), keeps
// its own running sums as the reference, and the rows for Position.
type posModel struct {
	b        *ledgerBook
	today    int
	invoices []*posInvoice
	payments []*posPayment
	// sums[d] are the reference sums at the end of day d.
	sums                          map[int]posSums
	inv, cn, paid, unpaid, refund money.Cents
}

type posSums struct{ inv, cn, netPay, refund money.Cents }

type posInvoice struct {
	id       int64
	ttc      money.Cents
	credited money.Cents
	allocs   map[int64]money.Cents // payment → net allocation
}

type posPayment struct {
	id     int64
	amount money.Cents
	unpaid bool
	alloc  money.Cents // net allocated
	refund money.Cents
}

func (m *posModel) date() string { return posDay("2025-09-01").AddDays(m.today).String() }

func (m *posModel) free(p *posPayment) money.Cents {
	if p.unpaid {
		return 0
	}
	return p.amount - p.alloc - p.refund
}

func (m *posModel) due(i *posInvoice) money.Cents {
	d := i.ttc - i.credited
	for pid, a := range i.allocs {
		if !m.payment(pid).unpaid {
			d -= a
		}
	}
	return d
}

func (m *posModel) payment(id int64) *posPayment {
	for _, p := range m.payments {
		if p.id == id {
			return p
		}
	}
	panic("no payment")
}

func (m *posModel) allocate(p *posPayment, i *posInvoice, amount money.Cents) {
	if amount == 0 {
		return
	}
	m.b.alloc(m.date(), p.id, i.id, amount)
	p.alloc += amount
	i.allocs[p.id] += amount
}

// settle allocates free payment money to open invoices, oldest first.
func (m *posModel) settle() {
	for _, i := range m.invoices {
		for _, p := range m.payments {
			if due := m.due(i); due > 0 && m.free(p) > 0 {
				m.allocate(p, i, min(due, m.free(p)))
			}
		}
	}
}

func (m *posModel) issue(t *rapid.T) {
	ttc := money.Cents(rapid.Int64Range(1, 500000).Draw(t, "ttc"))
	n := len(m.invoices) + 1
	o := m.b.order(m.date(), fmt.Sprintf("CMD%d", n), "01", ttc)
	id := m.b.invoice(m.date(), fmt.Sprintf("92%02d", n), o)
	m.invoices = append(m.invoices, &posInvoice{id: id, ttc: ttc, allocs: map[int64]money.Cents{}})
	m.inv += ttc
	if rapid.Bool().Draw(t, "plan") && ttc >= 3 {
		third := ttc / 3
		d0 := posDay(m.date())
		status := rapid.SampledFrom([]string{"requested", "approved", "active", "completed", "cancelled"}).Draw(t, "status")
		later := rapid.SampledFrom([]string{"pending", "failed", "paid", "cancelled"}).Draw(t, "later")
		m.b.plan(o, "3x", status,
			store.InstalmentRow{Seq: 1, Amount: third, Due: d0.String(), Status: "paid", PaidDate: d0.String()},
			store.InstalmentRow{Seq: 2, Amount: third, Due: d0.AddDays(30).String(), Status: later, PaidDate: d0.AddDays(rapid.IntRange(0, 60).Draw(t, "paid2")).String()},
			store.InstalmentRow{Seq: 3, Amount: ttc - 2*third, Due: rapid.SampledFrom([]string{"", d0.AddDays(60).String()}).Draw(t, "due3"), Status: "pending"})
		m.b.r.Plans[len(m.b.r.Plans)-1].DecidedDate = d0.AddDays(rapid.IntRange(-5, 60).Draw(t, "decided")).String()
	}
	m.settle()
}

func (m *posModel) pay(t *rapid.T) {
	amount := money.Cents(rapid.Int64Range(1, 500000).Draw(t, "amount"))
	id := m.b.pay(m.date(), fmt.Sprintf("REG%d", len(m.payments)+1), amount, 0)
	m.payments = append(m.payments, &posPayment{id: id, amount: amount})
	m.paid += amount
	m.settle()
}

func (m *posModel) fail(t *rapid.T) {
	m.b.r.Attempts = append(m.b.r.Attempts, store.AttemptRow{ID: m.b.id(), Date: m.date(), Reference: "A", Amount: 100, State: "declined", Code: "00151"})
}

func (m *posModel) reverse(t *rapid.T) {
	var live []*posPayment
	for _, p := range m.payments {
		if !p.unpaid {
			live = append(live, p)
		}
	}
	if len(live) == 0 {
		return
	}
	p := rapid.SampledFrom(live).Draw(t, "payment")
	if p.refund > 0 {
		return
	}
	p.unpaid = true
	m.b.r.Unpaids = append(m.b.r.Unpaids, store.UnpaidRow{PaymentID: p.id, Date: m.date(), Reason: "rejet"})
	m.unpaid += p.amount
}

func (m *posModel) credit(t *rapid.T) {
	var open []*posInvoice
	for _, i := range m.invoices {
		if i.ttc-i.credited > 0 {
			open = append(open, i)
		}
	}
	if len(open) == 0 {
		return
	}
	i := rapid.SampledFrom(open).Draw(t, "invoice")
	amount := money.Cents(rapid.Int64Range(1, int64(i.ttc-i.credited)).Draw(t, "credit"))
	m.b.creditNote(m.date(), fmt.Sprintf("AV%d", len(m.b.r.CreditNotes)+1), i.id, amount, "remise")
	i.credited += amount
	m.cn += amount
	// What was paid beyond what is now owed is released, newest payment first.
	over := -m.due(i)
	for k := len(m.payments) - 1; k >= 0 && over > 0; k-- {
		p := m.payments[k]
		if a := i.allocs[p.id]; a > 0 && !p.unpaid {
			take := min(a, over)
			m.allocate(p, i, -take)
			over -= take
		}
	}
}

func (m *posModel) refundOp(t *rapid.T) {
	var withCredit []*posPayment
	for _, p := range m.payments {
		if m.free(p) > 0 {
			withCredit = append(withCredit, p)
		}
	}
	if len(withCredit) == 0 {
		return
	}
	p := rapid.SampledFrom(withCredit).Draw(t, "payment")
	amount := money.Cents(rapid.Int64Range(1, int64(m.free(p))).Draw(t, "refund"))
	m.b.r.Refunds = append(m.b.r.Refunds, store.RefundRow{ID: m.b.id(), PaymentID: p.id, Date: m.date(), Amount: amount, Method: "transfer"})
	p.refund += amount
	m.refund += amount
}

// TestPositionProperties: for any sequence of issue, pay, fail, unpaid,
// credit note and refund on one student, on any as-of day,
// Solde = Σ invoices − Σ credit notes − Σ net payments + Σ refunds,
// Débit − Crédit = Solde, 0 ≤ Position ≤ Solde when Solde > 0 and
// Position = Solde otherwise, and the sections add up to the Solde.
func TestPositionProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		m := &posModel{b: newLedgerBook(), sums: map[int]posSums{}}
		ops := map[string]func(*rapid.T){"issue": m.issue, "pay": m.pay, "fail": m.fail, "unpaid": m.reverse, "credit_note": m.credit, "refund": m.refundOp}
		names := []string{"issue", "pay", "fail", "unpaid", "credit_note", "refund"}
		steps := rapid.IntRange(1, 40).Draw(t, "steps")
		for s := 0; s < steps; s++ {
			name := rapid.SampledFrom(names).Draw(t, "op")
			ops[name](t) // an operation that does not apply does nothing
			m.sums[m.today] = posSums{m.inv, m.cn, m.paid - m.unpaid, m.refund}
			m.today += rapid.IntRange(0, 3).Draw(t, "days")
		}
		last := m.today
		asOfDay := rapid.IntRange(0, last).Draw(t, "as_of")
		want := posSums{}
		for d := 0; d <= asOfDay; d++ {
			if s, ok := m.sums[d]; ok {
				want = s
			}
		}
		asOf := posDay("2025-09-01").AddDays(asOfDay)
		got := Position(m.b.r, asOf)
		balance := want.inv - want.cn - want.netPay + want.refund
		if got.Balance != balance || got.Debit-got.Credit != got.Balance {
			t.Fatalf("as of %s: %+v, want balance %s (sums %+v)", asOf, got, balance, want)
		}
		if got.Balance > 0 && (got.Position < 0 || got.Position > got.Balance) || got.Balance <= 0 && got.Position != got.Balance {
			t.Fatalf("position %s out of range for balance %s", got.Position, got.Balance)
		}
		a := BuildAccount(m.b.r, asOf)
		free := a.Payments.Total.Amount - a.Payments.Total.Unpaid - a.Payments.Total.Allocated - a.Refunds.Total.Amount
		if a.Invoices.Total.Due-free != got.Balance || a.Summary != got {
			t.Fatalf("sections: invoices due %s, free credit %s, balance %s", a.Invoices.Total.Due, free, got.Balance)
		}
		for _, i := range a.Invoices.Items {
			if (i.SettledDate != "") != (i.Due <= 0) {
				t.Fatalf("invoice %s: due %s but settled %q", i.Number, i.Due, i.SettledDate)
			}
		}
	})
}
