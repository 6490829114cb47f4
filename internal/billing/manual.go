package billing

import (
	"context"
	"fmt"
	"strings"

	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/money"
	"github.com/inpctl/inpctl/internal/schedule"
	"github.com/inpctl/inpctl/internal/store"
)

// ManualPayment is a cheque, transfer or cash payment recorded by staff.
type ManualPayment struct {
	StudentID, Method, Ref string
	Amount                 money.Cents
	Date                   clock.Date // zero = today
	// AllowCredit accepts an amount above what the student owes: the rest
	// becomes a credit (refused otherwise, even with --yes).
	AllowCredit bool
	// AllowDuplicateRef accepts a reference already used for the same
	// student and method (a second cheque with the same number is more
	// often a slip than a second cheque).
	AllowDuplicateRef bool
	// Payer records a transfer from the order's third-party payer (the
	// dossier's, set with SetPayer): it pays that order only, never more
	// than it owes. Without it, a financed order refuses the payment.
	Payer bool
}

// PaymentResult is what recording a payment did.
type PaymentResult struct {
	Payment  store.Payment `json:"payment"`
	Credit   money.Cents   `json:"credit_cents"`        // left unallocated: the student's credit
	Covered  []int         `json:"instalments_covered"` // instalments now paid by it
	Currency string        `json:"currency"`
}

// PaymentPreview is what recording a payment would do, told before the
// clerk confirms.
type PaymentPreview struct {
	Owed   money.Cents `json:"owed_cents"`   // what the student owes now on the current order
	Credit money.Cents `json:"credit_cents"` // what of the amount would be a credit
}

// PreviewPayment says how much of a manual payment would become a credit.
func (s *Service) PreviewPayment(ctx context.Context, m ManualPayment) (PaymentPreview, error) {
	var pv PaymentPreview
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		var err error
		pv, err = s.previewPayment(ctx, tx, m)
		return err
	})
	return pv, err
}

func (s *Service) previewPayment(ctx context.Context, tx *store.Tx, m ManualPayment) (PaymentPreview, error) {
	_, o, err := s.currentOrder(ctx, tx, m.StudentID)
	if err != nil {
		return PaymentPreview{}, err
	}
	owing, err := owedOf(ctx, tx, o.ID)
	if err != nil {
		return PaymentPreview{}, err
	}
	if m.Payer {
		return PaymentPreview{Owed: owing.Payer, Credit: max(m.Amount-owing.Payer, 0)}, nil
	}
	owed := owing.Student // nothing of what a third party pays
	// Older open invoices of the student (another year) take the money first.
	open, err := openInvoices(ctx, tx, m.StudentID)
	if err != nil {
		return PaymentPreview{}, err
	}
	var other money.Cents
	for _, inv := range open {
		if inv.OrderID != o.ID && !invoiceFinanced(inv) {
			other += InvoiceDue(inv)
		}
	}
	pv := PaymentPreview{Owed: owed + other}
	pv.Credit = max(m.Amount-pv.Owed, 0)
	return pv, nil
}

// checkManual refuses what a clerk most likely did not mean: an unknown
// method, no reference, a reference already used for the same student and
// method, an amount above what is owed without AllowCredit.
func (s *Service) checkManual(ctx context.Context, tx *store.Tx, m ManualPayment) error {
	switch m.Method {
	case "cheque", "transfer", "cash":
	default:
		return fault.New(fault.Usage, "--method %q is not cheque, transfer or cash (card payments come from Paybox)", m.Method)
	}
	if strings.TrimSpace(m.Ref) == "" {
		return fault.New(fault.Usage, "a payment needs a reference (--ref: cheque number, transfer label…)")
	}
	if !m.AllowDuplicateRef {
		dup, ok, err := tx.PaymentWithRef(ctx, m.StudentID, m.Method, m.Ref)
		if err != nil {
			return err
		}
		if ok {
			return fault.New(fault.Conflict, "student %s: a %s with reference %q is already recorded (payment %s of %s on %s)",
				m.StudentID, m.Method, m.Ref, dup.Number, dup.Amount, dup.Date).
				WithHint("if it really is another payment, add --allow-duplicate-ref")
		}
	}
	_, o, err := s.currentOrder(ctx, tx, m.StudentID)
	if err != nil {
		return err
	}
	switch {
	case m.Payer && o.PayerName == "":
		return fault.New(fault.Conflict, "student %s: order %s has no payer; --payer records a transfer from the payer the dossier names", m.StudentID, o.Number).
			WithHint("name it with: inpctl dossier set-payer %s --name NAME --siret SIRET", m.StudentID)
	case !m.Payer && financed(o):
		return refuseStudentPays(m.StudentID, o, "the student cannot pay it")
	}
	if m.AllowCredit && !m.Payer {
		return nil
	}
	pv, err := s.previewPayment(ctx, tx, m)
	if err != nil {
		return err
	}
	if pv.Credit > 0 && m.Payer {
		return fault.New(fault.Conflict, "order %s owes %s to %s; a transfer of %s from the payer is %s too much", o.Number, pv.Owed, o.PayerName, m.Amount, pv.Credit).
			WithHint("a payer's transfer pays its order only: check the amount")
	}
	if pv.Credit > 0 {
		return fault.New(fault.Conflict, "student %s owes %s; a payment of %s would leave a credit of %s", m.StudentID, pv.Owed, m.Amount, pv.Credit).
			WithHint("check the amount; to record it anyway, add --allow-credit")
	}
	return nil
}

// RecordPayment records a manual payment: the invoice is issued if this is
// the order's first money; the payment goes to open invoices oldest first;
// the plan follows what is now owed (the money counts against the earliest
// instalments: a cheque for part of the rest lowers the next debits);
// what is left over is a credit, only when AllowCredit says so.
func (s *Service) RecordPayment(ctx context.Context, m ManualPayment) (PaymentResult, error) {
	res := PaymentResult{Currency: money.Currency}
	s.waitForCharges(ctx, m.StudentID)
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := s.checkManual(ctx, tx, m); err != nil {
			return err
		}
		if err := s.guardCharges(ctx, tx, m.StudentID); err != nil {
			return err
		}
		date := m.Date
		if date.IsZero() {
			date = s.today(tx)
		}
		_, o, err := s.currentOrder(ctx, tx, m.StudentID)
		if err != nil {
			return err
		}
		if o.TTC > 0 {
			if err := s.ensureInvoiceLibelle(ctx, tx, m.StudentID, o.ID, "Règlement par "+MethodFR(m.Method)); err != nil {
				return err
			}
		}
		before, _, err := tx.OrderPlan(ctx, o.ID)
		if err != nil {
			return err
		}
		pm := store.Payment{StudentID: m.StudentID, Date: date.String(), Amount: m.Amount, Method: m.Method, Ref: m.Ref}
		if m.Payer {
			d, err := tx.Dossier(ctx, m.StudentID, s.Year)
			if err != nil {
				return err
			}
			py, _, err := tx.PayerOf(ctx, d.ID)
			if err != nil {
				return err
			}
			pm.PayerID, pm.PayerName = py.ID, py.Name
		}
		p, err := tx.RecordPayment(ctx, pm)
		if err != nil {
			return err
		}
		if res.Credit, err = s.allocate(ctx, tx, p, o.ID); err != nil {
			return err
		}
		p.Allocated = p.Amount - res.Credit
		after, ok, err := s.replan(ctx, tx, o.ID, date)
		if err != nil {
			return err
		}
		if ok {
			res.Covered = newlyPaid(before, after)
		}
		res.Payment = p
		if err := s.noticePaymentReceived(ctx, tx, p, o.ID); err != nil {
			return err
		}
		from := ""
		if p.PayerName != "" {
			from = " from payer " + p.PayerName
		}
		return tx.Audit(ctx, "payment:"+p.Number, fmt.Sprintf("%s %s of %s%s for %s; instalments now paid: %d; credit %s", m.Method, m.Ref, m.Amount, from, m.StudentID, len(res.Covered), res.Credit))
	})
	return res, err
}

// MethodFR names a payment method in French, as documents and screens show it.
func MethodFR(method string) string {
	switch method {
	case "cheque":
		return "chèque"
	case "transfer":
		return "virement"
	case "cash":
		return "espèces"
	case "card":
		return "carte"
	}
	return method
}

// newlyPaid lists the instalments paid in after that were not in before.
func newlyPaid(before, after store.Plan) []int {
	was := map[int]string{}
	for _, in := range before.Instalments {
		was[in.Seq] = in.Status
	}
	var out []int
	for _, in := range after.Instalments {
		if in.Status == string(schedule.InstalmentPaid) && was[in.Seq] != in.Status {
			out = append(out, in.Seq)
		}
	}
	return out
}

// ensureInvoiceLibelle is ensureInvoice with the libellé of the first money.
func (s *Service) ensureInvoiceLibelle(ctx context.Context, tx *store.Tx, studentID string, orderID int64, libelle string) error {
	if _, ok, err := tx.InvoiceOfOrder(ctx, orderID); err != nil || ok {
		return err
	}
	d, o, err := s.currentOrder(ctx, tx, studentID)
	if err != nil {
		return err
	}
	_, err = s.issueFor(ctx, tx, d, o, libelle)
	return err
}
