package billing

import (
	"context"
	"fmt"
	"strings"

	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/money"
	"github.com/inpctl/inpctl/internal/schedule"
	"github.com/inpctl/inpctl/internal/store"
)

// Owing is what an order still owes, and who owes it: the student, and
// the third party that pays the order or a share of it (SPEC §4).
type Owing struct {
	Student money.Cents `json:"student_cents"`
	Payer   money.Cents `json:"payer_cents"`
}

// Total is what the order owes, whoever pays it.
func (o Owing) Total() money.Cents { return o.Student + o.Payer }

// OwedBy is what an order still owes (SPEC §5): invoiced TTC − credit
// notes − net payments allocated to its invoices (payments less unpaids,
// voids and what credit notes released); an order not yet invoiced owes its
// TTC. It is split by who owes it: an order invoiced in parts (a payer's
// share) owes the payer what its invoice still owes and the student the
// rest; an order a third party pays whole owes the payer all of it;
// otherwise the student owes all of it. This is the one definition:
// plans, debits, payment links and db check are computed from it, never
// from a stored running total.
func OwedBy(m store.OrderMoney) Owing {
	financed := FinancedPart(m.TTC, m.Financed, m.Payer, m.Share)
	if !m.Invoiced {
		return Owing{Student: m.TTC - financed, Payer: financed}
	}
	total := due(m.TTC, m.Credited, m.Allocated)
	switch {
	case m.InParts:
		payer := due(m.PayerPart.TTC, m.PayerPart.Credited, m.PayerPart.Allocated)
		return Owing{Student: total - payer, Payer: payer}
	case financed >= m.TTC:
		return Owing{Payer: total}
	}
	return Owing{Student: total}
}

// planBase is what the student's plan p must collect: what the student
// owes now plus what the student paid on the order since the plan was
// approved (the payer's money is no part of a plan). At approval it is what
// the student owed then.
func planBase(m store.OrderMoney) money.Cents {
	return OwedBy(m).Student + m.AllocatedAfter - m.PayerPart.AllocatedAfter
}

// replan brings the order's plan in line with the ledger (schedule.Replan),
// in the caller's transaction, after any event that changed what the order
// owes or received: the instalments' amounts and statuses are rewritten,
// an approved plan whose first instalment is now paid becomes active (its
// due dates fixed from today), an active plan with nothing left becomes
// completed, and a completed plan that owes again is reopened. A requested
// plan has no amounts yet and is left alone. It returns the plan as it now
// stands (ok false when the order has no plan to follow).
func (s *Service) replan(ctx context.Context, tx *store.Tx, orderID int64, today clock.Date) (store.Plan, bool, error) {
	p, ok, err := tx.OrderPlan(ctx, orderID)
	if err != nil || !ok || p.Status == string(schedule.PlanRequested) || len(p.Instalments) == 0 {
		return p, false, err
	}
	m, err := tx.OrderMoney(ctx, orderID, p.PaidBefore)
	if err != nil {
		return p, false, err
	}
	base := planBase(m)
	slots := schedule.Replan(schedule.Plan(p.Plan), s.Rules, base, base-OwedBy(m).Student)
	if len(slots) != len(p.Instalments) {
		return p, false, fmt.Errorf("plan %d has %d instalments, its shape %d", p.ID, len(p.Instalments), len(slots))
	}
	status := schedule.PlanStatus(p.Status)
	activate := status == schedule.PlanApproved && slots[0].Status() == schedule.InstalmentPaid
	var dates []clock.Date
	if activate {
		dates = schedule.DueDates(today, len(slots), s.Rules.DebitDay)
	}
	var changes []string
	for k, sl := range slots {
		in := p.Instalments[k]
		next := nextInstalment(in, sl, today)
		if activate {
			next.Due = dates[k].String()
		}
		if next == in {
			continue
		}
		if next.Status != in.Status {
			if err := schedule.CheckInstalmentTransition(schedule.InstalmentStatus(in.Status), schedule.InstalmentStatus(next.Status)); err != nil {
				return p, false, fmt.Errorf("plan %d instalment %d: %w", p.ID, in.Seq, err)
			}
		}
		if err := tx.WriteInstalment(ctx, next); err != nil {
			return p, false, err
		}
		changes = append(changes, fmt.Sprintf("%d: %s %s → %s %s", in.Seq, in.Amount, in.Status, next.Amount, next.Status))
		p.Instalments[k] = next
	}
	to := status
	switch {
	case activate:
		to = schedule.PlanActive
	case status == schedule.PlanActive && schedule.Remaining(slots) == 0:
		to = schedule.PlanCompleted
	case status == schedule.PlanCompleted && schedule.Remaining(slots) > 0:
		to = schedule.PlanActive
	case status == schedule.PlanApproved && schedule.Remaining(slots) == 0:
		to = schedule.PlanCancelled // nothing was paid on it, and nothing is left to collect
	}
	if to != status {
		if err := schedule.CheckPlanTransition(status, to); err != nil {
			return p, false, fmt.Errorf("plan %d: %w", p.ID, err)
		}
		if err := tx.SetPlanStatus(ctx, p, to, "", ""); err != nil {
			return p, false, err
		}
		changes = append(changes, fmt.Sprintf("plan %s → %s", status, to))
		p.Status = string(to)
		if to == schedule.PlanActive && activate {
			// a 1x plan paid in full goes on to completed in the same step
			if schedule.Remaining(slots) == 0 {
				if err := tx.SetPlanStatus(ctx, p, schedule.PlanCompleted, "", ""); err != nil {
					return p, false, err
				}
				p.Status = string(schedule.PlanCompleted)
				changes = append(changes, "plan active → completed")
			}
		}
	}
	p.NextDue, p.NextAmount = "", 0
	for _, in := range p.Instalments {
		if in.Status == string(schedule.InstalmentPending) || in.Status == string(schedule.InstalmentFailed) {
			p.NextDue, p.NextAmount = in.Due, in.Amount
			break
		}
	}
	if len(changes) == 0 {
		return p, true, nil
	}
	return p, true, tx.Audit(ctx, "plan:"+p.StudentID, fmt.Sprintf("%s plan of order %s follows what it owes (%s, base %s): %s",
		p.Plan, p.OrderNumber, OwedBy(m).Student, base, strings.Join(changes, "; ")))
}

// nextInstalment is what instalment in becomes under slot sl: its amount is
// what the slot still asks (or, once paid, its part; a cancelled one keeps
// its last amount, the schema wants every amount above 0), its status the
// slot's, a failed instalment stays failed while it still asks something.
func nextInstalment(in store.Instalment, sl schedule.Slot, today clock.Date) store.Instalment {
	out := in
	switch sl.Status() {
	case schedule.InstalmentCancelled:
		// paid_date keeps the day it was cancelled, so that a position as of
		// an earlier day still sees it pending (billing.InstalmentStatusAt).
		if in.Status != string(schedule.InstalmentCancelled) || out.PaidDate == "" {
			out.PaidDate = today.String()
		}
		out.Status = string(schedule.InstalmentCancelled)
	case schedule.InstalmentPaid:
		out.Status, out.Amount = string(schedule.InstalmentPaid), sl.Part
		if in.Status != string(schedule.InstalmentPaid) || out.PaidDate == "" {
			out.PaidDate = today.String()
		}
	default:
		out.Amount, out.PaidDate = sl.Left, ""
		if in.Status != string(schedule.InstalmentFailed) {
			out.Status = string(schedule.InstalmentPending)
		}
	}
	return out
}

// owedOf reads what an order owes now, and who owes it (the one rule,
// from the ledger).
func owedOf(ctx context.Context, tx *store.Tx, orderID int64) (Owing, error) {
	m, err := tx.OrderMoney(ctx, orderID, 0)
	if err != nil {
		return Owing{}, err
	}
	return OwedBy(m), nil
}
