package billing

import (
	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/money"
	"github.com/inpctl/inpctl/internal/store"
)

// Summary is the four figures of an account position (SPEC §8).
type Summary struct {
	Debit    money.Cents `json:"debit_cents"`    // invoiced TTC + refunds
	Credit   money.Cents `json:"credit_cents"`   // payments net of unpaid reversals + credit notes
	Balance  money.Cents `json:"balance_cents"`  // Debit − Credit; negative is a credit in the student's favour
	Position money.Cents `json:"position_cents"` // the part of Balance already due
	Currency string      `json:"currency"`
}

// Overdue reports whether something is already due (Position > 0).
func (s Summary) Overdue() bool { return s.Position > 0 }

// InCredit reports whether the student has a credit in their favour
// (Solde < 0), which staff may refund.
func (s Summary) InCredit() bool { return s.Balance < 0 }

// Totals are the sums the four figures come from. NotYetDue is what the
// balance holds of instalments scheduled after the as-of date.
type Totals struct {
	Invoiced, CreditNotes, Payments, Unpaid, Refunds, NotYetDue money.Cents
}

// Figures computes the four figures from the sums: the one place where
// Débit, Crédit, Solde and Position are defined. Position is the balance
// less what is not due yet, never below zero while the student owes money;
// a credit in the student's favour (negative balance) is all available now.
func Figures(t Totals) Summary {
	s := Summary{Debit: t.Invoiced + t.Refunds, Credit: t.Payments - t.Unpaid + t.CreditNotes, Currency: money.Currency}
	s.Balance = s.Debit - s.Credit
	s.Position = s.Balance
	if s.Balance > 0 {
		s.Position = max(0, s.Balance-max(0, t.NotYetDue))
	}
	return s
}

// Position computes a student's four figures as of asOf from the ledger
// rows (rows dated after asOf are left out). account show, student show and
// the statement use it; account list feeds Figures with the same sums
// computed in SQL (store.AccountTotals).
func Position(r store.AccountRows, asOf clock.Date) Summary {
	return Figures(TotalsOf(r, asOf))
}

// TotalsOf sums the ledger rows as of asOf.
func TotalsOf(r store.AccountRows, asOf clock.Date) Totals {
	day := asOf.String()
	var t Totals
	// A payer's share of an order is no part of the student's figures: its
	// invoice, the credit notes on it and the payer's transfers for it are
	// left out (store's accountSums(true), for account list, too).
	payerPart := map[int64]bool{}
	for _, i := range r.Invoices {
		if i.Part == partPayer {
			payerPart[i.ID] = true
			continue
		}
		if i.Date <= day {
			t.Invoiced += i.TTC
		}
	}
	for _, c := range r.CreditNotes {
		if c.Date <= day && !payerPart[c.InvoiceID] {
			t.CreditNotes += c.Amount
		}
	}
	unpaid := unpaidAsOf(r, day)
	for _, p := range r.Payments {
		if p.Date <= day && !p.ThirdParty {
			t.Payments += p.Amount
			if _, ok := unpaid[p.ID]; ok {
				t.Unpaid += p.Amount
			}
		}
	}
	for _, f := range r.Refunds {
		if f.Date <= day {
			t.Refunds += f.Amount
		}
	}
	t.NotYetDue = NotYetDue(r, asOf)
	return t
}

// unpaidAsOf maps each payment reversed on or before day to its reversal date.
func unpaidAsOf(r store.AccountRows, day string) map[int64]string {
	m := map[int64]string{}
	for _, u := range r.Unpaids {
		if u.Date <= day {
			m[u.PaymentID] = u.Date
		}
	}
	return m
}

// NotYetDue is what the balance holds of instalments scheduled after asOf:
// the instalments of a plan approved by asOf (approved, active, completed,
// or cancelled only after asOf) whose order was invoiced by asOf, unpaid on
// asOf (see InstalmentStatusAt), and due after asOf; an undated instalment
// other than the first (a plan approved but not started) is not due
// either. An order with no plan, a requested or rejected plan, or a 1x
// plan is due in full once invoiced.
func NotYetDue(r store.AccountRows, asOf clock.Date) money.Cents {
	day := asOf.String()
	invoiced := map[int64]bool{}
	for _, i := range r.Invoices {
		if i.Date <= day {
			invoiced[i.OrderID] = true
		}
	}
	var sum money.Cents
	for _, p := range r.Plans {
		if !invoiced[p.OrderID] || !PlanScheduledAt(p, day) {
			continue
		}
		for _, n := range p.Instalments {
			st := InstalmentStatusAt(p, n, day)
			if (st == "pending" || st == "failed") && scheduledAfter(n, day) {
				sum += n.Amount
			}
		}
	}
	return sum
}

// scheduledAfter reports whether instalment n waits for a date after day:
// dated after it, or undated and not the first (a plan approved but not
// started owes its first instalment at once, the others wait for the dates
// its start fixes). An unpaid instalment that is not scheduled after day
// is due on day. This is the Go side of "what is due today": the charge
// run's SQL (store.DueInstalments) debits the part of it a card can take
// now, and the simulation holds the two together after every step
// (invariant I8, simDueOf).
func scheduledAfter(n store.InstalmentRow, day string) bool {
	return n.Due > day || n.Due == "" && n.Seq > 1
}

// PlanScheduledAt reports whether a plan's instalments ran on their own
// dates on day: it had been approved by then (approved, active or completed
// with its decision on or before day), or it was cancelled after day.
// Plans keep only their current status and last decision date; this is
// what can be told of the past from them.
func PlanScheduledAt(p store.PlanRow, day string) bool {
	switch p.Status {
	case "approved", "active", "completed":
		return p.DecidedDate == "" || p.DecidedDate <= day
	case "cancelled":
		return p.DecidedDate > day && len(p.Instalments) > 0
	}
	return false
}

// InstalmentStatusAt is an instalment's status on day: one paid after day
// was still to be paid, and one cancelled after day (with its plan, or by
// the plan's rule: its paid_date is then the day it was cancelled) was
// pending. Amounts are today's: a plan recomputed after day shows its
// instalments as they are now.
func InstalmentStatusAt(p store.PlanRow, n store.InstalmentRow, day string) string {
	switch {
	case n.Status == "paid" && n.PaidDate > day:
		return "pending"
	case n.Status == "cancelled" && p.Status == "cancelled" && p.DecidedDate > day:
		return "pending"
	case n.Status == "cancelled" && n.PaidDate > day: // cancelled by the plan's rule after day
		return "pending"
	}
	return n.Status
}

// MovementSide says on which side of the student's account a movement of
// kind (store.Move*) falls, by the definitions of Figures: invoices,
// refunds and unpaid reversals are debits; payments and credit notes are
// credits.
func MovementSide(kind string) string {
	switch kind {
	case store.MovePayment, store.MoveCreditNote:
		return "credit"
	}
	return "debit"
}
