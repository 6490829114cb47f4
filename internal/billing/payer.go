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
}

// PayerResult is what setting a payer did.
type PayerResult struct {
	Payer      store.Payer `json:"payer"`
	Order      string      `json:"order"`
	Reinvoiced *Reinvoice  `json:"reinvoiced,omitempty"` // the student's invoice re-addressed to the payer
}

// financed reports whether a third party pays order o: its code is
// financed (42) or the dossier names a payer. The student pays none of it
// (SPEC §4).
func financed(o store.Order) bool {
	return o.TTC > 0 && FinancedPart(o.TTC, o.Financed, o.PayerName) >= o.TTC
}

// invoiceFinanced is financed for the order of an invoice.
func invoiceFinanced(inv store.Invoice) bool {
	return inv.TTC > 0 && FinancedPart(inv.TTC, inv.OrderFinanced, inv.PayerName) >= inv.TTC
}

// FinancedPart is the part of an order's TTC a third party pays (the
// seed's "Financé TTC"): all of it when the dossier names a payer, else
// what the fee code finances (all of it for code 42, nothing otherwise).
func FinancedPart(ttc, byCode money.Cents, payer string) money.Cents {
	if payer != "" {
		return ttc
	}
	return min(byCode, ttc)
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

// SetPayer names the third party that pays a dossier's whole order. It is
// refused while the student has a plan or has paid something on the order
// (the two would pay twice); an invoice already addressed to the student
// is cancelled by a credit note and issued again to the payer.
func (s *Service) SetPayer(ctx context.Context, in PayerInput) (PayerResult, error) {
	var res PayerResult
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" {
		return res, fault.New(fault.Usage, "a payer needs a name (--name)")
	}
	in.SIRET = siret.Normalize(in.SIRET)
	if err := siret.Check(in.SIRET); err != nil {
		return res, fault.New(fault.Usage, "--siret: %v", err)
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
		if o.TTC == 0 {
			return fault.New(fault.Conflict, "student %s: order %s is 0,00 €; there is nothing for a payer to pay", in.StudentID, o.Number)
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
			return fault.New(fault.Conflict, "student %s: %s is already paid on order %s; a payer for the whole order would pay it twice", in.StudentID, paid, o.Number).
				WithHint("refund or move the student's money first (inpctl refund, inpctl payment void)")
		}
		p, err := tx.SetPayer(ctx, store.Payer{DossierID: d.ID, Name: in.Name, SIRET: in.SIRET, Address: strings.Join(in.Address, "\n"), PORef: strings.TrimSpace(in.PORef)})
		if err != nil {
			return err
		}
		res.Payer, res.Order = p, o.Number
		o.PayerName = p.Name
		if o.Invoiced {
			inv, _, err := tx.InvoiceOfOrder(ctx, o.ID)
			if err != nil {
				return err
			}
			if inv.ClientSIRET != p.SIRET || inv.ClientName != p.Name {
				t := fees.Totals{HT: o.HT, TVA: o.TVA, TTC: o.TTC, Financed: o.Financed}
				c := CodeChange{StudentID: in.StudentID, Code: o.Code, Reason: "facture adressée au financeur " + p.Name}
				no, r, err := s.reinvoice(ctx, tx, d, o, c, o.Lines, t)
				if err != nil {
					return err
				}
				res.Reinvoiced, res.Order = r, no.Number
			}
		}
		// The SIRET is written as SIREN and establishment number apart:
		// whole, it passes the Luhn check and would read as a card number
		// in the audit log (db check E011).
		return tx.Audit(ctx, "payer:"+in.StudentID, fmt.Sprintf("payer of order %s (%s): %s, SIREN %s, établissement %s, ref %q",
			o.Number, s.Year, p.Name, p.SIRET[:9], p.SIRET[9:], p.PORef))
	})
	return res, err
}
