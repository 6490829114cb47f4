package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/inpctl/inpctl/internal/docnum"
	"github.com/inpctl/inpctl/internal/fees"
	"github.com/inpctl/inpctl/internal/money"
)

// BlockOrder marks an order blocked with a reason (shown in the account).
func (tx *Tx) BlockOrder(ctx context.Context, orderID int64, reason string) error {
	_, err := tx.exec(ctx, `UPDATE orders SET blocked_reason=?, blocked_at=? WHERE id=? AND blocked_reason=''`, reason, ts(tx.Now), orderID)
	return err
}

// SetOrderSettled records the date an order became fully paid.
func (tx *Tx) SetOrderSettled(ctx context.Context, orderID int64, date string) error {
	_, err := tx.exec(ctx, `UPDATE orders SET settled_date=? WHERE id=? AND settled_date=''`, date, orderID)
	return err
}

// Order is what a dossier costs (commande).
type Order struct {
	ID            int64       `json:"-"`
	Number        string      `json:"number"`
	DossierID     int64       `json:"-"`
	Date          string      `json:"date"`
	Code          string      `json:"code"`
	Lines         []fees.Line `json:"-"`
	HT            money.Cents `json:"ht_cents"`
	TVA           money.Cents `json:"tva_cents"`
	TTC           money.Cents `json:"ttc_cents"`
	Financed      money.Cents `json:"financed_ttc_cents"`
	BlockedReason string      `json:"blocked_reason"`
	SettledDate   string      `json:"settled_date"`
	Invoiced      bool        `json:"invoiced"`
	// PayerName is the third party the dossier names as paying the order
	// (dossier set-payer), empty when there is none.
	PayerName string `json:"payer,omitempty"`
	// PayerShare is the payer's share of the TTC (0: the whole order).
	PayerShare money.Cents `json:"payer_share_cents,omitempty"`
}

const orderCols = `o.id, o.number, o.dossier_id, o.date, o.code, o.ht, o.tva, o.ttc, o.financed, o.blocked_reason, o.settled_date,
	EXISTS (SELECT 1 FROM invoices i WHERE i.order_id = o.id),
	COALESCE((SELECT py.name FROM payers py WHERE py.dossier_id = o.dossier_id), ''),
	COALESCE((SELECT py.share FROM payers py WHERE py.dossier_id = o.dossier_id), 0)`

func scanOrder(sc scanner) (Order, error) {
	var o Order
	err := sc.Scan(&o.ID, &o.Number, &o.DossierID, &o.Date, &o.Code, &o.HT, &o.TVA, &o.TTC, &o.Financed, &o.BlockedReason, &o.SettledDate, &o.Invoiced, &o.PayerName, &o.PayerShare)
	return o, err
}

// CurrentOrder returns the dossier's current (not superseded) order.
func (tx *Tx) CurrentOrder(ctx context.Context, dossierID int64) (Order, bool, error) {
	o, err := scanOrder(tx.queryRow(ctx, `SELECT `+orderCols+` FROM orders o WHERE o.dossier_id = ? AND o.superseded_by IS NULL`, dossierID))
	if errors.Is(err, sql.ErrNoRows) {
		return o, false, nil
	}
	if err != nil {
		return o, false, err
	}
	o.Lines, err = orderLines(ctx, cached{tx}, o.ID)
	return o, true, err
}

// OrderOf reads a dossier's current order outside a write transaction.
func (db *DB) OrderOf(ctx context.Context, dossierID int64) (Order, bool, error) {
	o, err := scanOrder(db.sql.QueryRowContext(ctx, `SELECT `+orderCols+` FROM orders o WHERE o.dossier_id = ? AND o.superseded_by IS NULL`, dossierID))
	if errors.Is(err, sql.ErrNoRows) {
		return o, false, nil
	}
	if err != nil {
		return o, false, mapErr(err)
	}
	o.Lines, err = orderLines(ctx, db.sql, o.ID)
	return o, true, err
}

func orderLines(ctx context.Context, q rowsQueryer, orderID int64) ([]fees.Line, error) {
	rows, err := q.QueryContext(ctx, `SELECT designation, qty, unit_ht, vat_bp, discount_pct FROM order_lines WHERE order_id = ? ORDER BY seq`, orderID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []fees.Line
	for rows.Next() {
		var l fees.Line
		if err := rows.Scan(&l.Designation, &l.Qty, &l.UnitHT, &l.VATRate, &l.DiscountPct); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// SaveOrder creates the dossier's order, or replaces the current one in
// place while it is not invoiced (same number). It returns the order.
func (tx *Tx) SaveOrder(ctx context.Context, dossierID int64, code, date string, lines []fees.Line, t fees.Totals) (Order, error) {
	cur, ok, err := tx.CurrentOrder(ctx, dossierID)
	if err != nil {
		return Order{}, err
	}
	return tx.SaveOrderOver(ctx, dossierID, cur, ok, code, date, lines, t)
}

// SaveOrderOver is SaveOrder for a caller that already read the current
// order (cur, when ok) in this transaction.
func (tx *Tx) SaveOrderOver(ctx context.Context, dossierID int64, cur Order, ok bool, code, date string, lines []fees.Line, t fees.Totals) (Order, error) {
	if ok && cur.Invoiced {
		return Order{}, fmt.Errorf("order %s is invoiced: supersede it, never replace it", cur.Number)
	}
	o := Order{DossierID: dossierID, Date: date, Code: code, Lines: lines, HT: t.HT, TVA: t.TVA, TTC: t.TTC, Financed: t.Financed}
	if ok {
		o.ID, o.Number = cur.ID, cur.Number
		if _, err := tx.exec(ctx, `UPDATE orders SET date=?, code=?, ht=?, tva=?, ttc=?, financed=?, blocked_reason='', blocked_at='', settled_date='' WHERE id=?`,
			date, code, t.HT, t.TVA, t.TTC, t.Financed, o.ID); err != nil {
			return o, err
		}
		if _, err := tx.exec(ctx, `DELETE FROM order_lines WHERE order_id=?`, o.ID); err != nil {
			return o, err
		}
	} else {
		var err error
		if o, err = tx.insertOrder(ctx, o); err != nil {
			return o, err
		}
	}
	return o, tx.insertOrderLines(ctx, o.ID, lines)
}

// SupersedeOrder makes a new order for the dossier and marks the current
// one as superseded by it (a code change after invoicing).
func (tx *Tx) SupersedeOrder(ctx context.Context, old Order, code, date string, lines []fees.Line, t fees.Totals) (Order, error) {
	o, err := tx.insertOrder(ctx, Order{DossierID: old.DossierID, Date: date, Code: code, HT: t.HT, TVA: t.TVA, TTC: t.TTC, Financed: t.Financed, Lines: lines})
	if err != nil {
		return o, err
	}
	if _, err := tx.exec(ctx, `UPDATE orders SET superseded_by=? WHERE id=?`, o.ID, old.ID); err != nil {
		return o, err
	}
	return o, tx.insertOrderLines(ctx, o.ID, lines)
}

func (tx *Tx) insertOrder(ctx context.Context, o Order) (Order, error) {
	prefix, n, err := tx.next(ctx, SeqOrder)
	if err != nil {
		return o, err
	}
	return tx.insertNumberedOrder(ctx, o, prefix, n)
}

// insertNumberedOrder writes order o (not its lines) with number n of the
// order series.
func (tx *Tx) insertNumberedOrder(ctx context.Context, o Order, prefix string, n int64) (Order, error) {
	o.Number = docnum.Order(prefix, n)
	res, err := tx.exec(ctx, `INSERT INTO orders(number, dossier_id, date, code, ht, tva, ttc, financed, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		o.Number, o.DossierID, o.Date, o.Code, o.HT, o.TVA, o.TTC, o.Financed, ts(tx.Now))
	if err != nil {
		return o, err
	}
	o.ID, err = res.LastInsertId()
	return o, err
}

func (tx *Tx) insertOrderLines(ctx context.Context, orderID int64, lines []fees.Line) error {
	for i, l := range lines {
		if _, err := tx.exec(ctx, `INSERT INTO order_lines(order_id, seq, designation, qty, unit_ht, vat_bp, discount_pct, amount_ht) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			orderID, i+1, l.Designation, l.Qty, l.UnitHT, l.VATRate, l.DiscountPct, l.HT()); err != nil {
			return err
		}
	}
	return nil
}

// CreateOrders creates the first order of each of several dossiers, numbered
// in the slice's order from one block of the order sequence (one UPDATE for
// the batch instead of one per order: the numbers are the ones one
// insertOrder per order would have given, in the same transaction). Each
// dossier must have no current order: the caller checked it in this
// transaction. It returns the orders with their ids and numbers.
func (tx *Tx) CreateOrders(ctx context.Context, orders []Order) ([]Order, error) {
	if len(orders) == 0 {
		return orders, nil
	}
	prefix, n, err := tx.nextBlock(ctx, SeqOrder, len(orders))
	if err != nil {
		return nil, err
	}
	for i := range orders {
		if orders[i], err = tx.insertNumberedOrder(ctx, orders[i], prefix, n+int64(i)); err != nil {
			return nil, err
		}
		if err := tx.insertOrderLines(ctx, orders[i].ID, orders[i].Lines); err != nil {
			return nil, err
		}
	}
	return orders, nil
}

// OrderWithDossier reads an order's dossier and the order itself when it
// is still the dossier's current one (ok is false for a superseded order),
// whatever the academic year.
func (tx *Tx) OrderWithDossier(ctx context.Context, orderID int64) (Dossier, Order, bool, error) {
	var student, year string
	var superseded bool
	err := tx.queryRow(ctx, `SELECT d.student_id, d.year, o.superseded_by IS NOT NULL FROM orders o JOIN dossiers d ON d.id = o.dossier_id WHERE o.id = ?`, orderID).
		Scan(&student, &year, &superseded)
	if err != nil || superseded {
		return Dossier{}, Order{}, false, err
	}
	d, err := tx.Dossier(ctx, student, year)
	if err != nil {
		return d, Order{}, false, err
	}
	o, ok, err := tx.CurrentOrder(ctx, d.ID)
	return d, o, ok && o.ID == orderID, err
}

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

// UnblockOrder lifts an order's block, keeping when and why.
func (tx *Tx) UnblockOrder(ctx context.Context, orderID int64, reason string) error {
	_, err := tx.exec(ctx, `UPDATE orders SET blocked_reason='', blocked_at='', unblocked_at=?, unblock_reason=? WHERE id=? AND blocked_reason<>''`,
		ts(tx.Now), reason, orderID)
	return err
}

// ReopenOrder marks an order as no longer settled (a payment of it was
// reversed).
func (tx *Tx) ReopenOrder(ctx context.Context, orderID int64) error {
	_, err := tx.exec(ctx, `UPDATE orders SET settled_date='' WHERE id=?`, orderID)
	return err
}
