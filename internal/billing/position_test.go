package billing

import (
	"testing"

	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/money"
	"github.com/inpctl/inpctl/internal/store"
)

// ledgerBook builds ledger rows by hand, the way the flows write them.
type ledgerBook struct {
	r      store.AccountRows
	nextID int64
}

func newLedgerBook() *ledgerBook { return &ledgerBook{nextID: 1} }

func (b *ledgerBook) id() int64 { b.nextID++; return b.nextID }

func (b *ledgerBook) order(date, number, code string, ttc money.Cents) int64 {
	id := b.id()
	b.r.Orders = append(b.r.Orders, store.OrderRow{ID: id, Number: number, Year: "2025-2026", Date: date, Code: code, HT: ttc, TTC: ttc})
	return id
}

func (b *ledgerBook) invoice(date, number string, orderID int64) int64 {
	id := b.id()
	var ttc money.Cents
	for _, o := range b.r.Orders {
		if o.ID == orderID {
			ttc = o.TTC
		}
	}
	b.r.Invoices = append(b.r.Invoices, store.InvoiceRow{ID: id, OrderID: orderID, Number: number, Date: date, HT: ttc, TTC: ttc})
	return id
}

func (b *ledgerBook) pay(date, number string, amount money.Cents, invoiceID int64) int64 {
	id := b.id()
	b.r.Payments = append(b.r.Payments, store.PaymentRow{ID: id, Number: number, Date: date, Amount: amount, Method: "card"})
	if invoiceID != 0 {
		b.alloc(date, id, invoiceID, amount)
	}
	return id
}

func (b *ledgerBook) alloc(date string, paymentID, invoiceID int64, amount money.Cents) {
	b.r.Allocations = append(b.r.Allocations, store.AllocationRow{PaymentID: paymentID, InvoiceID: invoiceID, Date: date, Amount: amount})
}

func (b *ledgerBook) creditNote(date, number string, invoiceID int64, amount money.Cents, reason string) {
	inv := ""
	for _, i := range b.r.Invoices {
		if i.ID == invoiceID {
			inv = i.Number
		}
	}
	b.r.CreditNotes = append(b.r.CreditNotes, store.CreditNoteRow{ID: b.id(), InvoiceID: invoiceID, Number: number, InvoiceNumber: inv,
		Date: date, Amount: amount, Reason: reason})
}

func (b *ledgerBook) plan(orderID int64, plan, status string, inst ...store.InstalmentRow) {
	b.r.Plans = append(b.r.Plans, store.PlanRow{ID: b.id(), OrderID: orderID, Plan: plan, Status: status, Instalments: inst})
}

func posDay(s string) clock.Date {
	d, err := clock.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// seedLedgerBooks are the seed's screens and the situations of SPEC §3 and §5.
func seedLedgerBooks() map[string]struct {
	b    *ledgerBook
	asOf string
	want Summary
} {
	out := map[string]struct {
		b    *ledgerBook
		asOf string
		want Summary
	}{}
	add := func(name string, b *ledgerBook, asOf string, debit, credit, balance, position money.Cents) {
		out[name] = struct {
			b    *ledgerBook
			asOf string
			want Summary
		}{b, asOf, Summary{debit, credit, balance, position, "EUR"}}
	}

	// Seed §5: 618,00 € paid at once on 24/06/2024.
	paid := newLedgerBook()
	o := paid.order("2024-06-24", "9357", "01", 61800)
	paid.pay("2024-06-24", "REG1", 61800, paid.invoice("2024-06-24", "9196", o))
	add("618 paid", paid, "2024-06-24", 61800, 61800, 0, 0)

	// 601,00 € in 3x (200,33 + 200,33 + 200,34), first debit on 24/06/2022.
	three := func(second string) *ledgerBook {
		b := newLedgerBook()
		o := b.order("2022-06-24", "9300", "01", 60100)
		b.pay("2022-06-24", "REG1", 20033, b.invoice("2022-06-24", "9197", o))
		b.plan(o, "3x", "active",
			store.InstalmentRow{Seq: 1, Amount: 20033, Due: "2022-06-24", Status: "paid", PaidDate: "2022-06-24"},
			store.InstalmentRow{Seq: 2, Amount: 20033, Due: "2022-07-10", Status: second},
			store.InstalmentRow{Seq: 3, Amount: 20034, Due: "2022-08-10", Status: "pending"})
		return b
	}
	add("601 3x after the first debit", three("pending"), "2022-06-24", 60100, 20033, 40067, 0)
	add("601 3x on 11/07, second debit failed", three("failed"), "2022-07-11", 60100, 20033, 40067, 20033)
	add("601 3x on 10/07 before the run", three("pending"), "2022-07-10", 60100, 20033, 40067, 20033)

	// 3 941,00 € in 5x (628,00 + 4 × 828,25); the exemption commission
	// cancels the four later instalments with a credit note of 3 313,00 €.
	exempt := newLedgerBook()
	o = exempt.order("2025-09-05", "9400", "05", 394100)
	inv := exempt.invoice("2025-09-05", "9210", o)
	exempt.pay("2025-09-05", "REG1", 62800, inv)
	exempt.plan(o, "5x", "cancelled",
		store.InstalmentRow{Seq: 1, Amount: 62800, Due: "2025-09-05", Status: "paid", PaidDate: "2025-09-05"},
		store.InstalmentRow{Seq: 2, Amount: 82825, Due: "2025-10-10", Status: "cancelled"},
		store.InstalmentRow{Seq: 3, Amount: 82825, Due: "2025-11-10", Status: "cancelled"},
		store.InstalmentRow{Seq: 4, Amount: 82825, Due: "2025-12-10", Status: "cancelled"},
		store.InstalmentRow{Seq: 5, Amount: 82825, Due: "2026-01-10", Status: "cancelled"})
	exempt.r.Plans[0].DecidedDate = "2025-09-25"
	exempt.creditNote("2025-09-25", "AV1", inv, 331300, "commission d'exonération CE-2025-14")
	add("3941 5x exempted after the first instalment", exempt, "2025-09-30", 394100, 394100, 0, 0)
	add("3941 5x before the exemption", exempt, "2025-09-10", 394100, 62800, 331300, 0)

	// Bourse obtained after paying 628,00 €: the invoice is cancelled by a
	// credit note, its allocation released, the new order is 0 €.
	bourse := newLedgerBook()
	o = bourse.order("2025-09-01", "CMD1", "01", 62800)
	inv = bourse.invoice("2025-09-01", "9200", o)
	p := bourse.pay("2025-09-01", "REG1", 62800, inv)
	bourse.creditNote("2025-10-15", "AV1", inv, 62800, "changement de code 01 → 02 : bourse obtenue")
	bourse.alloc("2025-10-15", p, inv, -62800)
	bourse.r.Orders[0].SupersededDate = "2025-10-15"
	bourse.order("2025-10-15", "CMD2", "02", 0)
	add("bourse after payment: credit 628", bourse, "2025-10-15", 62800, 125600, -62800, -62800)
	add("bourse, before the code change", bourse, "2025-09-30", 62800, 62800, 0, 0)
	return out
}

func TestPositionSeedFigures(t *testing.T) {
	for name, c := range seedLedgerBooks() {
		t.Run(name, func(t *testing.T) {
			if got := Position(c.b.r, posDay(c.asOf)); got != c.want {
				t.Errorf("as of %s: got %+v, want %+v", c.asOf, got, c.want)
			}
		})
	}
}

func TestAccountSeed618(t *testing.T) {
	c := seedLedgerBooks()["618 paid"]
	a := BuildAccount(c.b.r, posDay(c.asOf))
	o, i, p := a.Orders.Items[0], a.Invoices.Items[0], a.Payments.Items[0]
	if o.SettledDate != "2024-06-24" || o.Invoiced != 61800 || i.SettledDate != "2024-06-24" || i.Paid != 61800 || i.Due != 0 {
		t.Errorf("order %+v invoice %+v", o, i)
	}
	if p.Allocated != 61800 || p.Unpaid != 0 || a.Payments.Total.Allocated != 61800 {
		t.Errorf("payment %+v", p)
	}
	if len(a.CreditNotes.Items) != 0 || len(a.Refunds.Items) != 0 || a.Plan != nil || len(a.Coming) != 0 {
		t.Errorf("unexpected rows: %+v", a)
	}
}

func TestAccount3xComingDebits(t *testing.T) {
	c := seedLedgerBooks()["601 3x on 11/07, second debit failed"]
	c.b.r.Cards = []store.Card{{ID: 1, Expiry: "2207", CreatedDate: "2022-06-24"}}
	c.b.r.Attempts = []store.AttemptRow{{ID: 1, Date: "2022-07-10", Reference: "INP-A1", Seq: 2, Amount: 20033, State: "declined", Code: "00151", Text: "fonds insuffisants"}}
	a := BuildAccount(c.b.r, posDay(c.asOf))
	want := []ComingDebit{
		{Due: "2022-07-10", Seq: 2, Amount: 20033, Status: "failed", Overdue: true, CardExpires: "2022-07-31", CardOK: true},
		{Due: "2022-08-10", Seq: 3, Amount: 20034, Status: "pending", CardExpires: "2022-07-31"},
	}
	if len(a.Coming) != 2 || a.Coming[0] != want[0] || a.Coming[1] != want[1] {
		t.Errorf("coming debits:\n got %+v\nwant %+v", a.Coming, want)
	}
	if a.Plan == nil || a.Plan.PaidCount != 1 || a.Plan.Remaining != 40067 || a.Plan.Plan != "3x" {
		t.Errorf("plan %+v", a.Plan)
	}
	if len(a.Failed) != 1 || a.Failed[0].Code != "00151" {
		t.Errorf("failed attempts %+v", a.Failed)
	}
	// As of the first debit the plan shows the same two debits, not overdue.
	a = BuildAccount(c.b.r, posDay("2022-06-24"))
	if len(a.Failed) != 0 || a.Coming[0].Overdue {
		t.Errorf("as of 24/06: %+v %+v", a.Failed, a.Coming)
	}
}

func TestAccountBourseRefund(t *testing.T) {
	c := seedLedgerBooks()["bourse after payment: credit 628"]
	b := c.b
	b.r.Refunds = append(b.r.Refunds, store.RefundRow{ID: 99, PaymentID: b.r.Payments[0].ID, Date: "2025-10-20", Amount: 62800, Method: "transfer", Reason: "bourse"})
	a := BuildAccount(b.r, posDay("2025-10-20"))
	if a.Summary != (Summary{125600, 125600, 0, 0, "EUR"}) {
		t.Errorf("after the refund: %+v", a.Summary)
	}
	old := a.Invoices.Items[0]
	if old.Credited != 62800 || old.Paid != 0 || old.Refunded != 62800 || old.SettledDate != "2025-09-01" {
		t.Errorf("cancelled invoice: %+v", old)
	}
	if len(a.Orders.Items) != 2 || !a.Orders.Items[0].Superseded || a.Orders.Items[1].SettledDate != "2025-10-15" {
		t.Errorf("orders: %+v", a.Orders.Items)
	}
	if a.Refunds.Items[0].PaymentNumber != "REG1" {
		t.Errorf("refunds: %+v", a.Refunds.Items)
	}
}

func TestAccountUnpaidReopensInvoice(t *testing.T) {
	b := newLedgerBook()
	o := b.order("2025-09-01", "CMD1", "01", 62800)
	inv := b.invoice("2025-09-01", "9200", o)
	p := b.pay("2025-09-01", "REG1", 62800, inv)
	b.r.Unpaids = []store.UnpaidRow{{PaymentID: p, Date: "2025-09-20", Reason: "rejet"}}
	before := BuildAccount(b.r, posDay("2025-09-10"))
	after := BuildAccount(b.r, posDay("2025-09-20"))
	if before.Invoices.Items[0].SettledDate != "2025-09-01" || after.Invoices.Items[0].SettledDate != "" {
		t.Errorf("settled: before %q after %q", before.Invoices.Items[0].SettledDate, after.Invoices.Items[0].SettledDate)
	}
	if after.Summary != (Summary{62800, 0, 62800, 62800, "EUR"}) || after.Payments.Items[0].Unpaid != 62800 || after.Payments.Items[0].Allocated != 0 {
		t.Errorf("after the unpaid: %+v %+v", after.Summary, after.Payments.Items[0])
	}
}

func TestFigures(t *testing.T) {
	cases := []struct {
		in   Totals
		want Summary
	}{
		{Totals{}, Summary{0, 0, 0, 0, "EUR"}},
		{Totals{Invoiced: 1000, Payments: 300, NotYetDue: 500}, Summary{1000, 300, 700, 200, "EUR"}},
		{Totals{Invoiced: 1000, Payments: 800, NotYetDue: 500}, Summary{1000, 800, 200, 0, "EUR"}},
		{Totals{Invoiced: 1000, Payments: 1000, Unpaid: 1000}, Summary{1000, 0, 1000, 1000, "EUR"}},
		{Totals{Invoiced: 1000, Payments: 1000, CreditNotes: 400, Refunds: 100}, Summary{1100, 1400, -300, -300, "EUR"}},
	}
	for _, c := range cases {
		if got := Figures(c.in); got != c.want {
			t.Errorf("Figures(%+v) = %+v, want %+v", c.in, got, c.want)
		}
	}
}
