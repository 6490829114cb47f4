package billing

import (
	"context"
	"fmt"
	"strings"

	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/fees"
	"github.com/inpctl/inpctl/internal/money"
	"github.com/inpctl/inpctl/internal/schedule"
	"github.com/inpctl/inpctl/internal/store"
)

// Exemption is what an exemption decision did to an order and its plan.
type Exemption struct {
	Plan       store.Plan  `json:"plan"`
	Decision   string      `json:"decision"`
	Tariff     money.Cents `json:"exempted_tariff_cents"` // what the order costs now
	Cancelled  int         `json:"cancelled_instalments"`
	Amount     money.Cents `json:"cancelled_cents"`
	CreditNote string      `json:"credit_note"` // "" when the order had no invoice yet (it was re-priced)
	Credited   money.Cents `json:"credited_cents"`
	Credit     money.Cents `json:"credit_cents"` // the student's refundable credit afterwards
	Currency   string      `json:"currency"`
}

// ExemptTariff is what an exempted order costs: the national fee of the
// programme and year (the tariff of code 01), or, for a programme without
// one, the fixed first part of a 5x plan (628,00 € by default).
func (s *Service) ExemptTariff(programme, year string) money.Cents {
	if _, t, err := fees.OrderFor(s.Cat, programme, year, "01"); err == nil {
		return t.TTC
	}
	return s.Rules.FirstAmount5x
}

// Exempt applies an exemption decision (commission d'exonération) to a
// student's order, in one transaction, whatever was paid so far: the order
// comes down to the exempted tariff (a credit note for the difference when
// it is invoiced; re-priced in place when not), and its plan follows the
// rule of what is owed. Before any payment the first instalment stays
// payable; after the first instalment of a 5x plan the four others are
// cancelled; what was paid beyond the tariff becomes a refundable credit.
// A requested plan is cancelled: the amount it was asked for no longer
// stands.
func (s *Service) Exempt(ctx context.Context, studentID, decision string) (Exemption, error) {
	decision = strings.TrimSpace(decision)
	if decision == "" {
		return Exemption{}, fault.New(fault.Usage, "an exemption needs the decision's reference (--decision)")
	}
	ex := Exemption{Decision: decision, Currency: money.Currency}
	s.waitForCharges(ctx, studentID)
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := s.guardCharges(ctx, tx, studentID); err != nil {
			return err
		}
		d, o, err := s.currentOrder(ctx, tx, studentID)
		if err != nil {
			return err
		}
		if financed(o) {
			// An exemption lowers what the student owes; a financed order's
			// money is the payer's, and what it gets back is not the
			// student's credit.
			return refuseStudentPays(studentID, o, "an exemption (the student's fee) does not apply to it").
				WithHint("to lower what the payer owes, issue a credit note: inpctl invoice credit NUMBER --amount A --reason TEXT")
		}
		if sharedOrder(o) {
			// Which part the exemption would lower is the commission's and
			// the payer's to say, not a rule's.
			return fault.New(fault.Conflict, "student %s: %s pays %s of order %s; an exemption does not apply to an order a payer shares",
				studentID, o.PayerName, o.PayerShare, o.Number).
				WithHint("lower a part with a credit note: inpctl invoice credit NUMBER --amount A --reason TEXT")
		}
		ex.Tariff = s.ExemptTariff(d.Programme, d.Year)
		m, err := tx.OrderMoney(ctx, o.ID, 0)
		if err != nil {
			return err
		}
		diff := m.TTC - m.Credited - ex.Tariff
		if diff <= 0 {
			return fault.New(fault.Conflict, "student %s: order %s already costs %s, at or below the exempted tariff %s; there is nothing to exempt",
				studentID, o.Number, m.TTC-m.Credited, ex.Tariff)
		}
		before, hadPlan, err := tx.OrderPlan(ctx, o.ID)
		if err != nil {
			return err
		}
		if hadPlan && before.Status == string(schedule.PlanRequested) {
			if err := tx.CancelPlan(ctx, before.ID, "exemption decision "+decision+": the amount asked for no longer stands"); err != nil {
				return err
			}
		}
		if err := s.lowerOrder(ctx, tx, d, o, m, diff, &ex); err != nil {
			return err
		}
		after, ok, err := s.replan(ctx, tx, o.ID, s.today(tx))
		if err != nil {
			return err
		}
		if ok {
			ex.Plan = after
			countCancelled(before, after, &ex)
		} else if hadPlan {
			ex.Plan, err = tx.Plan(ctx, before.ID)
			if err != nil {
				return err
			}
		}
		if ex.Credit, err = tx.StudentCredit(ctx, studentID); err != nil {
			return err
		}
		if err := s.noticeExemption(ctx, tx, studentID, o, ex); err != nil {
			return err
		}
		return tx.Audit(ctx, "dossier:"+studentID, fmt.Sprintf("exemption decision %s: order %s down to %s (%s less); %d instalment(s) cancelled; credit %s",
			decision, o.Number, ex.Tariff, diff, ex.Cancelled, ex.Credit))
	})
	return ex, err
}

// lowerOrder brings order o down by diff: a credit note on its invoice, or,
// before any invoice, the order re-priced at the exempted tariff.
func (s *Service) lowerOrder(ctx context.Context, tx *store.Tx, d store.Dossier, o store.Order, m store.OrderMoney, diff money.Cents, ex *Exemption) error {
	inv, invoiced, err := tx.InvoiceOfOrder(ctx, o.ID)
	if err != nil {
		return err
	}
	if invoiced {
		reason := fmt.Sprintf("Commission d'exonération, décision %s : droits ramenés à %s", ex.Decision, ex.Tariff)
		cn, err := s.issueCreditNote(ctx, tx, inv, diff, reason, s.today(tx).String())
		if err != nil {
			return err
		}
		ex.CreditNote, ex.Credited = cn.Number, cn.Amount
		return tx.Audit(ctx, "credit_note:"+cn.Number, fmt.Sprintf("%s on invoice %s: exemption decision %s", eur(cn.Amount), inv.Number, ex.Decision))
	}
	lines := []fees.Line{{Designation: fees.Designation, Qty: 1, UnitHT: ex.Tariff}}
	t := fees.SumLines(lines)
	t.Financed = min(o.Financed, t.TTC)
	_, err = tx.SaveOrderOver(ctx, d.ID, o, true, o.Code, o.Date, lines, t)
	return err
}

// countCancelled counts the instalments the exemption cancelled.
func countCancelled(before, after store.Plan, ex *Exemption) {
	was := map[int]store.Instalment{}
	for _, in := range before.Instalments {
		was[in.Seq] = in
	}
	for _, in := range after.Instalments {
		old, ok := was[in.Seq]
		if ok && in.Status == string(schedule.InstalmentCancelled) && old.Status != in.Status {
			ex.Cancelled++
			ex.Amount += old.Amount
		}
	}
}

// CancelPlan cancels a student's plan on which nothing has been paid
// (requested, approved, or a 1x not yet paid), so the student can choose
// again (seed 2a: the student first looks at the amount).
func (s *Service) CancelPlan(ctx context.Context, studentID, reason string) (store.Plan, error) {
	if strings.TrimSpace(reason) == "" {
		return store.Plan{}, fault.New(fault.Usage, "cancelling a plan needs a reason (--reason)")
	}
	var p store.Plan
	s.waitForCharges(ctx, studentID)
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := s.guardCharges(ctx, tx, studentID); err != nil {
			return err
		}
		var err error
		if p, err = s.dossierPlan(ctx, tx, studentID); err != nil {
			return err
		}
		switch schedule.PlanStatus(p.Status) {
		case schedule.PlanRequested, schedule.PlanApproved:
		default:
			return fault.New(fault.Conflict, "student %s: the %s plan is %s; only a plan on which nothing was paid can be cancelled", studentID, p.Plan, p.Status).
				WithHint("see it with: inpctl schedule show %s", studentID)
		}
		m, err := tx.OrderMoney(ctx, p.OrderID, p.PaidBefore)
		if err != nil {
			return err
		}
		if m.AllocatedAfter > 0 {
			return fault.New(fault.Conflict, "student %s: %s was already paid on the %s plan; it cannot be cancelled", studentID, m.AllocatedAfter, p.Plan)
		}
		if err := tx.CancelPlan(ctx, p.ID, reason); err != nil {
			return err
		}
		p, err = tx.Plan(ctx, p.ID)
		return err
	})
	return p, err
}

// Unblock lifts the block of a student's current order after staff acted
// (a new card, a call): the failed instalments are due again at once, with
// a fresh retry count. The block's trace stays on the order and in the
// audit log.
func (s *Service) Unblock(ctx context.Context, studentID, reason string) error {
	if strings.TrimSpace(reason) == "" {
		return fault.New(fault.Usage, "lifting a block needs a reason (--reason)")
	}
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		_, o, err := s.currentOrder(ctx, tx, studentID)
		if err != nil {
			return err
		}
		if o.BlockedReason == "" {
			return fault.New(fault.Conflict, "student %s: order %s is not blocked", studentID, o.Number)
		}
		return s.unblock(ctx, tx, o, reason)
	})
}

// unblock lifts order o's block in the caller's transaction.
func (s *Service) unblock(ctx context.Context, tx *store.Tx, o store.Order, reason string) error {
	if err := tx.UnblockOrder(ctx, o.ID, reason); err != nil {
		return err
	}
	p, ok, err := tx.OrderPlan(ctx, o.ID)
	if err != nil {
		return err
	}
	for _, in := range p.Instalments {
		if !ok || in.Status != string(schedule.InstalmentFailed) {
			continue
		}
		in.Status, in.Attempts, in.NextTry = string(schedule.InstalmentPending), 0, ""
		if err := tx.WriteInstalment(ctx, in); err != nil {
			return err
		}
	}
	return tx.Audit(ctx, "order:"+o.Number, fmt.Sprintf("block lifted (%s): was %q", reason, o.BlockedReason))
}
