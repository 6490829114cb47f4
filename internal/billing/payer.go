package billing

import (
	"context"
	"fmt"
	"strings"

	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/fees"
	"github.com/inpctl/inpctl/internal/money"
	"github.com/inpctl/inpctl/internal/siret"
	"github.com/inpctl/inpctl/internal/store"
)

// PayerInput is what `dossier set-payer` gives.
type PayerInput struct {
	StudentID string
	Name      string
	SIRET     string
	Address   []string // one line each
	PORef     string   // purchase order or contract reference
	// Share is the part of the order's TTC the payer pays (--share): 0 is
	// the whole order; otherwise above 0 and below the TTC, the student
	// paying the rest.
	Share money.Cents
}

// PayerResult is what setting a payer did.
type PayerResult struct {
	Payer      store.Payer `json:"payer"`
	Order      string      `json:"order"`
	Reinvoiced *Reinvoice  `json:"reinvoiced,omitempty"` // the student's invoice re-addressed to the payer
	// Invoices are the invoices issued now for the payer's share and the
	// student's part (an order not yet invoiced): the payer's last.
	Invoices []string `json:"invoices"`
}

// financed reports whether a third party pays the whole of order o: its
// code is financed (42) or the dossier names a payer with no share. The
// student pays none of it (SPEC §4).
func financed(o store.Order) bool {
	return o.TTC > 0 && FinancedPart(o.TTC, o.Financed, o.PayerName != "", o.PayerShare) >= o.TTC
}

// invoiceFinanced reports whether an invoice is the third party's to pay:
// the payer's part of an order invoiced in parts, or the invoice of an
// order a third party pays whole. The student's money never pays it.
func invoiceFinanced(inv store.Invoice) bool {
	switch inv.Part {
	case partPayer:
		return true
	case partStudent:
		return false
	}
	return inv.TTC > 0 && FinancedPart(inv.TTC, inv.OrderFinanced, inv.PayerName != "", inv.PayerShare) >= inv.TTC
}

// The parts of an order invoiced for a payer's share (store.Invoice.Part).
const (
	partStudent = "student"
	partPayer   = "payer"
)

// FinancedPart is the part of an order's TTC a third party pays (the
// seed's "Financé TTC"): the payer's share when the dossier names a payer
// (all of it when the share is 0 or not below the TTC), else what the fee
// code finances (all of it for code 42, nothing otherwise).
func FinancedPart(ttc, byCode money.Cents, payer bool, share money.Cents) money.Cents {
	if payer {
		if share > 0 {
			return min(share, ttc)
		}
		return ttc
	}
	return min(byCode, ttc)
}

// sharedOrder reports whether the payer pays a share of order o, not all
// of it: the order is invoiced in two parts.
func sharedOrder(o store.Order) bool {
	return o.PayerName != "" && o.PayerShare > 0 && o.PayerShare < o.TTC
}

// refuseStudentPays is the refusal of every way a student could pay a
// financed order (pay link, schedule request, charge, payment record
// without --payer), naming the payer.
func refuseStudentPays(studentID string, o store.Order, what string) *fault.Error {
	who := "a third party (code " + o.Code + ")"
	hint := fmt.Sprintf("name the payer with: inpctl dossier set-payer %s --name NAME --siret SIRET", studentID)
	if o.PayerName != "" {
		who = o.PayerName
		hint = fmt.Sprintf("record the payer's transfer with: inpctl payment record %s --payer --method transfer --ref TEXT --amount A", studentID)
	}
	return fault.New(fault.Conflict, "student %s: order %s is financed by %s; %s", studentID, o.Number, who, what).WithHint("%s", hint)
}

// SetPayer names the third party that pays a dossier's order: the whole
// order, or a share of its TTC (the student paying the rest). It is
// refused while the student has a plan or has paid something on the order
// (the two would pay twice). An invoice already issued that does not say
// who pays what is cancelled by a credit note and issued again: to the
// payer for the whole, or in two parts; an order not yet invoiced with a
// share gets its two invoices now (the payer's to pay it, the student's to
// see what is left).
func (s *Service) SetPayer(ctx context.Context, in PayerInput) (PayerResult, error) {
	res := PayerResult{Invoices: []string{}}
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" {
		return res, fault.New(fault.Usage, "a payer needs a name (--name)")
	}
	in.SIRET = siret.Normalize(in.SIRET)
	if err := siret.Check(in.SIRET); err != nil {
		return res, fault.New(fault.Usage, "--siret: %v", err)
	}
	if in.Share < 0 {
		return res, fault.New(fault.Usage, "--share %s is not above 0,00 €", in.Share)
	}
	s.waitForCharges(ctx, in.StudentID)
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := s.guardCharges(ctx, tx, in.StudentID); err != nil {
			return err
		}
		d, o, err := s.currentOrder(ctx, tx, in.StudentID)
		if err != nil {
			return err
		}
		if err := s.payerRefusals(ctx, tx, in, o); err != nil {
			return err
		}
		p, err := tx.SetPayer(ctx, store.Payer{DossierID: d.ID, Name: in.Name, SIRET: in.SIRET, Address: strings.Join(in.Address, "\n"),
			PORef: strings.TrimSpace(in.PORef), Share: in.Share})
		if err != nil {
			return err
		}
		res.Payer, res.Order = p, o.Number
		o.PayerName, o.PayerShare = p.Name, p.Share
		if err := s.invoiceForPayer(ctx, tx, d, o, p, &res); err != nil {
			return err
		}
		share := "the whole order"
		if p.Share > 0 {
			share = "a share of " + eur(p.Share) + " of " + eur(o.TTC)
		}
		// The SIRET is written as SIREN and establishment number apart:
		// whole, it passes the Luhn check and would read as a card number
		// in the audit log (db check E011).
		return tx.Audit(ctx, "payer:"+in.StudentID, fmt.Sprintf("payer of order %s (%s): %s, SIREN %s, établissement %s, ref %q, %s",
			o.Number, s.Year, p.Name, p.SIRET[:9], p.SIRET[9:], p.PORef, share))
	})
	return res, err
}

// payerRefusals are the reasons not to name a payer for order o now.
func (s *Service) payerRefusals(ctx context.Context, tx *store.Tx, in PayerInput, o store.Order) error {
	if o.TTC == 0 {
		return fault.New(fault.Conflict, "student %s: order %s is 0,00 €; there is nothing for a payer to pay", in.StudentID, o.Number)
	}
	if in.Share >= o.TTC {
		return fault.New(fault.Usage, "--share %s is not below the TTC of order %s (%s)", in.Share, o.Number, o.TTC).
			WithHint("a payer of the whole order takes no --share")
	}
	if in.Share > 0 {
		if err := splittable(o); err != nil {
			return err
		}
	}
	if p, live, err := tx.LivePlan(ctx, o.ID); err != nil {
		return err
	} else if live {
		return fault.New(fault.Conflict, "student %s has a %s plan (%s) on order %s; the payer would pay what the student pays", in.StudentID, p.Plan, p.Status, o.Number).
			WithHint("cancel it first: inpctl schedule cancel %s --reason TEXT", in.StudentID)
	}
	m, err := tx.OrderMoney(ctx, o.ID, 0)
	if err != nil {
		return err
	}
	if m.Credited > 0 {
		// Issued again to the payer, the invoice would be for the
		// order's full price, not what the credit notes left of it.
		return fault.New(fault.Conflict, "student %s: the invoice of order %s has credit notes (%s); it cannot be re-addressed to a payer", in.StudentID, o.Number, m.Credited).
			WithHint("set the fee code again (dossier set-code) to get a new order, then name the payer")
	}
	if paid := m.Allocated; paid > 0 {
		return fault.New(fault.Conflict, "student %s: %s is already paid on order %s; a payer for the whole order or a share of it would pay it twice", in.StudentID, paid, o.Number).
			WithHint("refund or move the student's money first (inpctl refund, inpctl payment void)")
	}
	return nil
}

// invoiceForPayer makes the invoices of order o say who pays what, now
// that p pays it (all of it, or its share): invoices that do not are
// cancelled and issued again (reinvoice); an order not yet invoiced with a
// share gets its two invoices.
func (s *Service) invoiceForPayer(ctx context.Context, tx *store.Tx, d store.Dossier, o store.Order, p store.Payer, res *PayerResult) error {
	if !o.Invoiced {
		if !sharedOrder(o) {
			return nil // issued when asked (invoice issue) or with the payer's money
		}
		invs, err := s.issueParts(ctx, tx, d, o, "Droits de scolarité "+s.Year)
		for _, inv := range invs {
			res.Invoices = append(res.Invoices, inv.Number)
		}
		return err
	}
	invs, err := tx.InvoicesOfOrder(ctx, o.ID)
	if err != nil {
		return err
	}
	if invoicedFor(invs, o, p) {
		return nil
	}
	t := fees.Totals{HT: o.HT, TVA: o.TVA, TTC: o.TTC, Financed: o.Financed}
	c := CodeChange{StudentID: d.StudentID, Code: o.Code, Reason: "facture adressée au financeur " + p.Name}
	no, r, err := s.reinvoice(ctx, tx, d, o, c, o.Lines, t)
	if err != nil {
		return err
	}
	res.Reinvoiced, res.Order = r, no.Number
	return nil
}

// invoicedFor reports whether the invoices of order o already say what
// payer p pays: one invoice addressed to it for the whole order, or the
// two parts, the payer's addressed to it for its share.
func invoicedFor(invs []store.Invoice, o store.Order, p store.Payer) bool {
	to := func(inv store.Invoice) bool { return inv.ClientSIRET == p.SIRET && inv.ClientName == p.Name }
	if !sharedOrder(o) {
		return len(invs) == 1 && invs[0].Part == "" && to(invs[0])
	}
	for _, inv := range invs {
		if inv.Part == partPayer {
			return len(invs) == 2 && to(inv) && inv.TTC == p.Share
		}
	}
	return false
}
