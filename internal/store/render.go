package store

import (
	"context"
	"database/sql"
	"math"
	"slices"

	"github.com/inpctl/inpctl/internal/fees"
	"github.com/inpctl/inpctl/internal/money"
)

// RenderInvoice is what the PDF of one invoice shows, as of a date: the
// invoice with its lines, the payments allocated to it until then (as
// InvoicePayments gives them) and the instalments of its order's plan (as
// PlanOfOrder picks the plan).
type RenderInvoice struct {
	Invoice
	Payments []InvoicePayment
	// CreditedAsOf is what the invoice's credit notes dated on or before
	// asOf cancel (Invoice.Credited counts them all).
	CreditedAsOf money.Cents
	HasPlan      bool
	Instalments  []Instalment
}

// defaultRenderChunk is how many invoices EachInvoiceForRender reads at a
// time (DB.renderChunk).
const defaultRenderChunk = 512

// EachInvoiceForRender calls fn with the invoices f selects, in number
// order, defaultRenderChunk at a time, each with what its PDF shows as of asOf
// (YYYY-MM-DD); total is how many invoices there are in all. It reads them
// in one read transaction, so that they come from one consistent snapshot,
// with six queries a chunk instead of Invoice + InvoicePayments +
// InvoiceCreditedAsOf + PlanOfOrder (six or seven queries) per invoice.
// The transaction stays open while fn runs (a reader in WAL mode does not
// hold up writers), so that a batch renders the first chunk while the next
// is read and never holds the whole selection in memory. An error from fn
// stops the reading and is returned.
func (db *DB) EachInvoiceForRender(ctx context.Context, f InvoiceFilter, asOf string, fn func(total int, rs []RenderInvoice) error) error {
	t, err := db.sql.BeginTx(ctx, &sql.TxOptions{ReadOnly: true}) // a deferred BEGIN: no write lock
	if err != nil {
		return mapErr(err)
	}
	defer func() { _ = t.Rollback() }()
	where, args := invoiceWhere(f)
	var total int
	if err := t.QueryRowContext(ctx, `SELECT COUNT(*) FROM invoices i WHERE `+where, args...).Scan(&total); err != nil {
		return mapErr(err)
	}
	after := int64(math.MinInt64) // the seq of the last invoice read
	for {
		r := renderReader{ctx: ctx, q: t, where: where + ` AND i.seq > ?`, args: append(slices.Clip(args), after), byID: map[int64]int{}}
		first, last, err := r.invoices(db.renderChunk)
		if err != nil {
			return mapErr(err)
		}
		if len(r.out) == 0 {
			return nil
		}
		// The chunk is every selected invoice with a seq in [first, last].
		r.where, r.args = where+` AND i.seq BETWEEN ? AND ?`, append(slices.Clip(args), first, last)
		for _, read := range []func() error{r.lines, func() error { return r.payments(asOf) }, func() error { return r.credits(asOf) }, r.plans} {
			if err := read(); err != nil {
				return mapErr(err)
			}
		}
		if err := fn(total, r.out); err != nil {
			return err
		}
		after = last
	}
}

type renderReader struct {
	ctx   context.Context
	q     rowsQueryer
	where string
	args  []any
	out   []RenderInvoice
	byID  map[int64]int // invoice id → index in out
}

// each runs query with the filter's arguments (then extra) and calls scan
// for every row.
func (r *renderReader) each(query string, extra []any, scan func(*sql.Rows) error) error {
	rows, err := r.q.QueryContext(r.ctx, query, append(append([]any{}, r.args...), extra...)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// invoices reads up to limit invoices in seq order and returns the first
// and last seq read.
func (r *renderReader) invoices(limit int) (first, last int64, err error) {
	err = r.each(`SELECT `+invoiceCols+`, i.seq`+invoiceFrom+` WHERE `+r.where+` ORDER BY i.seq LIMIT ?`, []any{limit}, func(rows *sql.Rows) error {
		inv, err := scanInvoice(rows, &last)
		if err != nil {
			return err
		}
		if len(r.out) == 0 {
			first = last
		}
		r.byID[inv.ID] = len(r.out)
		r.out = append(r.out, RenderInvoice{Invoice: inv})
		return nil
	})
	return first, last, err
}

// lines is invoiceLines for every invoice.
func (r *renderReader) lines() error {
	return r.each(`SELECT l.invoice_id, l.designation, l.qty, l.unit_ht, l.vat_bp, l.discount_pct
		FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id WHERE `+r.where+` ORDER BY l.invoice_id, l.seq`, nil,
		func(rows *sql.Rows) error {
			var id int64
			var l fees.Line
			if err := rows.Scan(&id, &l.Designation, &l.Qty, &l.UnitHT, &l.VATRate, &l.DiscountPct); err != nil {
				return err
			}
			if k, ok := r.byID[id]; ok {
				r.out[k].Lines = append(r.out[k].Lines, l)
			}
			return nil
		})
}

// payments is InvoicePayments for every invoice: grouping by invoice and
// payment is grouping by payment within one invoice.
func (r *renderReader) payments(asOf string) error {
	return r.each(`SELECT a.invoice_id, p.date, p.method, p.ref, SUM(a.amount)
		FROM allocations a JOIN payments p ON p.id = a.payment_id JOIN invoices i ON i.id = a.invoice_id
		WHERE `+r.where+` AND p.date <= ? GROUP BY a.invoice_id, p.id HAVING SUM(a.amount) > 0
		ORDER BY a.invoice_id, p.date, p.id`, []any{asOf}, func(rows *sql.Rows) error {
		var id int64
		var p InvoicePayment
		if err := rows.Scan(&id, &p.Date, &p.Method, &p.Ref, &p.Amount); err != nil {
			return err
		}
		if k, ok := r.byID[id]; ok {
			r.out[k].Payments = append(r.out[k].Payments, p)
		}
		return nil
	})
}

// credits is InvoiceCreditedAsOf for every invoice.
func (r *renderReader) credits(asOf string) error {
	return r.each(`SELECT c.invoice_id, SUM(c.amount) FROM credit_notes c JOIN invoices i ON i.id = c.invoice_id
		WHERE `+r.where+` AND c.date <= ? GROUP BY c.invoice_id`, []any{asOf}, func(rows *sql.Rows) error {
		var id int64
		var sum money.Cents
		if err := rows.Scan(&id, &sum); err != nil {
			return err
		}
		if k, ok := r.byID[id]; ok {
			r.out[k].CreditedAsOf = sum
		}
		return nil
	})
}

// plans picks each order's plan as PlanOfOrder does (the live one, else
// the one with the highest id) and reads its instalments in seq order.
func (r *renderReader) plans() error {
	type pick struct {
		id   int64
		live bool
	}
	chosen := map[int64]pick{} // order id → plan
	err := r.each(`SELECT p.order_id, p.id, p.status IN ('requested','approved','active')
		FROM plans p WHERE p.order_id IN (SELECT i.order_id FROM invoices i WHERE `+r.where+`)`, nil, func(rows *sql.Rows) error {
		var order int64
		var p pick
		if err := rows.Scan(&order, &p.id, &p.live); err != nil {
			return err
		}
		if old, ok := chosen[order]; !ok || p.live && !old.live || p.live == old.live && p.id > old.id {
			chosen[order] = p
		}
		return nil
	})
	if err != nil {
		return err
	}
	byPlan := map[int64][]int{} // chosen plan id → indexes in out
	for k := range r.out {
		if r.out[k].Part == "payer" {
			continue // the student's plan is no part of the payer's invoice
		}
		if p, ok := chosen[r.out[k].OrderID]; ok {
			byPlan[p.id] = append(byPlan[p.id], k)
			r.out[k].HasPlan, r.out[k].Instalments = true, []Instalment{}
		}
	}
	return r.each(`SELECT n.id, n.plan_id, n.seq, n.amount, n.due_date, n.status, n.attempts, n.next_try, n.last_code, n.paid_date
		FROM instalments n WHERE n.plan_id IN (SELECT p.id FROM plans p JOIN invoices i ON i.order_id = p.order_id WHERE `+r.where+`)
		ORDER BY n.plan_id, n.seq`, nil, func(rows *sql.Rows) error {
		var n Instalment
		if err := rows.Scan(&n.ID, &n.PlanID, &n.Seq, &n.Amount, &n.Due, &n.Status, &n.Attempts, &n.NextTry, &n.LastCode, &n.PaidDate); err != nil {
			return err
		}
		for _, k := range byPlan[n.PlanID] {
			r.out[k].Instalments = append(r.out[k].Instalments, n)
		}
		return nil
	})
}
