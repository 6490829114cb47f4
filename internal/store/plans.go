package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/money"
	"github.com/inpctl/inpctl/internal/schedule"
)

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

// Instalment is one échéance of a plan.
type Instalment struct {
	ID       int64       `json:"-"`
	PlanID   int64       `json:"-"`
	Seq      int         `json:"seq"`
	Amount   money.Cents `json:"amount_cents"`
	Due      string      `json:"due_date"`
	Status   string      `json:"status"`
	Attempts int         `json:"attempts"`
	NextTry  string      `json:"next_try"`
	LastCode string      `json:"last_code"`
	PaidDate string      `json:"paid_date"`
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

// unpaid reports whether the instalment is still to be paid (pending or
// failed).
func (i Instalment) unpaid() bool {
	return i.Status == string(schedule.InstalmentPending) || i.Status == string(schedule.InstalmentFailed)
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

func instalmentsOf(ctx context.Context, q rowsQueryer, planID int64) ([]Instalment, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, plan_id, seq, amount, due_date, status, attempts, next_try, last_code, paid_date
		FROM instalments WHERE plan_id = ? ORDER BY seq`, planID)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	out := []Instalment{}
	for rows.Next() {
		var i Instalment
		if err := rows.Scan(&i.ID, &i.PlanID, &i.Seq, &i.Amount, &i.Due, &i.Status, &i.Attempts, &i.NextTry, &i.LastCode, &i.PaidDate); err != nil {
			return nil, err
		}
		out = append(out, i)
	}
	return out, rows.Err()
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

func (tx *Tx) insertInstalments(ctx context.Context, planID int64, amounts []money.Cents) error {
	for i, a := range amounts {
		if _, err := tx.exec(ctx, `INSERT INTO instalments(plan_id, seq, amount, status) VALUES (?, ?, ?, 'pending')`,
			planID, i+1, a); err != nil {
			return fmt.Errorf("insert instalment %d: %w", i+1, err)
		}
	}
	return nil
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

// setInstalmentStatus moves an instalment to status to (trigger
// instalments_transition guards the state machine).
func (tx *Tx) setInstalmentStatus(ctx context.Context, i Instalment, to schedule.InstalmentStatus, paid string) error {
	_, err := tx.exec(ctx, `UPDATE instalments SET status=?, paid_date=? WHERE id=?`, string(to), paid, i.ID)
	if err != nil {
		return fmt.Errorf("instalment %d: %w", i.Seq, mapErr(err))
	}
	return nil
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

// FailInstalment records a declined attempt on an instalment: it becomes
// failed, its attempt count grows, and the decline code and the date of the
// next try ("" for none) are kept.
func (tx *Tx) FailInstalment(ctx context.Context, instalmentID int64, code string, nextTry clock.Date) error {
	p, err := tx.planOfInstalment(ctx, instalmentID)
	if err != nil {
		return err
	}
	k := slices.IndexFunc(p.Instalments, func(i Instalment) bool { return i.ID == instalmentID })
	if k < 0 {
		return fault.New(fault.NotFound, "no instalment %d", instalmentID)
	}
	i := p.Instalments[k]
	if err := tx.setInstalmentStatus(ctx, i, schedule.InstalmentFailed, ""); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `UPDATE instalments SET attempts=attempts+1, last_code=?, next_try=? WHERE id=?`,
		code, nextTry.String(), i.ID); err != nil {
		return err
	}
	return tx.audit(ctx, "plan:"+p.StudentID, fmt.Sprintf("%s plan: instalment %d (%s) declined (%s), attempt %d, next try %q",
		p.Plan, i.Seq, i.Amount, code, i.Attempts+1, nextTry.String()))
}

// DeferInstalment keeps an unpaid instalment from being charged before
// notBefore (never earlier than a retry date it already has), without
// counting an attempt: a debit whose outcome was lost and that Paybox does
// not know may have been declined, so it waits the retry gap a decline
// would have given it rather than being sent again the same day.
func (tx *Tx) DeferInstalment(ctx context.Context, instalmentID int64, notBefore clock.Date) error {
	_, err := tx.exec(ctx, `UPDATE instalments SET next_try = MAX(next_try, ?) WHERE id = ? AND status IN ('pending','failed')`,
		notBefore.String(), instalmentID)
	return err
}

// planOfInstalment reads the plan an instalment belongs to, with all its
// instalments, in one query.
func (tx *Tx) planOfInstalment(ctx context.Context, instalmentID int64) (Plan, error) {
	p, ok, err := onePlan(ctx, cached{tx}, `p.id = (SELECT plan_id FROM instalments WHERE id = ?)`, instalmentID)
	if err == nil && !ok {
		err = fault.New(fault.NotFound, "no instalment %d", instalmentID)
	}
	return p, err
}

// PlanOfInstalment reads the plan an instalment belongs to.
func (tx *Tx) PlanOfInstalment(ctx context.Context, instalmentID int64) (Plan, error) {
	return tx.planOfInstalment(ctx, instalmentID)
}

// OrderPlan returns the order's plan that follows its money: the live one
// (requested, approved, active), else a completed one (an unpaid can make
// it owe again).
func (tx *Tx) OrderPlan(ctx context.Context, orderID int64) (Plan, bool, error) {
	return onePlan(ctx, cached{tx}, `p.order_id = ? AND p.status IN ('requested','approved','active','completed')
		ORDER BY p.status IN ('requested','approved','active') DESC, p.id DESC LIMIT 1`, orderID)
}

// StudentCard returns the student's current card: the latest registered
// and not deleted.
func (tx *Tx) StudentCard(ctx context.Context, studentID string) (Card, bool, error) {
	var c Card
	err := tx.queryRow(ctx, `SELECT id, student_id, refabonne, expiry, ecard, card_type FROM cards
		WHERE student_id = ? AND deleted_at = '' ORDER BY id DESC LIMIT 1`, studentID).
		Scan(&c.ID, &c.StudentID, &c.RefAbonne, &c.Expiry, &c.ECard, &c.CardType)
	if errors.Is(err, sql.ErrNoRows) {
		return c, false, nil
	}
	return c, err == nil, err
}
