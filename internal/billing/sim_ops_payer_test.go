package billing

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/inpctl/inpctl/internal/money"
)

// The third-party payer operations of the simulation: naming a payer (and
// its share) and its transfer.

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
