package billing

import (
	"fmt"

	"github.com/inpctl/inpctl/internal/mail"
	"github.com/inpctl/inpctl/internal/money"
	"github.com/inpctl/inpctl/internal/store"
)

// The order and document operations of the simulation: a fee code, an
// exemption, a credit note, an invoice.

func (w *simWorld) opSetCode(st *simStudent, year string) (string, error) {
	// 01 and 05 most of the time; 02 (bourse), 07 and 14 now and then.
	codes := []string{"01", "01", "01", "05", "05", "05", "02", "02", "07", "14"}
	code := codes[w.rng.IntN(len(codes))]
	for o := w.cur(st, year); o != nil && o.code == code; {
		code = codes[w.rng.IntN(len(codes))]
	}
	c := CodeChange{StudentID: st.id, Code: code, Reason: "changement de situation"}
	if code == "02" || code == "07" {
		c.Proof = fmt.Sprintf("attestation %d", w.next())
	}
	desc := fmt.Sprintf("set-code %s %s %s --reason", st.id, year, code)
	res, err := w.svc[year].SetCode(w.ctx, c)
	if err != nil {
		return refused(desc, err)
	}
	ttc := simTariffs[year][code]
	creditable := w.or.creditable(w.cur(st, year)) // what a code change's credit notes cancel
	if res.Order.TTC != ttc {
		return desc, violation(invRule, "%s: order of %s, the tariff is %s", desc, res.Order.TTC, ttc)
	}
	if re := w.or.setCode(st.id, year, code, res.Order.ID, ttc); re != (res.Reinvoiced != nil) {
		return desc, violation(invRule, "%s: re-invoiced %v, the old order was invoiced: %v", desc, res.Reinvoiced != nil, re)
	}
	if res.Reinvoiced != nil {
		desc += fmt.Sprintf(" → re-invoiced, %s moved, credit %s", res.Reinvoiced.Moved, res.Reinvoiced.Credit)
		if err := w.reinvoiceNotice(desc, st.id, res.Reinvoiced, creditable); err != nil {
			return desc, err
		}
	}
	return desc, nil
}

func (w *simWorld) opExempt(st *simStudent, year string) (string, error) {
	diff := w.or.exemptDiff(st.id, year, simTariffs[year]["01"])
	desc := fmt.Sprintf("schedule exempt %s %s (oracle: %s off)", st.id, year, diff)
	decision := fmt.Sprintf("CE-%d", w.next())
	ex, err := w.svc[year].Exempt(w.ctx, st.id, decision)
	switch {
	case err == nil && diff <= 0:
		return desc, violation(invRule, "%s: accepted, the order costs no more than the exempted tariff", desc)
	case err != nil && diff > 0:
		d, verr := refused(desc, err)
		if verr == nil {
			verr = violation(invRule, "%s: refused though the order costs %s more than the exempted tariff", d, diff)
		}
		return d, verr
	case err != nil:
		return refused(desc, err)
	}
	o := w.cur(st, year)
	var credited money.Cents // an invoiced order gets a credit note of diff; before, it is re-priced
	if o.inv != nil {
		credited = diff
	}
	desc += fmt.Sprintf(" → credit note %s %s, %d cancelled, credit %s", ex.CreditNote, ex.Credited, ex.Cancelled, ex.Credit)
	if (ex.CreditNote != "") != (o.inv != nil) {
		return desc, violation(invRule, "%s: credit note %q, the order was invoiced: %v", desc, ex.CreditNote, o.inv != nil)
	}
	w.or.exempt(st.id, year, diff)
	return desc, w.noteOrder(mail.Exemption, st.id, o.id, func(num string) string { return whatExemption(num, decision, ex.CreditNote, credited) })
}

// opCreditNote issues a partial credit note on the current invoice.
func (w *simWorld) opCreditNote(st *simStudent, year string) (string, error) {
	o := w.cur(st, year)
	if o == nil || o.inv == nil || o.inv.ttc-o.inv.credited <= 200 {
		return "invoice credit-note " + st.id + " " + year + simNothing, nil
	}
	inv, number := o.inv, ""
	invs, err := w.db.ListInvoices(w.ctx, store.InvoiceFilter{StudentID: st.id})
	for _, i := range invs {
		if i.OrderID == o.id && i.Part != partPayer {
			number = i.Number
		}
	}
	if err != nil || number == "" {
		return "invoice credit-note", violation(invRule, "%s %s: the invoice of order %d is not in the store (%v)", st.id, year, o.id, err)
	}
	amount := money.Cents(1+w.rng.Int64N(int64(inv.ttc-inv.credited)/100-1)) * 100
	desc := fmt.Sprintf("invoice credit-note %s %s", number, amount)
	cn, err := w.svc[year].IssueCreditNote(w.ctx, number, amount, "geste commercial")
	if err != nil {
		return refused(desc, err)
	}
	w.or.creditNote(inv, amount)
	w.or.notice(mail.CreditNote, st.id, whatCreditNote(cn.Number, number, amount))
	return desc, nil
}

func (w *simWorld) opInvoice(st *simStudent, year string) (string, error) {
	desc := "invoice issue " + st.id + " " + year
	inv, err := w.svc[year].IssueInvoice(w.ctx, st.id)
	if err != nil {
		return refused(desc, err)
	}
	if o := w.cur(st, year); o == nil || o.inv != nil || inv.TTC != o.ttc {
		return desc, violation(invRule, "%s: invoice %s of %s not expected", desc, inv.Number, inv.TTC)
	}
	w.or.invoice(w.cur(st, year))
	return desc + " → " + inv.Number, nil
}
