package billing

import (
	"context"
	"fmt"
	"strings"

	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/fees"
	"github.com/inpctl/inpctl/internal/money"
	"github.com/inpctl/inpctl/internal/store"
)

// Reinvoice is what a code change on an invoiced order did.
type Reinvoice struct {
	OldInvoice string      `json:"old_invoice"`
	CreditNote string      `json:"credit_note"`
	Credited   money.Cents `json:"credited_cents"`
	NewOrder   string      `json:"new_order"`
	NewInvoice string      `json:"new_invoice"`
	Moved      money.Cents `json:"moved_cents"`  // payments moved to the new invoice
	Credit     money.Cents `json:"credit_cents"` // the student's credit afterwards
}

// WouldReinvoice reports whether setting a code for the student would
// cancel an issued invoice (the CLI asks for confirmation first).
func (s *Service) WouldReinvoice(ctx context.Context, studentID string) (bool, error) {
	d, err := s.DB.Dossier(ctx, studentID, s.Year)
	if err != nil {
		return false, err
	}
	o, ok, err := s.DB.OrderOf(ctx, d.ID)
	return ok && o.Invoiced, err
}

// IssueInvoice issues the invoice of a student's current order (refused for
// a zero-amount order, or when already issued).
func (s *Service) IssueInvoice(ctx context.Context, studentID string) (store.Invoice, error) {
	var inv store.Invoice
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		d, o, err := s.currentOrder(ctx, tx, studentID)
		if err != nil {
			return err
		}
		if o.Invoiced {
			cur, _, _ := tx.InvoiceOfOrder(ctx, o.ID)
			return fault.New(fault.Conflict, "student %s: order %s is already invoiced (invoice %s)", studentID, o.Number, cur.Number)
		}
		inv, err = s.issueFor(ctx, tx, d, o, "Droits de scolarité "+s.Year)
		if err != nil {
			return err
		}
		return tx.Audit(ctx, "invoice:"+inv.Number, fmt.Sprintf("issued for %s, order %s, %s", studentID, o.Number, eur(inv.TTC)))
	})
	return inv, err
}

func (s *Service) currentOrder(ctx context.Context, tx *store.Tx, studentID string) (store.Dossier, store.Order, error) {
	d, err := tx.Dossier(ctx, studentID, s.Year)
	if err != nil {
		return d, store.Order{}, err
	}
	o, ok, err := tx.CurrentOrder(ctx, d.ID)
	if err != nil {
		return d, o, err
	}
	if !ok {
		return d, o, fault.New(fault.Conflict, "student %s has no order yet: the dossier has no fee code", studentID).
			WithHint("set one with: inpctl dossier set-code %s CODE", studentID)
	}
	return d, o, nil
}

// issueFor issues the invoice of order o inside tx: the one function every
// path (explicit issue, first payment, re-invoicing) goes through. It
// returns the invoice the student pays (the whole, or the student's part
// of an order a payer pays a share of: issueParts issues both).
func (s *Service) issueFor(ctx context.Context, tx *store.Tx, d store.Dossier, o store.Order, libelle string) (store.Invoice, error) {
	invs, err := s.issueParts(ctx, tx, d, o, libelle)
	if err != nil {
		return store.Invoice{}, err
	}
	return invs[0], nil
}

func address(st store.Student) string {
	var parts []string
	for _, p := range []string{st.Address, strings.TrimSpace(st.Postcode + " " + st.City), st.Country} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, "\n")
}

// IssueCreditNote issues a credit note (partial or full) on an invoice;
// what was paid beyond what is now owed becomes the student's credit.
func (s *Service) IssueCreditNote(ctx context.Context, number string, amount money.Cents, reason string) (store.CreditNote, error) {
	if strings.TrimSpace(reason) == "" {
		return store.CreditNote{}, fault.New(fault.Usage, "a credit note needs a reason (--reason)")
	}
	var cn store.CreditNote
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		inv, err := tx.InvoiceByNumber(ctx, number)
		if err != nil {
			return err
		}
		cn, err = s.issueCreditNote(ctx, tx, inv, amount, reason, s.today(tx).String())
		if err != nil {
			return err
		}
		if _, _, err := s.replan(ctx, tx, inv.OrderID, s.today(tx)); err != nil {
			return err
		}
		if err := s.noticeCreditNote(ctx, tx, cn, inv); err != nil {
			return err
		}
		return tx.Audit(ctx, "credit_note:"+cn.Number, fmt.Sprintf("%s on invoice %s: %s", eur(amount), number, reason))
	})
	return cn, err
}

// reinvoice handles a code change on an invoiced order (SPEC §3): a credit
// note cancels the old invoice, a new order (and invoice, when not zero)
// is made, the payments move to it, and any excess stays as a credit.
func (s *Service) reinvoice(ctx context.Context, tx *store.Tx, d store.Dossier, cur store.Order, c CodeChange, lines []fees.Line, t fees.Totals) (store.Order, *Reinvoice, error) {
	if strings.TrimSpace(c.Reason) == "" {
		return store.Order{}, nil, fault.New(fault.Conflict, "student %s: order %s is invoiced; changing the code re-invoices and needs --reason", d.StudentID, cur.Number)
	}
	olds, err := tx.InvoicesOfOrder(ctx, cur.ID)
	if err != nil {
		return store.Order{}, nil, err
	}
	r := &Reinvoice{}
	date := s.today(tx).String()
	why := "changement de code " + cur.Code + " → " + c.Code + " : " + c.Reason
	if c.Code == cur.Code {
		why = c.Reason // the same order re-addressed (dossier set-payer)
	}
	libelle := ""
	for _, old := range olds {
		// Every part of the order is cancelled (a whole invoice, or the
		// student's and the payer's parts).
		if libelle == "" || old.Part != partPayer {
			libelle = old.Libelle
		}
		r.OldInvoice = joinNumbers(r.OldInvoice, old.Number)
		if Creditable(old) <= 0 {
			continue
		}
		cn, err := s.issueCreditNote(ctx, tx, old, Creditable(old), why, date)
		if err != nil {
			return store.Order{}, nil, err
		}
		r.CreditNote, r.Credited = joinNumbers(r.CreditNote, cn.Number), r.Credited+cn.Amount
		// A credit note is a document the student gets, whatever issued it
		// (issue 19): the code change's too.
		if err := s.noticeCreditNote(ctx, tx, cn, old); err != nil {
			return store.Order{}, nil, err
		}
	}
	if err := s.cancelLivePlan(ctx, tx, cur.ID, "fee code changed to "+c.Code); err != nil {
		return store.Order{}, nil, err
	}
	o, err := tx.SupersedeOrder(ctx, cur, c.Code, date, lines, t)
	if err != nil {
		return o, nil, err
	}
	r.NewOrder = o.Number
	if o.TTC > 0 {
		invs, err := s.issueParts(ctx, tx, d, o, libelle)
		if err != nil {
			return o, nil, err
		}
		o.Invoiced = true
		// The credit notes released the old allocations. The money the
		// dossier's credit notes took off its payments follows it to the new
		// invoices, oldest payment first, up to what each costs: the old
		// invoices' payments, and those an earlier code change left as a
		// credit (01 → 05 → 01 → 05 after a card payment must not ask for
		// the card money again). An excess accepted as a credit, or another
		// dossier's credit, moves only on `payment allocate`.
		free, err := tx.DossierPaymentsWithCredit(ctx, d.ID)
		if err != nil {
			return o, nil, err
		}
		for _, inv := range invs {
			r.NewInvoice = joinNumbers(r.NewInvoice, inv.Number)
			due := inv.TTC
			for k, p := range free {
				if (p.PayerID != 0) != invoiceFinanced(inv) {
					continue // the payer's money pays its part only, the student's never a financed one
				}
				take := min(p.Amount, due)
				if take <= 0 {
					continue
				}
				if err := tx.Allocate(ctx, p.ID, inv.ID, take); err != nil {
					return o, nil, err
				}
				free[k].Amount -= take
				due -= take
				r.Moved += take
			}
		}
	}
	if r.Credit, err = tx.StudentCredit(ctx, d.StudentID); err != nil {
		return o, nil, err
	}
	return o, r, nil
}

// cancelLivePlan cancels the order's live plan (its amounts were fixed for
// an order that no longer stands); the student may ask for a new one.
func (s *Service) cancelLivePlan(ctx context.Context, tx *store.Tx, orderID int64, reason string) error {
	p, ok, err := tx.LivePlan(ctx, orderID)
	if err != nil || !ok {
		return err
	}
	return tx.CancelPlan(ctx, p.ID, reason)
}
