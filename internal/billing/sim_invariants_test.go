package billing

import (
	"fmt"
	"slices"

	"github.com/inpctl/inpctl/internal/gateway/sandbox"
	"github.com/inpctl/inpctl/internal/mail"
	"github.com/inpctl/inpctl/internal/money"
	"github.com/inpctl/inpctl/internal/store"
)

// simViolation is a broken invariant.
type simViolation struct{ inv, msg string }

func (v *simViolation) Error() string { return v.inv + ": " + v.msg }

func violation(inv, format string, args ...any) error {
	return &simViolation{inv, fmt.Sprintf(format, args...)}
}

// The invariants (issue 16, "How it is proved"), and two more kinds of
// failure the simulation reports.
const (
	invCard     = "I1 card money ≤ owed"
	invCredit   = "I2 no debit makes a credit"
	invPlan     = "I3 live plan = owed"
	invPosition = "I4 account figures"
	invCheck    = "I5 db check"
	invRule     = "I6 rule"           // an acceptance or a document the rules do not give
	invInternal = "I0 internal error" // production failed with an unclassified error
	invNotice   = "I7 notices"        // an event without its e-mail notice, or with two (issue 19)
	invDue      = "I8 due today"      // the charge run's SQL (store.DueInstalments) and the Go rule (scheduledAfter) disagree
)

// check runs invariants 3 and 4 for the given students, and 5 when dbCheck
// (1 and 2 are checked by the operations that move card money).
func (w *simWorld) check(students []string, dbCheck bool) error {
	today := w.today()
	for _, id := range students {
		rows, err := w.db.AccountRows(w.ctx, id, today, w.loc)
		if err != nil {
			return violation(invInternal, "account rows of %s: %v", id, err)
		}
		for _, r := range rows.Invoices {
			var inv *orInvoice
			if o := w.or.orders[r.OrderID]; o != nil && r.Part == partPayer {
				inv = o.pinv
			} else if o != nil {
				inv = o.inv
			}
			if inv == nil || inv.ttc != r.TTC || (r.Part == "") != (inv.order.pinv == nil) {
				return violation(invRule, "%s: invoice %s (part %q) of %s for order %d was not expected", id, r.Number, r.Part, r.TTC, r.OrderID)
			}
			inv.number = r.Number
		}
		for _, inv := range w.or.invoices {
			if inv.order.student == id && inv.number == "" {
				return violation(invRule, "%s: the order of %s (%s) should be invoiced, it is not", id, inv.order.year, inv.ttc)
			}
		}
		for _, p := range rows.Plans {
			if p.Status != "approved" && p.Status != "active" {
				continue
			}
			var left money.Cents
			for _, in := range p.Instalments {
				if in.Status == "pending" || in.Status == "failed" {
					left += in.Amount
				}
			}
			if want := w.or.owed(w.or.orders[p.OrderID]); left != want {
				return violation(invPlan, "%s: the %s plan (%s) of order %d asks %s, the order owes %s%s",
					id, p.Plan, p.Status, p.OrderID, left, want, simLedgerOwed(rows, p.OrderID))
			}
		}
		if err := w.checkDue(id, rows); err != nil {
			return err
		}
		got := Position(rows, today)
		debit, credit := w.or.figures(id)
		bal := debit - credit
		okPos := got.Position == bal || bal > 0 && got.Position >= 0 && got.Position <= bal
		if got.Debit != debit || got.Credit != credit || got.Balance != bal || !okPos {
			return violation(invPosition, "%s on %s: Débit %s Crédit %s Solde %s Position %s; the oracle says %s %s %s",
				id, today, got.Debit, got.Credit, got.Balance, got.Position, debit, credit, bal)
		}
	}
	if !dbCheck {
		return nil
	}
	if err := w.checkNotices(); err != nil {
		return err
	}
	fs, err := w.db.Check(w.ctx, w.clk.Now())
	if err != nil {
		return violation(invInternal, "db check: %v", err)
	}
	for _, f := range fs {
		if !f.Warning {
			return violation(invCheck, "%s", f)
		}
	}
	return nil
}

// simLedgerOwed tells, for a message only, what the ledger rows say the
// order owes (its invoice's TTC − credit notes − allocation rows).
func simLedgerOwed(rows store.AccountRows, orderID int64) string {
	for _, inv := range rows.Invoices {
		if inv.OrderID != orderID {
			continue
		}
		left := inv.TTC
		for _, c := range rows.CreditNotes {
			if c.InvoiceID == inv.ID {
				left -= c.Amount
			}
		}
		for _, a := range rows.Allocations {
			if a.InvoiceID == inv.ID {
				left -= a.Amount
			}
		}
		return fmt.Sprintf(" (the ledger rows say %s)", left)
	}
	return ""
}

// charge is "charge --due" (studentID "") or "charge ID". Invariant 1: what
// Paybox takes for an order never exceeds what it owes (less what it took
// before without our knowing: a lost answer). Invariant 2: no student's
// credit grows, but by the money of a lost answer found by lookup.
func (w *simWorld) charge(studentID string) (string, error) {
	today, day := w.today(), "9999-12-31"
	desc := "charge " + studentID
	if studentID == "" {
		day, desc = today.String(), "charge --due"
	}
	due, err := w.db.DueInstalments(w.ctx, day, studentID)
	if err != nil {
		return desc, violation(invInternal, "due instalments: %v", err)
	}
	for _, d := range due {
		w.instOrder[d.InstalmentID] = d.OrderID
	}
	before, err := w.credits()
	if err != nil {
		return desc, err
	}
	n0 := len(w.sb.Records())
	w.charged = w.charged[:0]
	items, sum, err := w.svc[simNew].Charge(w.ctx, w.gw, ChargeOptions{Today: today, Now: w.clk.Now, StudentID: studentID, Concurrency: 1})
	desc += fmt.Sprintf(" → %d approved, %d declined, %d unknown, %d blocked, %d looked up", sum.Approved, sum.Declined, sum.Unknown, sum.Blocked, sum.Reconciled)
	if err != nil {
		return refused(desc, err)
	}
	if sum.Items == 0 {
		return desc + simNothing, nil
	}
	atts, err := w.db.AttemptInstalments(w.ctx)
	if err != nil {
		return desc, violation(invInternal, "attempts: %v", err)
	}
	for ref, a := range atts {
		if _, ok := w.refOrder[ref]; !ok {
			if w.refOrder[ref], err = w.orderOfInstalment(a.InstalmentID); err != nil {
				return desc, err
			}
		}
	}
	for _, it := range items { // every decline, soft or hard, has its debit_failed notice
		if it.Outcome == "declined" {
			what := func(o string) string { return whatDebit(o, it.Amount, it.Code, it.Blocked) }
			if err := w.noteOrder(mail.DebitFailed, it.StudentID, w.refOrder[it.Reference], what); err != nil {
				return desc, err
			}
		}
	}
	fresh := map[string]money.Cents{}
	var recs []sandbox.Transaction
	for _, r := range w.sb.Records()[n0:] {
		if r.Type == sandbox.TypeCharge {
			fresh[r.Reference] = r.Amount
			recs = append(recs, r)
		}
	}
	byRef := map[string]ChargeItem{}
	found := map[string]money.Cents{}
	for _, it := range items {
		byRef[it.Reference] = it
		if !slices.Contains(w.charged, it.StudentID) {
			w.charged = append(w.charged, it.StudentID)
		}
		if _, ok := fresh[it.Reference]; it.Outcome == "approved" && !ok { // a lost answer found by lookup
			o := w.refOrder[it.Reference]
			w.inflight[o] -= it.Amount
			w.or.card(o, it.Payment, it.Amount)
			found[it.StudentID] += it.Amount
		}
	}
	for _, r := range recs {
		o, ok := w.refOrder[r.Reference]
		if !ok {
			return desc, violation(invCard, "Paybox took %s for %s, no attempt of an order says so", r.Amount, r.Reference)
		}
		if owed := w.or.owed(w.or.orders[o]) - w.inflight[o]; r.Amount > owed {
			return desc, violation(invCard, "%s: Paybox took %s for order %d (%s), which owed %s", desc, r.Amount, o, r.Reference, owed)
		}
		if it := byRef[r.Reference]; it.Outcome == "approved" {
			w.or.card(o, it.Payment, r.Amount)
		} else {
			w.inflight[o] += r.Amount
		}
	}
	for _, it := range items {
		if _, ok := fresh[it.Reference]; it.Outcome == "approved" && ok && it.Amount != fresh[it.Reference] {
			return desc, violation(invCard, "%s: %s recorded %s, Paybox took %s", desc, it.Reference, it.Amount, fresh[it.Reference])
		}
	}
	after, err := w.credits()
	if err != nil {
		return desc, err
	}
	for id, c := range after {
		if c > before[id]+found[id] {
			return desc, violation(invCredit, "%s: the credit of %s went from %s to %s", desc, id, before[id], c)
		}
	}
	return desc, nil
}

// orderOfInstalment finds the order an instalment belongs to: from the due
// list read before the run, else (the run found a lost answer first, and
// then charged the next instalment) from the plans of the orders.
func (w *simWorld) orderOfInstalment(id int64) (int64, error) {
	if o, ok := w.instOrder[id]; ok {
		return o, nil
	}
	for oid := range w.or.orders {
		p, ok, err := w.db.PlanOfOrder(w.ctx, oid)
		if err != nil {
			return 0, violation(invInternal, "plan of order %d: %v", oid, err)
		}
		for _, in := range p.Instalments {
			if ok {
				w.instOrder[in.ID] = oid
			}
		}
	}
	return w.instOrder[id], nil
}

// credits reads every student's credit as the store keeps it.
func (w *simWorld) credits() (map[string]money.Cents, error) {
	out := map[string]money.Cents{}
	err := w.db.InTx(w.ctx, func(tx *store.Tx) error {
		for _, st := range w.students {
			c, err := tx.StudentCredit(w.ctx, st.id)
			if err != nil {
				return err
			}
			out[st.id] = c
		}
		return nil
	})
	if err != nil {
		return nil, violation(invInternal, "student credit: %v", err)
	}
	return out, nil
}
