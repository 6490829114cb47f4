package billing

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/fees"
	"github.com/inpctl/inpctl/internal/gateway"
	"github.com/inpctl/inpctl/internal/schedule"
	"github.com/inpctl/inpctl/internal/store"
)

// PlanRequest is a student's choice of plan (échéancier).
type PlanRequest struct {
	StudentID, Plan string
	Line            int // line of a bulk file (0 for one student)
}

// RequestPlan records a student's choice of plan, in one transaction. A 3x
// or 5x plan waits for the accounting office; a 1x plan is approved at once
// with its one instalment.
func (s *Service) RequestPlan(ctx context.Context, r PlanRequest) (store.Plan, error) {
	var p store.Plan
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		var err error
		p, err = s.requestPlan(ctx, tx, r)
		return err
	})
	return p, err
}

// PlansRequested is what RequestPlans recorded: how many plans, and how
// many of them wait for schedule approve (3x and 5x; a 1x plan is approved
// at once).
type PlansRequested struct {
	Recorded, Waiting int
}

// RequestPlans records many choices all or nothing: every refused row is
// returned with its line, and then nothing is written.
func (s *Service) RequestPlans(ctx context.Context, rs []PlanRequest, file string) (PlansRequested, []RowError, error) {
	var rowErrs []RowError
	var res PlansRequested
	errRows := errors.New("rows refused")
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		for _, r := range rs {
			p, err := s.requestPlan(ctx, tx, r)
			if err != nil {
				if fault.KindOf(err) == fault.Failure {
					return err
				}
				rowErrs = append(rowErrs, RowError{r.Line, err})
				continue
			}
			if p.Status == string(schedule.PlanRequested) {
				res.Waiting++
			}
		}
		if len(rowErrs) > 0 {
			return errRows
		}
		return tx.Audit(ctx, "plans", fmt.Sprintf("schedule request --from %s: %d plans requested", file, len(rs)))
	})
	if errors.Is(err, errRows) {
		return PlansRequested{}, rowErrs, nil
	}
	if err != nil {
		return PlansRequested{}, nil, err
	}
	res.Recorded = len(rs)
	return res, nil, nil
}

func (s *Service) requestPlan(ctx context.Context, tx *store.Tx, r PlanRequest) (store.Plan, error) {
	plan, err := schedule.ParsePlan(r.Plan)
	if err != nil {
		return store.Plan{}, forStudent(r.StudentID, err)
	}
	d, o, err := s.planOrder(ctx, tx, r.StudentID)
	if err != nil {
		return store.Plan{}, err
	}
	cur, ok, err := tx.DossierPlan(ctx, d.ID)
	if err != nil {
		return store.Plan{}, err
	}
	switch {
	case ok && cur.Live():
		return store.Plan{}, fault.New(fault.Conflict, "student %s already has a %s plan (%s)", r.StudentID, cur.Plan, cur.Status).
			WithHint("see it with: inpctl schedule show %s", r.StudentID)
	case ok && cur.Status == string(schedule.PlanCompleted) && cur.OrderID == o.ID:
		return store.Plan{}, fault.New(fault.Conflict, "student %s: order %s is already paid in full (%s plan completed)", r.StudentID, o.Number, cur.Plan)
	}
	owing, err := owedOf(ctx, tx, o.ID)
	if err != nil {
		return store.Plan{}, err
	}
	owed := owing.Student // a plan schedules the student's part only
	if owed <= 0 && o.TTC > 0 {
		return store.Plan{}, fault.New(fault.Conflict, "student %s: order %s owes nothing (%s paid or credited)", r.StudentID, o.Number, o.TTC).
			WithHint("see the account with: inpctl account show %s", r.StudentID)
	}
	amounts, err := schedule.Split(owed, plan, s.Rules)
	if err != nil {
		return store.Plan{}, forStudent(r.StudentID, err)
	}
	if plan.NeedsApproval() {
		amounts = nil // fixed at approval, for what is owed then
	}
	return tx.CreatePlan(ctx, o.ID, plan, schedule.InitialStatus(plan), amounts)
}

// planOrder returns the student's dossier and the current order a plan
// would pay: there must be one, the dossier not rejected, and the student
// the one who pays.
func (s *Service) planOrder(ctx context.Context, tx *store.Tx, studentID string) (store.Dossier, store.Order, error) {
	d, err := tx.Dossier(ctx, studentID, s.Year)
	if err != nil {
		return d, store.Order{}, err
	}
	if d.Status == string(fees.DossierRejected) {
		return d, store.Order{}, fault.New(fault.Conflict, "student %s: the dossier is rejected; no payment plan until a new code is declared", studentID).
			WithHint("inpctl dossier set-code %s CODE", studentID)
	}
	o, ok, err := tx.CurrentOrder(ctx, d.ID)
	if err != nil {
		return d, o, err
	}
	if !ok {
		return d, o, fault.New(fault.Conflict, "student %s has no order yet: the dossier has no fee code", studentID).
			WithHint("set one with: inpctl dossier set-code %s CODE", studentID)
	}
	if financed(o) {
		return d, o, refuseStudentPays(studentID, o, "the student pays nothing and needs no payment plan")
	}
	return d, o, nil
}

// forStudent puts the student in front of a rule's refusal, keeping its kind
// and hint.
func forStudent(studentID string, err error) error {
	return fault.Wrap(fault.KindOf(err), err, "student %s", studentID)
}

// Approval is what approving plans did.
type Approval struct {
	Plans []store.Plan
	// Warnings are about the students' registered cards (an e-card, or a
	// card expiring before the last due date): the approval stands, the
	// card will be refused when the first instalment is paid.
	Warnings []string
}

// ApprovePlans approves the requested plans of the students, all or
// nothing: their amounts are fixed (schedule.Split) with no due dates yet.
// Every refusal is returned, and then nothing is written.
func (s *Service) ApprovePlans(ctx context.Context, studentIDs []string) (Approval, []error, error) {
	var res Approval
	var refusals []error
	errRefused := errors.New("refused")
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		seen := map[string]bool{}
		for _, id := range studentIDs {
			if seen[id] {
				continue
			}
			seen[id] = true
			p, warn, err := s.approvePlan(ctx, tx, id)
			if err != nil {
				if fault.KindOf(err) == fault.Failure {
					return err
				}
				refusals = append(refusals, err)
				continue
			}
			res.Plans = append(res.Plans, p)
			if warn != "" {
				res.Warnings = append(res.Warnings, warn)
			}
		}
		if len(refusals) > 0 {
			return errRefused
		}
		return nil
	})
	if errors.Is(err, errRefused) {
		return Approval{}, refusals, nil
	}
	if err != nil {
		return Approval{}, nil, err
	}
	return res, nil, nil
}

func (s *Service) approvePlan(ctx context.Context, tx *store.Tx, studentID string) (store.Plan, string, error) {
	p, err := s.dossierPlan(ctx, tx, studentID)
	if err != nil {
		return p, "", err
	}
	if err := schedule.CheckPlanTransition(schedule.PlanStatus(p.Status), schedule.PlanApproved); err != nil {
		hint := "only a requested plan can be approved; see it with: inpctl schedule show " + studentID
		if !schedule.Plan(p.Plan).NeedsApproval() {
			hint = "a 1x plan needs no approval"
		}
		return p, "", fault.Wrap(fault.Conflict, err, "student %s: cannot approve the %s plan", studentID, p.Plan).WithHint("%s", hint)
	}
	// The plan is for what the order owes at approval: what was paid
	// before (a first order's payment moved to this one) is not asked again.
	owing, err := owedOf(ctx, tx, p.OrderID)
	if err != nil {
		return p, "", err
	}
	amounts, err := schedule.Split(owing.Student, schedule.Plan(p.Plan), s.Rules)
	if err != nil {
		return p, "", forStudent(studentID, err)
	}
	if p, err = tx.ApprovePlan(ctx, p.ID, amounts); err != nil {
		return p, "", err
	}
	if err := s.noticePlanApproved(ctx, tx, p); err != nil {
		return p, "", err
	}
	card, ok, err := tx.StudentCard(ctx, studentID)
	if err != nil || !ok {
		return p, "", err
	}
	if err := s.CheckCardForPlan(p, card.ECard, card.Expiry, s.today(tx)); err != nil {
		return p, fmt.Sprintf("student %s: %v", studentID, err), nil
	}
	return p, "", nil
}

// dossierPlan returns the student's plan (live, else latest); NotFound
// when the student never asked for one.
func (s *Service) dossierPlan(ctx context.Context, tx *store.Tx, studentID string) (store.Plan, error) {
	d, err := tx.Dossier(ctx, studentID, s.Year)
	if err != nil {
		return store.Plan{}, err
	}
	p, ok, err := tx.DossierPlan(ctx, d.ID)
	if err == nil && !ok {
		err = noPlan(studentID)
	}
	return p, err
}

func noPlan(studentID string) error {
	return fault.New(fault.NotFound, "student %s has no payment plan", studentID).
		WithHint("record the student's choice with: inpctl schedule request %s --plan 1x|3x|5x", studentID)
}

// RejectPlan rejects a requested plan with a reason.
func (s *Service) RejectPlan(ctx context.Context, studentID, reason string) (store.Plan, error) {
	if strings.TrimSpace(reason) == "" {
		return store.Plan{}, fault.New(fault.Usage, "a rejection needs a reason (--reason)")
	}
	var p store.Plan
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if p, err = s.dossierPlan(ctx, tx, studentID); err != nil {
			return err
		}
		if err := schedule.CheckPlanTransition(schedule.PlanStatus(p.Status), schedule.PlanRejected); err != nil {
			return fault.Wrap(fault.Conflict, err, "student %s: cannot reject the %s plan", studentID, p.Plan).
				WithHint("only a requested plan can be rejected")
		}
		if p, err = tx.RejectPlan(ctx, p.ID, reason); err != nil {
			return err
		}
		return s.noticePlanRejected(ctx, tx, p)
	})
	return p, err
}

// Plan returns a student's plan: the live one, else the latest.
func (s *Service) Plan(ctx context.Context, studentID string) (store.Plan, error) {
	d, err := s.DB.Dossier(ctx, studentID, s.Year)
	if err != nil {
		return store.Plan{}, err
	}
	p, ok, err := s.DB.DossierPlan(ctx, d.ID)
	if err == nil && !ok {
		err = noPlan(studentID)
	}
	return p, err
}

// ListPlans lists the plans of the academic year (of a status, of a
// programme).
func (s *Service) ListPlans(ctx context.Context, status, programme string) ([]store.Plan, error) {
	return s.DB.ListPlans(ctx, store.PlanFilter{Year: s.Year, Status: status, Programme: programme})
}

// CheckCardForPlan checks that a card (is it an e-card, its expiry as
// Paybox sends it, YYMM) may pay plan p (SPEC §5): an e-card
// is refused for 3x and 5x, and the card must be valid until the last due
// date. The due dates are the plan's once fixed; before the first payment
// they are those a first payment on firstPaid would give. The payment flow
// calls it when a card is registered (refuse) and approval calls it when a
// card is already on file (warn). The error keeps schedule's type and hint.
func (s *Service) CheckCardForPlan(p store.Plan, eCard bool, expiryYYMM string, firstPaid clock.Date) error {
	plan, err := schedule.ParsePlan(p.Plan)
	if err != nil {
		return err
	}
	var last clock.Date
	if n := len(p.Instalments); n > 0 && p.Instalments[n-1].Due != "" {
		if last, err = clock.ParseDate(p.Instalments[n-1].Due); err != nil {
			return err
		}
	} else {
		dates := schedule.DueDates(firstPaid, plan.Instalments(), s.Rules.DebitDay)
		last = dates[len(dates)-1]
	}
	return schedule.CheckCardForPlan(plan, eCard, gateway.StoredExpiry(expiryYYMM).LastDay(), last)
}
