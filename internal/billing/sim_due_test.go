package billing

import (
	"github.com/inpctl/inpctl/internal/money"
	"github.com/inpctl/inpctl/internal/store"
)

// checkDue is invariant 8: what a charge run debits of a student today
// (store.DueInstalments, SQL) is what the Go rules say is due and a card
// can take now (simDueOf, from the account rows), instalment by
// instalment and amount by amount. Changing either side fails it.
func (w *simWorld) checkDue(id string, rows store.AccountRows) error {
	today := w.today().String()
	due, err := w.db.DueInstalments(w.ctx, today, id)
	if err != nil {
		return violation(invInternal, "due instalments of %s: %v", id, err)
	}
	atts, err := w.db.AttemptInstalments(w.ctx)
	if err != nil {
		return violation(invInternal, "attempts: %v", err)
	}
	inFlight := map[int64]bool{}
	for _, a := range atts {
		if a.State == "sent" || a.State == "unknown" {
			inFlight[a.InstalmentID] = true
		}
	}
	got := map[int64]money.Cents{}
	for _, d := range due {
		got[d.InstalmentID] = d.Amount
	}
	// What each order owes the student, by billing's one definition
	// (OwedBy: the student's part of a shared order).
	owed := map[int64]money.Cents{}
	if err := w.db.InTx(w.ctx, func(tx *store.Tx) error {
		for _, o := range rows.Orders {
			m, err := tx.OrderMoney(w.ctx, o.ID, 0)
			if err != nil {
				return err
			}
			owed[o.ID] = OwedBy(m).Student
		}
		return nil
	}); err != nil {
		return violation(invInternal, "order money of %s: %v", id, err)
	}
	want := simDueOf(rows, today, inFlight, owed)
	for in, amount := range want {
		if g, ok := got[in]; !ok || g != amount {
			return violation(invDue, "%s on %s: instalment %d is due for %s by the Go rules; the charge run's SQL gives %s (listed: %v)", id, today, in, amount, g, ok)
		}
	}
	for in, amount := range got {
		if _, ok := want[in]; !ok {
			return violation(invDue, "%s on %s: the charge run's SQL debits instalment %d for %s; the Go rules say it is not due", id, today, in, amount)
		}
	}
	return nil
}

// simDueOf is what a charge run should debit of a student on day, from the
// account rows and the Go rules: of each active plan of a current order
// that is not blocked, the earliest unpaid instalment, if it is due on day
// (not scheduledAfter, dated: the first instalment of a plan not started
// is paid when approved, not by the run), its retry date passed, no debit
// of it in flight; for the instalment's amount capped by what the student
// owes on the order (owed, OwedBy's Student), when that is above zero.
func simDueOf(rows store.AccountRows, day string, inFlight map[int64]bool, owed map[int64]money.Cents) map[int64]money.Cents {
	orders := map[int64]store.OrderRow{}
	for _, o := range rows.Orders {
		orders[o.ID] = o
	}
	out := map[int64]money.Cents{}
	for _, p := range rows.Plans {
		o, ok := orders[p.OrderID]
		if p.Status != "active" || !ok || o.SupersededDate != "" || o.BlockedReason != "" {
			continue
		}
		for _, n := range p.Instalments {
			st := InstalmentStatusAt(p, n, day)
			if st != "pending" && st != "failed" {
				continue
			}
			// The earliest unpaid instalment only: money counts against the
			// earliest first, so a later one waits for it.
			retry := n.NextTry <= day && (st == "pending" || n.NextTry != "")
			if !scheduledAfter(n, day) && n.Due != "" && retry && !inFlight[n.ID] {
				if left := owed[o.ID]; left > 0 {
					out[n.ID] = min(n.Amount, left)
				}
			}
			break
		}
	}
	return out
}
