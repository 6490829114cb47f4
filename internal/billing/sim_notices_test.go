package billing

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/inpctl/inpctl/internal/mail"
	"github.com/inpctl/inpctl/internal/money"
	"github.com/inpctl/inpctl/internal/store"
)

// Invariant 7 (issue 19, "every event of a simulated year yields exactly
// one notice of its kind"). The operations tell the oracle each event when
// it succeeds, with what its notice must point at: the order, the payment,
// the credit note, the decision. Whether there is an event, and for which
// order, comes from the simulation (the oracle's orders and payments, the
// op that succeeded); only numbers are production's, taken from the
// operation's result. The outbox is read only by checkNotices.
//
// The kinds, and which event writes each:
//
//   - plan_approved, plan_rejected: schedule approve / reject of a requested
//     plan (a plan cancelled by an exemption or a code change gets none);
//   - debit_failed: every declined debit, soft or hard; a decline that
//     blocks the order says so in it (Blocked): it gets no order_blocked;
//   - order_blocked: an unpaid, once per order the payment had paid part of;
//   - payment_received: every payment but a payer's transfer (its receipt
//     is the payer's);
//   - credit_note: an explicit credit note, and the one a code change or a
//     re-addressing to a payer issues on the old invoice; an exemption's
//     credit note is told in the exemption notice, which attaches it (one
//     e-mail per event);
//   - refund: every refund made, a lost one found by lookup included;
//   - exemption: every exemption decision applied.
//
// debit_upcoming is left out of the events: it is queued by mail send
// (QueueUpcomingDebits, N days before a debit), not written by an event,
// and the simulation never runs mail send; so the outbox must hold none.

// orNotice is a notice the oracle expects: its kind, the student, and what
// it points at, as noticeWhat formats it.
type orNotice struct{ kind, student, what string }

func (n orNotice) String() string { return n.kind + " to " + n.student + ": " + n.what }

// notice records an event's notice.
func (or *simOracle) notice(kind mail.Kind, student, what string) {
	or.notices = append(or.notices, orNotice{string(kind), student, what})
}

func simCents(c money.Cents) string { return fmt.Sprintf("%d", int64(c)) }

// What each kind points at (the same words for the oracle and the outbox).
func whatPlan(order, plan string) string { return "order " + order + " plan " + plan }
func whatDebit(order string, amount money.Cents, code string, blocked bool) string {
	return fmt.Sprintf("order %s amount %s code %s blocked %v", order, simCents(amount), code, blocked)
}
func whatBlocked(order, payment string) string { return "order " + order + " unpaid " + payment }
func whatPayment(payment string, amount money.Cents) string {
	return "payment " + payment + " amount " + simCents(amount)
}
func whatCreditNote(cn, invoice string, amount money.Cents) string {
	return "credit note " + cn + " on " + invoice + " amount " + simCents(amount)
}
func whatExemption(order, decision, cn string, amount money.Cents) string {
	return "order " + order + " decision " + decision + " credit note " + cn + " amount " + simCents(amount)
}

// simUnpaidOf finds the payment an order_blocked notice's reason names
// ("impayé du règlement REG… le …").
var simUnpaidOf = regexp.MustCompile(`règlement (\S+)`)

// noticeWhat is what an outbox notice points at, from its data.
func noticeWhat(n store.Notice) (string, error) {
	d, err := mail.DecodeData(n.Data)
	if err != nil {
		return "", err
	}
	switch mail.Kind(n.Kind) {
	case mail.PlanApproved, mail.PlanRejected:
		return whatPlan(d.Order, d.Plan), nil
	case mail.DebitFailed:
		return whatDebit(d.Order, d.Amount, d.Code, d.Blocked), nil
	case mail.OrderBlocked:
		m := simUnpaidOf.FindStringSubmatch(d.Reason)
		if m == nil {
			return whatBlocked(d.Order, "? ("+d.Reason+")"), nil
		}
		return whatBlocked(d.Order, m[1]), nil
	case mail.PaymentReceived, mail.Refund:
		return whatPayment(d.Payment, d.Amount), nil
	case mail.CreditNote:
		return whatCreditNote(d.CreditNote, d.Invoice, d.Amount), nil
	case mail.Exemption:
		return whatExemption(d.Order, d.Decision, d.CreditNote, d.Amount), nil
	}
	return "", nil // debit_upcoming: none is expected
}

// orderNumber is order id's number, the order being current: an op
// calls it when it records the event.
func (w *simWorld) orderNumber(id int64) (string, error) {
	var num string
	err := w.db.InTx(w.ctx, func(tx *store.Tx) error {
		_, o, ok, err := tx.OrderWithDossier(w.ctx, id)
		if err == nil && !ok {
			err = fmt.Errorf("order %d is superseded or missing", id)
		}
		num = o.Number
		return err
	})
	if err != nil {
		return "", violation(invInternal, "order number: %v", err)
	}
	return num, nil
}

// noteOrder records a notice about order id (kind, and what given its
// number).
func (w *simWorld) noteOrder(kind mail.Kind, student string, id int64, what func(order string) string) error {
	num, err := w.orderNumber(id)
	if err != nil {
		return err
	}
	w.or.notice(kind, student, what(num))
	return nil
}

// checkNotices: the outbox holds, kind by kind, exactly the notices of the
// events the oracle saw, each to its student and pointing at its event.
func (w *simWorld) checkNotices() error {
	ns, err := w.db.ListNotices(w.ctx, store.NoticeFilter{})
	if err != nil {
		return violation(invInternal, "outbox: %v", err)
	}
	got := map[string][]string{}
	for _, n := range ns {
		what, err := noticeWhat(n)
		if err != nil {
			return violation(invInternal, "outbox notice %d: %v", n.ID, err)
		}
		got[n.Kind] = append(got[n.Kind], orNotice{n.Kind, n.StudentID, what}.String())
	}
	want := map[string][]string{}
	for _, n := range w.or.notices {
		want[n.kind] = append(want[n.kind], n.String())
	}
	for _, kind := range mail.Kinds {
		g, e := got[string(kind)], want[string(kind)]
		slices.Sort(g)
		slices.Sort(e)
		if slices.Equal(g, e) {
			continue
		}
		return violation(invNotice, "%d %s notice(s) in the outbox, %d event(s)%s", len(g), kind, len(e), simDiff(g, e))
	}
	return nil
}

// simDiff names the notices missing from the outbox and those it has with
// no event (g and e sorted).
func simDiff(g, e []string) string {
	var missing, extra []string
	i, j := 0, 0
	for i < len(g) || j < len(e) {
		switch {
		case j == len(e) || i < len(g) && g[i] < e[j]:
			extra, i = append(extra, g[i]), i+1
		case i == len(g) || e[j] < g[i]:
			missing, j = append(missing, e[j]), j+1
		default:
			i, j = i+1, j+1
		}
	}
	var b strings.Builder
	if len(missing) > 0 {
		b.WriteString("; missing: " + strings.Join(missing, "; "))
	}
	if len(extra) > 0 {
		b.WriteString("; with no such event: " + strings.Join(extra, "; "))
	}
	return b.String()
}

// reinvoiceNotice records the credit_note notice of a code change or a
// re-addressing of an invoiced order: a credit note cancels what was left
// of the old invoice (creditable, by the oracle), when anything was.
//
// creditable is what the oracle says was left to cancel on each invoice of
// the old order (the whole, or the student's part then the payer's), in
// the order production lists them in r (OldInvoice, and CreditNote for
// those with something to cancel).
func (w *simWorld) reinvoiceNotice(desc, student string, r *Reinvoice, creditable []money.Cents) error {
	olds, cns := simList(r.OldInvoice), simList(r.CreditNote)
	if len(olds) != len(creditable) {
		return violation(invRule, "%s: invoices %q cancelled, the oracle says the order had %d", desc, r.OldInvoice, len(creditable))
	}
	k := 0
	for i, c := range creditable {
		if c <= 0 {
			continue
		}
		if k >= len(cns) {
			return violation(invRule, "%s: no credit note on %s, the oracle says %s was left to cancel", desc, olds[i], c)
		}
		w.or.notice(mail.CreditNote, student, whatCreditNote(cns[k], olds[i], c))
		k++
	}
	if k != len(cns) {
		return violation(invRule, "%s: credit notes %q on %s, the oracle says %v was left to cancel", desc, r.CreditNote, r.OldInvoice, creditable)
	}
	return nil
}

// simList splits a list of document numbers as a result gives it.
func simList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ", ")
}
