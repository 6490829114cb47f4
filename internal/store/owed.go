package store

import (
	"context"
	"fmt"

	"github.com/inpctl/inpctl/internal/money"
	"github.com/inpctl/inpctl/internal/schedule"
)

// OrderMoney is what the ledger holds of one order: the sums billing.OwedBy
// computes what the order still owes, and who owes it, from. Nothing here
// is a stored running total: each figure is a SUM over the ledger's rows.
type OrderMoney struct {
	OrderID  int64
	TTC      money.Cents // the order's total (its invoices', once invoiced)
	Financed money.Cents // the part its fee code has a third party pay
	Payer    bool        // the dossier names a payer (dossier set-payer)
	Share    money.Cents // the payer's share (0: the whole order)
	Invoiced bool
	Credited money.Cents // credit notes on its invoices
	// Allocated is the net of the allocation rows on its invoices (an
	// unpaid, a void and a credit note's release are negative rows).
	Allocated money.Cents
	// AllocatedAfter is the part of Allocated that comes from payments
	// numbered after a given payment id (a plan's paid_before).
	AllocatedAfter money.Cents
	// PayerPart holds the same sums over the payer's invoice of an order
	// invoiced in parts (set-payer --share); InParts says there is one.
	InParts   bool
	PayerPart PartMoney
	Blocked   bool
}

// PartMoney is the sums of one invoice of an order.
type PartMoney struct {
	TTC, Credited, Allocated, AllocatedAfter money.Cents
}

// orderMoneyPart is the SQL of the sums over the invoices i of order o
// that cond selects.
func orderMoneyPart(cond string) string {
	return `COALESCE((SELECT SUM(i.ttc) FROM invoices i WHERE i.order_id = o.id AND ` + cond + `), 0),
		COALESCE((SELECT SUM(c.amount) FROM credit_notes c JOIN invoices i ON i.id = c.invoice_id WHERE i.order_id = o.id AND ` + cond + `), 0),
		COALESCE((SELECT SUM(a.amount) FROM allocations a JOIN invoices i ON i.id = a.invoice_id WHERE i.order_id = o.id AND ` + cond + `), 0),
		COALESCE((SELECT SUM(a.amount) FROM allocations a JOIN invoices i ON i.id = a.invoice_id WHERE i.order_id = o.id AND ` + cond + ` AND a.payment_id > ?1), 0)`
}

// OrderMoney reads an order's sums, with the allocations of payments after
// paymentID counted apart, in one query.
func (tx *Tx) OrderMoney(ctx context.Context, orderID, paymentID int64) (OrderMoney, error) {
	m := OrderMoney{OrderID: orderID}
	var invoiced money.Cents
	err := tx.queryRow(ctx, `SELECT o.ttc, o.financed, o.blocked_reason <> '',
		EXISTS (SELECT 1 FROM payers py WHERE py.dossier_id = o.dossier_id),
		COALESCE((SELECT py.share FROM payers py WHERE py.dossier_id = o.dossier_id), 0),
		EXISTS (SELECT 1 FROM invoices i WHERE i.order_id = o.id AND i.part = 'payer'),
		`+orderMoneyPart("TRUE")+`,
		`+orderMoneyPart("i.part = 'payer'")+`
		FROM orders o WHERE o.id = ?2`, paymentID, orderID).
		Scan(&m.TTC, &m.Financed, &m.Blocked, &m.Payer, &m.Share, &m.InParts,
			&invoiced, &m.Credited, &m.Allocated, &m.AllocatedAfter,
			&m.PayerPart.TTC, &m.PayerPart.Credited, &m.PayerPart.Allocated, &m.PayerPart.AllocatedAfter)
	if invoiced > 0 {
		m.TTC, m.Invoiced = invoiced, true
	}
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
