package store

import (
	"context"
	"fmt"

	"github.com/inpctl/inpctl/internal/money"
	"github.com/inpctl/inpctl/internal/schedule"
)

// OrderMoney is what the ledger holds of one order: the sums billing.Owed
// computes what the order still owes from. Nothing here is a stored
// running total: each figure is a SUM over the ledger's rows.
type OrderMoney struct {
	OrderID  int64
	TTC      money.Cents // the order's total (the invoice's, once invoiced)
	Financed money.Cents // the part a third party pays
	Invoiced bool
	Credited money.Cents // credit notes on its invoice
	// Allocated is the net of the allocation rows on its invoice (an
	// unpaid, a void and a credit note's release are negative rows).
	Allocated money.Cents
	// AllocatedAfter is the part of Allocated that comes from payments
	// numbered after a given payment id (a plan's paid_before).
	AllocatedAfter money.Cents
	Blocked        bool
}

// OrderMoney reads an order's sums, with the allocations of payments after
// paymentID counted apart, in one query.
func (tx *Tx) OrderMoney(ctx context.Context, orderID, paymentID int64) (OrderMoney, error) {
	m := OrderMoney{OrderID: orderID}
	err := tx.queryRow(ctx, `SELECT COALESCE(i.ttc, o.ttc), o.financed, i.id IS NOT NULL, o.blocked_reason <> '',
		COALESCE((SELECT SUM(c.amount) FROM credit_notes c WHERE c.invoice_id = i.id), 0),
		COALESCE((SELECT SUM(a.amount) FROM allocations a WHERE a.invoice_id = i.id), 0),
		COALESCE((SELECT SUM(a.amount) FROM allocations a WHERE a.invoice_id = i.id AND a.payment_id > ?), 0)
		FROM orders o LEFT JOIN invoices i ON i.order_id = o.id WHERE o.id = ?`, paymentID, orderID).
		Scan(&m.TTC, &m.Financed, &m.Invoiced, &m.Blocked, &m.Credited, &m.Allocated, &m.AllocatedAfter)
	return m, err
}

// LastPaymentID is the id of the newest payment (0 when there is none): a
// plan approved now counts the money of later payments.
func (tx *Tx) LastPaymentID(ctx context.Context) (int64, error) {
	var id int64
	err := tx.queryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM payments`).Scan(&id)
	return id, err
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

// WriteInstalment writes what billing's rule made of one instalment: its
// amount, status, due date and paid date (an instalment cancelled keeps its
// last amount: the schema wants every amount above 0). The caller checked
// the transition.
func (tx *Tx) WriteInstalment(ctx context.Context, i Instalment) error {
	_, err := tx.exec(ctx, `UPDATE instalments SET amount=?, status=?, due_date=?, paid_date=?, attempts=?, next_try=? WHERE id=?`,
		i.Amount, i.Status, i.Due, i.PaidDate, i.Attempts, i.NextTry, i.ID)
	if err != nil {
		return fmt.Errorf("write instalment %d: %w", i.Seq, mapErr(err))
	}
	return nil
}

// UnblockOrder lifts an order's block, keeping when and why.
func (tx *Tx) UnblockOrder(ctx context.Context, orderID int64, reason string) error {
	_, err := tx.exec(ctx, `UPDATE orders SET blocked_reason='', blocked_at='', unblocked_at=?, unblock_reason=? WHERE id=? AND blocked_reason<>''`,
		ts(tx.Now), reason, orderID)
	return err
}
