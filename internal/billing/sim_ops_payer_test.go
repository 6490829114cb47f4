package billing

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/inpctl/inpctl/internal/money"
)

// The third-party payer operations of the simulation: naming a payer and
// its transfer.

// opSetPayer names a company as the payer of the dossier's order: refused
// unless nothing is paid on it and it has no plan (the sim checks the
// first; production knows the plans).
func (w *simWorld) opSetPayer(st *simStudent, year string) (string, error) {
	o, k := w.cur(st, year), [2]string{st.id, year}
	desc := "dossier set-payer " + st.id + " " + year
	if w.rng.IntN(2) == 0 {
		// The clerk follows the refusal's hint: the student's plan, with
		// nothing paid on it, is cancelled first (refused otherwise).
		if _, err := w.svc[year].CancelPlan(w.ctx, st.id, "financement par l'entreprise"); err == nil {
			desc = "schedule cancel + " + desc
		}
	}
	res, err := w.svc[year].SetPayer(w.ctx, PayerInput{StudentID: st.id, Name: "Exemple Formation SAS", SIRET: "41200123210004", PORef: fmt.Sprintf("BC-%d", w.next())})
	if err != nil {
		return refused(desc, err)
	}
	switch {
	case o == nil || o.ttc == 0:
		return desc, violation(invRule, "%s: accepted, there is no order to pay", desc)
	case o.inv != nil && (w.or.allocated(o.inv) != 0 || o.inv.credited != 0):
		return desc, violation(invRule, "%s: accepted, %s is paid and %s credited on the order", desc, w.or.allocated(o.inv), o.inv.credited)
	}
	was := w.or.payer[k]
	var creditable money.Cents // what the re-addressing's credit note cancels
	if o.inv != nil {
		creditable = o.inv.ttc - o.inv.credited
	}
	w.or.payer[k] = true
	if re := o.inv != nil && !was; re != (res.Reinvoiced != nil) {
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
	owed := w.or.owed(o)
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
