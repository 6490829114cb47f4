package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/inpctl/inpctl/internal/money"
)

// Plan is an instalment plan (échéancier) of an order.
type Plan struct {
	ID          int64        `json:"-"`
	OrderID     int64        `json:"-"`
	Plan        string       `json:"plan"`
	Status      string       `json:"status"`
	RequestedAt string       `json:"requested_at"`
	DecidedAt   string       `json:"decided_at"`
	Reason      string       `json:"reason"`
	Decision    string       `json:"decision"`
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

// LivePlan returns the order's requested, approved or active plan.
func (tx *Tx) LivePlan(ctx context.Context, orderID int64) (Plan, bool, error) {
	var p Plan
	err := tx.queryRow(ctx, `SELECT id, order_id, plan, status, requested_at, decided_at, reason, decision FROM plans
		WHERE order_id = ? AND status IN ('requested','approved','active')`, orderID).
		Scan(&p.ID, &p.OrderID, &p.Plan, &p.Status, &p.RequestedAt, &p.DecidedAt, &p.Reason, &p.Decision)
	if errors.Is(err, sql.ErrNoRows) {
		return p, false, nil
	}
	return p, err == nil, err
}

// CancelPlan cancels a plan and its instalments not yet paid.
func (tx *Tx) CancelPlan(ctx context.Context, planID int64, reason string) error {
	if _, err := tx.exec(ctx, `UPDATE plans SET status='cancelled', reason=?, decided_at=? WHERE id=?`, reason, ts(tx.Now), planID); err != nil {
		return err
	}
	_, err := tx.exec(ctx, `UPDATE instalments SET status='cancelled' WHERE plan_id=? AND status IN ('pending','failed')`, planID)
	return err
}
