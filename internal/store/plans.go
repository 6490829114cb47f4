package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/money"
	"github.com/inpctl/inpctl/internal/schedule"
)

// PlanOfOrder returns an order's plan: its live one, else its latest.
func (db *DB) PlanOfOrder(ctx context.Context, orderID int64) (Plan, bool, error) {
	return onePlan(ctx, prep{db}, `p.order_id = ?`+liveFirst, orderID)
}

// SetPlanPaidBefore records the last payment that existed when the plan
// was approved.
func (tx *Tx) SetPlanPaidBefore(ctx context.Context, planID, paymentID int64) error {
	_, err := tx.exec(ctx, `UPDATE plans SET paid_before=? WHERE id=?`, paymentID, planID)
	return err
}

// SetPlanStatus moves a plan to status to (billing checked schedule's
// state machine), keeping its reason and decision unless new ones are
// given.
func (tx *Tx) SetPlanStatus(ctx context.Context, p Plan, to schedule.PlanStatus, reason, decision string) error {
	if reason == "" {
		reason = p.Reason
	}
	if decision == "" {
		decision = p.Decision
	}
	return tx.setPlanStatus(ctx, p, to, reason, decision)
}

// Plan is an instalment plan (échéancier) of an order, with who it is for
// and what the order costs. Every status change appends an audit row
// "plan:STUDENT_ID" in the same transaction; the state machine is
// schedule's, guarded in the database by a trigger.
type Plan struct {
	ID          int64        `json:"-"`
	OrderID     int64        `json:"-"`
	StudentID   string       `json:"student_id"`
	LastName    string       `json:"last_name"`
	FirstName   string       `json:"first_name"`
	Programme   string       `json:"programme"`
	Year        string       `json:"academic_year"`
	OrderNumber string       `json:"order_number"`
	Total       money.Cents  `json:"total_cents"`
	Plan        string       `json:"plan"`
	Status      string       `json:"status"`
	RequestedAt string       `json:"requested_at"`
	DecidedAt   string       `json:"decided_at"`
	Reason      string       `json:"reason"`
	Decision    string       `json:"decision"`
	PaidBefore  int64        `json:"-"`                          // the last payment when it was approved: later ones count on it
	Received    money.Cents  `json:"-"`                          // net allocated to the order's invoice by payments after PaidBefore
	NextDue     string       `json:"next_due_date"`              // first unpaid instalment ("" until the first payment fixes the dates)
	NextAmount  money.Cents  `json:"next_due_cents"`             // its amount (0 when nothing is left)
	Superseded  bool         `json:"order_superseded,omitempty"` // its order was replaced (a code change)
	Instalments []Instalment `json:"instalments"`
}

// Paid is what the plan has received: the net of the payments allocated to
// its order's invoice since the plan was approved (a cheque for part of an
// instalment counts, though no instalment is paid in full by it).
func (p Plan) Paid() money.Cents { return p.Received }

// Unpaid is the total of the instalments still to be paid (pending or failed).
func (p Plan) Unpaid() money.Cents {
	return money.Sum(p.Instalments, func(i Instalment) money.Cents {
		if i.unpaid() {
			return i.Amount
		}
		return 0
	})
}

// Live reports whether the plan is requested, approved or active.
func (p Plan) Live() bool {
	switch schedule.PlanStatus(p.Status) {
	case schedule.PlanRequested, schedule.PlanApproved, schedule.PlanActive:
		return true
	}
	return false
}

const planCols = `p.id, p.order_id, d.student_id, s.last_name, s.first_name, d.programme, d.year, o.number, o.ttc,
	p.plan, p.status, p.requested_at, p.decided_at, p.reason, p.decision, p.paid_before,
	COALESCE((SELECT SUM(a.amount) FROM allocations a JOIN invoices v ON v.id = a.invoice_id WHERE v.order_id = p.order_id AND v.part <> 'payer' AND a.payment_id > p.paid_before), 0),
	COALESCE((SELECT i.due_date FROM instalments i WHERE i.plan_id = p.id AND i.status IN ('pending','failed') ORDER BY i.seq LIMIT 1), ''),
	COALESCE((SELECT i.amount FROM instalments i WHERE i.plan_id = p.id AND i.status IN ('pending','failed') ORDER BY i.seq LIMIT 1), 0),
	o.superseded_by IS NOT NULL`

const planFrom = ` FROM plans p JOIN orders o ON o.id = p.order_id JOIN dossiers d ON d.id = o.dossier_id JOIN students s ON s.id = d.student_id`

// liveFirst orders a dossier's plans: the live one, else the latest.
const liveFirst = ` ORDER BY p.status IN ('requested','approved','active') DESC, p.id DESC LIMIT 1`

type dbtx interface {
	queryer
	rowsQueryer
}

func scanPlan(sc scanner) (Plan, error) {
	var p Plan
	err := sc.Scan(&p.ID, &p.OrderID, &p.StudentID, &p.LastName, &p.FirstName, &p.Programme, &p.Year, &p.OrderNumber, &p.Total,
		&p.Plan, &p.Status, &p.RequestedAt, &p.DecidedAt, &p.Reason, &p.Decision, &p.PaidBefore, &p.Received, &p.NextDue, &p.NextAmount, &p.Superseded)
	return p, err
}

// onePlan reads one plan and its instalments; ok is false when none matches.
func onePlan(ctx context.Context, q dbtx, where string, args ...any) (Plan, bool, error) {
	p, err := scanPlan(q.QueryRowContext(ctx, `SELECT `+planCols+planFrom+` WHERE `+where, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return p, false, nil
	}
	if err != nil {
		return p, false, mapErr(err)
	}
	p.Instalments, err = instalmentsOf(ctx, q, p.ID)
	return p, err == nil, err
}

// LivePlan returns the order's requested, approved or active plan.
func (tx *Tx) LivePlan(ctx context.Context, orderID int64) (Plan, bool, error) {
	return onePlan(ctx, cached{tx}, `p.order_id = ? AND p.status IN ('requested','approved','active')`, orderID)
}

// Plan returns a plan by id (NotFound when there is none).
func (tx *Tx) Plan(ctx context.Context, planID int64) (Plan, error) {
	p, ok, err := onePlan(ctx, cached{tx}, `p.id = ?`, planID)
	if err == nil && !ok {
		err = fault.New(fault.NotFound, "no plan %d", planID)
	}
	return p, err
}

// DossierPlan returns the plan of a dossier: its live plan, else its
// latest (rejected, cancelled or completed), over all its orders.
func (tx *Tx) DossierPlan(ctx context.Context, dossierID int64) (Plan, bool, error) {
	return onePlan(ctx, cached{tx}, `o.dossier_id = ?`+liveFirst, dossierID)
}

// DossierPlan reads a dossier's plan outside a write transaction.
func (db *DB) DossierPlan(ctx context.Context, dossierID int64) (Plan, bool, error) {
	return onePlan(ctx, db.sql, `o.dossier_id = ?`+liveFirst, dossierID)
}

// PlanFilter selects plans.
type PlanFilter struct {
	Year, Status, Programme string
}

// ListPlans lists the plans of an academic year (every plan, including the
// cancelled ones of superseded orders), by student name.
func (db *DB) ListPlans(ctx context.Context, f PlanFilter) ([]Plan, error) {
	where := []string{"d.year = ?"}
	args := []any{f.Year}
	if f.Status != "" {
		where, args = append(where, "p.status = ?"), append(args, f.Status)
	}
	if f.Programme != "" {
		where, args = append(where, "d.programme = ?"), append(args, f.Programme)
	}
	rows, err := db.sql.QueryContext(ctx, `SELECT `+planCols+planFrom+` WHERE `+strings.Join(where, " AND ")+
		` ORDER BY s.last_name, s.first_name, d.student_id, p.id`, args...)
	if err != nil {
		return nil, mapErr(err)
	}
	out := []Plan{}
	for rows.Next() {
		p, err := scanPlan(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Instalments, err = instalmentsOf(ctx, db.sql, out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// CreatePlan records a student's choice of plan for an order. A plan that
// needs approval (3x, 5x) starts requested with no instalments; a 1x plan
// starts approved, with its one instalment (amounts must then be given).
// The database allows one live plan per order.
func (tx *Tx) CreatePlan(ctx context.Context, orderID int64, plan schedule.Plan, status schedule.PlanStatus, amounts []money.Cents) (Plan, error) {
	decided := ""
	if status == schedule.PlanApproved {
		if len(amounts) != plan.Instalments() {
			return Plan{}, fmt.Errorf("create %s plan: %d amounts, want %d", plan, len(amounts), plan.Instalments())
		}
		decided = ts(tx.Now)
	}
	var before int64
	if status == schedule.PlanApproved {
		var err error
		if before, err = tx.LastPaymentID(ctx); err != nil {
			return Plan{}, err
		}
	}
	res, err := tx.exec(ctx, `INSERT INTO plans(order_id, plan, status, requested_at, decided_at, paid_before) VALUES (?, ?, ?, ?, ?, ?)`,
		orderID, string(plan), string(status), ts(tx.Now), decided, before)
	if err != nil {
		return Plan{}, mapErr(fmt.Errorf("create plan: %w", err))
	}
	id, _ := res.LastInsertId()
	if status == schedule.PlanApproved {
		if err := tx.insertInstalments(ctx, id, amounts); err != nil {
			return Plan{}, err
		}
	}
	p, err := tx.Plan(ctx, id)
	if err != nil {
		return p, err
	}
	return p, tx.audit(ctx, "plan:"+p.StudentID, fmt.Sprintf("%s plan %s for order %s (%s)", p.Plan, p.Status, p.OrderNumber, p.Total))
}

// setPlanStatus moves a plan to status to. The state machine is
// schedule's, checked by billing first; the database's trigger
// plans_transition refuses a move that skipped it (a conflict).
func (tx *Tx) setPlanStatus(ctx context.Context, p Plan, to schedule.PlanStatus, reason, decision string) error {
	decided := p.DecidedAt
	if to != schedule.PlanActive && to != schedule.PlanCompleted {
		decided = ts(tx.Now) // a decision: approved, rejected or cancelled
	}
	_, err := tx.exec(ctx, `UPDATE plans SET status=?, decided_at=?, reason=?, decision=? WHERE id=?`,
		string(to), decided, reason, decision, p.ID)
	return mapErr(err)
}

// ApprovePlan approves a requested plan and fixes its amounts: one pending
// instalment per amount, with no due date yet (billing sets the due dates
// when the first instalment is paid). The plan remembers the last payment
// of the moment: later payments count on it.
func (tx *Tx) ApprovePlan(ctx context.Context, planID int64, amounts []money.Cents) (Plan, error) {
	p, err := tx.Plan(ctx, planID)
	if err != nil {
		return p, err
	}
	if err := tx.setPlanStatus(ctx, p, schedule.PlanApproved, "", ""); err != nil {
		return p, err
	}
	before, err := tx.LastPaymentID(ctx)
	if err != nil {
		return p, err
	}
	if err := tx.SetPlanPaidBefore(ctx, p.ID, before); err != nil {
		return p, err
	}
	if err := tx.insertInstalments(ctx, p.ID, amounts); err != nil {
		return p, err
	}
	var parts []string
	for _, a := range amounts {
		parts = append(parts, a.String())
	}
	if err := tx.audit(ctx, "plan:"+p.StudentID, fmt.Sprintf("%s plan approved for order %s: %s", p.Plan, p.OrderNumber, strings.Join(parts, " + "))); err != nil {
		return p, err
	}
	return tx.Plan(ctx, planID)
}

// RejectPlan rejects a requested plan with a reason.
func (tx *Tx) RejectPlan(ctx context.Context, planID int64, reason string) (Plan, error) {
	p, err := tx.Plan(ctx, planID)
	if err != nil {
		return p, err
	}
	if err := tx.setPlanStatus(ctx, p, schedule.PlanRejected, reason, ""); err != nil {
		return p, err
	}
	if err := tx.audit(ctx, "plan:"+p.StudentID, fmt.Sprintf("%s plan rejected: %s", p.Plan, reason)); err != nil {
		return p, err
	}
	return tx.Plan(ctx, planID)
}

// CancelPlan cancels a plan and its instalments not yet paid (a code
// change made its amounts obsolete, or the student chose again). A plan
// already final is refused.
func (tx *Tx) CancelPlan(ctx context.Context, planID int64, reason string) error {
	p, err := tx.Plan(ctx, planID)
	if err != nil {
		return err
	}
	if err := tx.setPlanStatus(ctx, p, schedule.PlanCancelled, reason, p.Decision); err != nil {
		return err
	}
	var cancelled []Instalment
	for _, i := range p.Instalments {
		if !i.unpaid() {
			continue
		}
		if err := tx.setInstalmentStatus(ctx, i, schedule.InstalmentCancelled, ""); err != nil {
			return err
		}
		cancelled = append(cancelled, i)
	}
	amount := money.Sum(cancelled, func(i Instalment) money.Cents { return i.Amount })
	return tx.audit(ctx, "plan:"+p.StudentID, fmt.Sprintf("%s plan cancelled (%s): %d instalment(s) of %s cancelled", p.Plan, reason, len(cancelled), amount))
}

// OrderPlan returns the order's plan that follows its money: the live one
// (requested, approved, active), else a completed one (an unpaid can make
// it owe again).
func (tx *Tx) OrderPlan(ctx context.Context, orderID int64) (Plan, bool, error) {
	return onePlan(ctx, cached{tx}, `p.order_id = ? AND p.status IN ('requested','approved','active','completed')
		ORDER BY p.status IN ('requested','approved','active') DESC, p.id DESC LIMIT 1`, orderID)
}
