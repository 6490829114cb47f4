package rehearse

import (
	"context"
	"fmt"

	"github.com/inpctl/inpctl/internal/billing"
	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/synth"
)

// paySpecial is "pay simulate ID --card CARD" for the students given a
// special sandbox card: they pay in July, as in the demo.
func (r *run) paySpecial(ctx context.Context, _ clock.Date) (int, error) {
	n := 0
	for _, s := range r.students {
		if card := r.cards[s.ID]; card != "" {
			if err := r.payFirst(ctx, s.ID, card); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
}

// payPending is "pay simulate --all-pending": everyone whose first payment
// is due pays it with the Paybox test card.
func (r *run) payPending(ctx context.Context, _ clock.Date) (int, error) {
	ids, err := r.k.Svc.DB.FirstPaymentDue(ctx, r.k.Svc.Year)
	if err != nil {
		return 0, err
	}
	for i, id := range ids {
		if err := r.payFirst(ctx, id, ""); err != nil {
			return i, err
		}
	}
	return len(ids), nil
}

// payFirst does what cli/pay_simulate.go does for one student: build the
// link, pay it on the sandbox's hosted page, apply the notification.
func (r *run) payFirst(ctx context.Context, id, card string) error {
	pl, err := r.k.Svc.MakePayLink(ctx, id, r.k.Link, r.k.Clock.Now())
	if err != nil {
		return err
	}
	ipn, err := r.k.Sandbox.Pay(pl.URL, card)
	if err != nil {
		return fmt.Errorf("sandbox hosted page for %s: %w", id, err)
	}
	res, err := r.k.Svc.ApplyIPN(ctx, ipn, r.k.Keys)
	if err != nil {
		return err
	}
	if res.Outcome != "paid" {
		r.rep.Counts.FirstRefused++
		return nil
	}
	r.rep.Counts.FirstPaid++
	r.paid(res.Amount)
	return nil
}

// payFinanced is, for each company-financed student (code 42), "invoice
// issue" then "payment record --method transfer" for the whole invoice.
func (r *run) payFinanced(ctx context.Context, _ clock.Date) (int, error) {
	n := 0
	for _, s := range r.students {
		if !financed(s) {
			continue
		}
		inv, err := r.k.Svc.IssueInvoice(ctx, s.ID)
		if err != nil {
			return n, err
		}
		res, err := r.k.Svc.RecordPayment(ctx, billing.ManualPayment{StudentID: s.ID, Method: "transfer",
			Ref: "virement entreprise", Amount: inv.TTC})
		if err != nil {
			return n, err
		}
		r.rep.Counts.Transfers++
		r.paid(res.Payment.Amount)
		n++
	}
	return n, nil
}

// financed reports whether a company pays the student's whole order.
func financed(s synth.Student) bool { return s.Code == "42" }
