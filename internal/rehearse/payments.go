package rehearse

import (
	"context"

	"github.com/inpctl/inpctl/internal/billing"
	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/synth"
)

// paySpecial is "pay simulate ID --card CARD" for the students given a
// special sandbox card: they pay in July, as in the demo.
func (r *run) paySpecial(ctx context.Context, _ clock.Date) (int, error) {
	// Grouped by card, in the order the cards first appear, so each group
	// goes through SimulatePayments' batches.
	var cards []string
	byCard := map[string][]string{}
	for _, s := range r.students {
		if card := r.cards[s.ID]; card != "" {
			if byCard[card] == nil {
				cards = append(cards, card)
			}
			byCard[card] = append(byCard[card], s.ID)
		}
	}
	n := 0
	for _, card := range cards {
		res, err := r.k.Svc.SimulatePayments(ctx, byCard[card], card, r.k.Link, r.k.Clock.Now, r.k.Sandbox.Pay, r.k.Keys, nil)
		for _, x := range res {
			r.count(x)
		}
		n += len(res)
		if err != nil {
			return n, err
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
	res, err := r.k.Svc.SimulatePayments(ctx, ids, "", r.k.Link, r.k.Clock.Now, r.k.Sandbox.Pay, r.k.Keys, nil)
	for _, x := range res {
		r.count(x)
	}
	return len(res), err
}

// count adds a first payment's outcome to the report.
func (r *run) count(res billing.IPNResult) {
	if res.Outcome != "paid" {
		r.rep.Counts.FirstRefused++
		return
	}
	r.rep.Counts.FirstPaid++
	r.paid(res.Amount)
}

// payFinanced is, for each company-financed student (code 42), "dossier
// set-payer" (a made-up company), "invoice issue" then "payment record
// --payer --method transfer" for the whole invoice.
func (r *run) payFinanced(ctx context.Context, _ clock.Date) (int, error) {
	n := 0
	for _, s := range r.students {
		if !financed(s) {
			continue
		}
		if _, err := r.k.Svc.SetPayer(ctx, billing.PayerInput{StudentID: s.ID, Name: "Exemple Formation SAS",
			SIRET: "41200123210004", Address: []string{"12 rue de l'Exemple", "63000 Clermont-Ferrand"}, PORef: "BC-" + s.ID}); err != nil {
			return n, err
		}
		inv, err := r.k.Svc.IssueInvoice(ctx, s.ID)
		if err != nil {
			return n, err
		}
		res, err := r.k.Svc.RecordPayment(ctx, billing.ManualPayment{StudentID: s.ID, Method: "transfer",
			Ref: "virement entreprise", Amount: inv.TTC, Payer: true})
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
