package billing

import (
	"context"
	"fmt"
	"strings"

	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/fees"
	"github.com/inpctl/inpctl/internal/store"
)

// issueParts issues the invoices of order o: one for the whole order,
// addressed to the student or to the payer that pays all of it; or, when
// the payer pays a share (set-payer --share), the student's part then the
// payer's, numbered one after the other in this transaction.
func (s *Service) issueParts(ctx context.Context, tx *store.Tx, d store.Dossier, o store.Order, libelle string) ([]store.Invoice, error) {
	if o.TTC <= 0 {
		return nil, fault.New(fault.Conflict, "student %s: order %s is 0,00 €; a zero-amount order gets no invoice", d.StudentID, o.Number)
	}
	st, err := tx.StudentByID(ctx, d.StudentID)
	if err != nil {
		return nil, err
	}
	prog := s.Cat.Programmes[d.Programme]
	draft := store.InvoiceDraft{
		OrderID: o.ID, StudentID: d.StudentID, Date: s.today(tx).String(), Libelle: libelle,
		// The session of the invoice's academic year (a 2024-2025 invoice
		// says P2224_…, not this year's name).
		Session:    strings.TrimSpace(strings.TrimPrefix(prog.SessionFor(d.Year)+" - "+prog.Label, " - ")),
		ClientName: strings.TrimSpace(st.FirstName + " " + st.LastName), ClientAddress: address(st),
		Lines: o.Lines, HT: o.HT, TVA: o.TVA, TTC: o.TTC, VATMention: s.Issuer.VATMention,
		Issuer: s.docIssuer(),
	}
	payer, ok, err := tx.PayerOf(ctx, d.ID)
	if err != nil || !ok {
		inv, err := tx.IssueInvoice(ctx, draft)
		return []store.Invoice{inv}, err
	}
	o.PayerName, o.PayerShare = payer.Name, payer.Share
	if !sharedOrder(o) {
		inv, err := tx.IssueInvoice(ctx, s.toPayer(tx, draft, d, payer))
		return []store.Invoice{inv}, err
	}
	if err := splittable(o); err != nil {
		return nil, err
	}
	designation := o.Lines[0].Designation
	student, forPayer := draft, s.toPayer(tx, draft, d, payer)
	student.Part, forPayer.Part = partStudent, partPayer
	student.HT, student.TTC = o.TTC-payer.Share, o.TTC-payer.Share
	forPayer.HT, forPayer.TTC = payer.Share, payer.Share
	student.Lines = []fees.Line{{Designation: fmt.Sprintf("%s (reste à charge ; %s financés par %s)", designation, eur(payer.Share), payer.Name), Qty: 1, UnitHT: student.TTC}}
	forPayer.Lines = []fees.Line{{Designation: fmt.Sprintf("%s (part financée de la commande %s, %s)", designation, o.Number, eur(o.TTC)), Qty: 1, UnitHT: forPayer.TTC}}
	var out []store.Invoice
	for _, dr := range []store.InvoiceDraft{student, forPayer} {
		inv, err := tx.IssueInvoice(ctx, dr)
		if err != nil {
			return nil, err
		}
		out = append(out, inv)
	}
	return out, nil
}

// toPayer addresses an invoice draft to the payer: an invoice to a
// business, naming the student, with its due date and the mentions the
// law requires.
func (s *Service) toPayer(tx *store.Tx, draft store.InvoiceDraft, d store.Dossier, payer store.Payer) store.InvoiceDraft {
	terms := s.Issuer.PaymentTermsDays
	if terms <= 0 {
		terms = DefaultPaymentTermsDays
	}
	mentions := s.Issuer.BusinessMentions
	if len(mentions) == 0 {
		mentions = DefaultBusinessMentions
	}
	draft.StudentName = draft.ClientName + " (" + d.StudentID + ")"
	draft.ClientName, draft.ClientAddress, draft.ClientSIRET, draft.ClientRef = payer.Name, payer.Address, payer.SIRET, payer.PORef
	draft.DueDate = s.today(tx).AddDays(terms).String()
	draft.Mentions = strings.Join(mentions, "\n")
	return draft
}

// splittable refuses a share of an order that is not one line without VAT
// (every tuition order is: fees.OrderFor): its two parts are one line
// each, at the part's amount.
func splittable(o store.Order) error {
	if len(o.Lines) != 1 || o.TVA != 0 || o.Lines[0].VATRate != 0 {
		return fault.New(fault.Conflict, "order %s has VAT or several lines; a payer's share is for a one-line order without VAT", o.Number)
	}
	return nil
}

// joinNumbers lists document numbers as a result shows them ("9201, 9202").
func joinNumbers(list, number string) string {
	if list == "" {
		return number
	}
	return list + ", " + number
}
