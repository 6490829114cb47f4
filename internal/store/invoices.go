package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/inpctl/inpctl/internal/docnum"
	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/fees"
	"github.com/inpctl/inpctl/internal/money"
)

// Invoice is an issued, immutable invoice, with what has happened to it
// since (credit notes, allocated payments): those figures are computed from
// the ledger rows, never stored.
type Invoice struct {
	ID            int64       `json:"-"`
	Number        string      `json:"number"`
	OrderID       int64       `json:"-"`
	OrderNumber   string      `json:"order_number"`
	StudentID     string      `json:"student_id"`
	Date          string      `json:"date"`
	IssuedAt      string      `json:"issued_at"`
	Libelle       string      `json:"libelle"`
	Session       string      `json:"session"`
	ClientName    string      `json:"client_name"`
	ClientAddress string      `json:"client_address"`
	Lines         []fees.Line `json:"-"`
	HT            money.Cents `json:"ht_cents"`
	TVA           money.Cents `json:"tva_cents"`
	TTC           money.Cents `json:"ttc_cents"`
	VATMention    string      `json:"vat_mention"`
	Issuer        DocIssuer   `json:"issuer"`
	// The client's SIRET and purchase-order reference, the student named,
	// the due date and the business mentions: set when the client is the
	// payer of a financed order (dossier set-payer), empty otherwise.
	ClientSIRET string `json:"client_siret,omitempty"`
	ClientRef   string `json:"client_ref,omitempty"`
	StudentName string `json:"student_name,omitempty"`
	DueDate     string `json:"due_date,omitempty"`
	Mentions    string `json:"mentions,omitempty"` // one per line
	// Part is the part of its order the invoice is (migration 0012): ""
	// the whole order, "student" or "payer" when a payer pays a share of it
	// (dossier set-payer --share) and the order has an invoice for each.
	Part string `json:"part,omitempty"`
	// OrderFinanced, PayerName and PayerShare say who pays the order: a
	// third party when the code is financed (42) or the dossier names a
	// payer (for its share, 0 being the whole order).
	OrderFinanced money.Cents        `json:"-"`
	PayerName     string             `json:"-"`
	PayerShare    money.Cents        `json:"-"`
	Credited      money.Cents        `json:"credited_cents"`
	Allocated     money.Cents        `json:"allocated_cents"`
	Currency      money.CurrencyCode `json:"currency"`
}

// InvoiceDraft is what issuing an invoice needs.
type InvoiceDraft struct {
	OrderID                   int64
	StudentID, Date           string
	Libelle, Session          string
	ClientName, ClientAddress string
	Lines                     []fees.Line
	HT, TVA, TTC              money.Cents
	VATMention                string
	Issuer                    DocIssuer
	ClientSIRET, ClientRef    string
	StudentName, DueDate      string
	Mentions                  string
	Part                      string // "", "student" or "payer" (Invoice.Part)
}

// DocIssuer is the issuer as an issued document printed it (issue 16: a
// config change never changes an issued document). Empty on documents
// issued before migration 0007.
type DocIssuer struct {
	Name    string `json:"name"`
	Address string `json:"address"` // one line each, "\n" between
	SIRET   string `json:"siret"`
}

const invoiceCols = `i.id, i.number, i.order_id, o.number, i.student_id, i.date, i.issued_at, i.libelle, i.session, i.client_name, i.client_address,
	i.ht, i.tva, i.ttc, i.vat_mention, i.issuer_name, i.issuer_address, i.issuer_siret,
	i.client_siret, i.client_ref, i.student_name, i.due_date, i.mentions, i.part,
	o.financed, COALESCE((SELECT py.name FROM payers py WHERE py.dossier_id = o.dossier_id), ''),
	COALESCE((SELECT py.share FROM payers py WHERE py.dossier_id = o.dossier_id), 0),
	COALESCE((SELECT SUM(amount) FROM credit_notes c WHERE c.invoice_id = i.id), 0),
	COALESCE((SELECT SUM(a.amount) FROM allocations a WHERE a.invoice_id = i.id), 0)`

const invoiceFrom = ` FROM invoices i JOIN orders o ON o.id = i.order_id`

// scanInvoice scans invoiceCols, then any more columns into more.
func scanInvoice(sc scanner, more ...any) (Invoice, error) {
	var i Invoice
	err := sc.Scan(append([]any{&i.ID, &i.Number, &i.OrderID, &i.OrderNumber, &i.StudentID, &i.Date, &i.IssuedAt, &i.Libelle, &i.Session,
		&i.ClientName, &i.ClientAddress, &i.HT, &i.TVA, &i.TTC, &i.VATMention, &i.Issuer.Name, &i.Issuer.Address, &i.Issuer.SIRET,
		&i.ClientSIRET, &i.ClientRef, &i.StudentName, &i.DueDate, &i.Mentions, &i.Part, &i.OrderFinanced, &i.PayerName, &i.PayerShare, &i.Credited, &i.Allocated}, more...)...)
	return i, err
}

// IssueInvoice issues an invoice: its number is taken from the series
// inside this transaction, so a rollback leaves no gap. It writes the
// draft it is given; what may be invoiced (not a zero-amount order) is
// billing's decision.
func (tx *Tx) IssueInvoice(ctx context.Context, d InvoiceDraft) (Invoice, error) {
	var exists string
	err := tx.queryRow(ctx, `SELECT number FROM invoices WHERE order_id = ? AND (part = ? OR part = '' OR ? = '')`, d.OrderID, d.Part, d.Part).Scan(&exists)
	if err == nil {
		return Invoice{}, fault.New(fault.Conflict, "the order is already invoiced (invoice %s)", exists)
	}
	prefix, n, err := tx.next(ctx, SeqInvoice)
	if err != nil {
		return Invoice{}, err
	}
	number := docnum.Invoice(prefix, n)
	res, err := tx.exec(ctx, `INSERT INTO invoices(number, seq, order_id, student_id, date, issued_at, libelle, session, client_name, client_address,
		ht, tva, ttc, vat_mention, issuer_name, issuer_address, issuer_siret, client_siret, client_ref, student_name, due_date, mentions, part)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, number, n, d.OrderID, d.StudentID, d.Date, ts(tx.Now), d.Libelle, d.Session,
		d.ClientName, d.ClientAddress, d.HT, d.TVA, d.TTC, d.VATMention, d.Issuer.Name, d.Issuer.Address, d.Issuer.SIRET,
		d.ClientSIRET, d.ClientRef, d.StudentName, d.DueDate, d.Mentions, d.Part)
	if err != nil {
		return Invoice{}, fmt.Errorf("insert invoice: %w", err)
	}
	id, _ := res.LastInsertId()
	for k, l := range d.Lines {
		if _, err := tx.exec(ctx, `INSERT INTO invoice_lines(invoice_id, seq, designation, inscrits, qty, unit_ht, vat_bp, discount_pct, amount_ht)
			VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?)`, id, k+1, l.Designation, l.Qty, l.UnitHT, l.VATRate, l.DiscountPct, l.HT()); err != nil {
			return Invoice{}, err
		}
	}
	return tx.invoiceByID(ctx, id)
}

func (tx *Tx) invoiceByID(ctx context.Context, id int64) (Invoice, error) {
	inv, err := scanInvoice(tx.queryRow(ctx, `SELECT `+invoiceCols+invoiceFrom+` WHERE i.id = ?`, id))
	if err != nil {
		return inv, err
	}
	inv.Lines, err = invoiceLines(ctx, cached{tx}, id)
	return inv, err
}

// InvoiceOfOrder returns the invoice of an order, if issued: the one the
// student's money pays (its whole, or the student's part of an order a
// payer pays a share of; InvoicesOfOrder has both parts).
func (tx *Tx) InvoiceOfOrder(ctx context.Context, orderID int64) (Invoice, bool, error) {
	var id int64
	err := tx.queryRow(ctx, `SELECT id FROM invoices WHERE order_id = ? AND part <> 'payer'`, orderID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return Invoice{}, false, nil
	}
	if err != nil {
		return Invoice{}, false, err
	}
	inv, err := tx.invoiceByID(ctx, id)
	return inv, err == nil, err
}

// InvoicesOfOrder returns every invoice of an order (one for the whole,
// or its student's and payer's parts), in number order.
func (tx *Tx) InvoicesOfOrder(ctx context.Context, orderID int64) ([]Invoice, error) {
	var ids []int64
	rows, err := tx.query(ctx, `SELECT id FROM invoices WHERE order_id = ? ORDER BY seq`, orderID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]Invoice, 0, len(ids))
	for _, id := range ids {
		inv, err := tx.invoiceByID(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, inv)
	}
	return out, nil
}

// InvoiceNumberOfOrder returns the number of an order's invoice, if
// issued (the student's part when it is invoiced in parts): the cheap
// question of the payment paths, which only need to know whether the
// invoice exists.
func (tx *Tx) InvoiceNumberOfOrder(ctx context.Context, orderID int64) (string, bool, error) {
	var num string
	err := tx.queryRow(ctx, `SELECT number FROM invoices WHERE order_id = ? AND part <> 'payer'`, orderID).Scan(&num)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	return num, err == nil, err
}

// InvoiceByNumber returns an invoice inside a transaction.
func (tx *Tx) InvoiceByNumber(ctx context.Context, number string) (Invoice, error) {
	var id int64
	if err := tx.queryRow(ctx, `SELECT id FROM invoices WHERE number = ?`, number).Scan(&id); errors.Is(err, sql.ErrNoRows) {
		return Invoice{}, noInvoice(number)
	} else if err != nil {
		return Invoice{}, err
	}
	return tx.invoiceByID(ctx, id)
}

func noInvoice(number string) error {
	return fault.New(fault.NotFound, "no invoice %s", number).WithHint("list invoices with: inpctl invoice list")
}

// Invoice returns an invoice by number, with its lines.
func (db *DB) Invoice(ctx context.Context, number string) (Invoice, error) {
	inv, err := scanInvoice(prep{db}.QueryRowContext(ctx, `SELECT `+invoiceCols+invoiceFrom+` WHERE i.number = ?`, number))
	if errors.Is(err, sql.ErrNoRows) {
		return inv, noInvoice(number)
	}
	if err != nil {
		return inv, mapErr(err)
	}
	inv.Lines, err = invoiceLines(ctx, prep{db}, inv.ID)
	return inv, err
}

func invoiceLines(ctx context.Context, q rowsQueryer, id int64) ([]fees.Line, error) {
	rows, err := q.QueryContext(ctx, `SELECT designation, qty, unit_ht, vat_bp, discount_pct FROM invoice_lines WHERE invoice_id = ? ORDER BY seq`, id)
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

// InvoiceFilter selects invoices.
type InvoiceFilter struct {
	StudentID, Session, From, To string
}

// invoiceWhere is the condition over invoices i that f selects, with its
// arguments.
func invoiceWhere(f InvoiceFilter) (string, []any) {
	where, args := "TRUE", []any{}
	for _, c := range []struct{ cond, v string }{{"i.student_id = ?", f.StudentID}, {"i.session = ?", f.Session},
		{"i.date >= ?", f.From}, {"i.date <= ?", f.To}} {
		if c.v != "" {
			where += " AND " + c.cond
			args = append(args, c.v)
		}
	}
	return where, args
}

// ListInvoices lists invoices in number order.
func (db *DB) ListInvoices(ctx context.Context, f InvoiceFilter) ([]Invoice, error) {
	where, args := invoiceWhere(f)
	rows, err := db.sql.QueryContext(ctx, `SELECT `+invoiceCols+invoiceFrom+` WHERE `+where+` ORDER BY i.seq`, args...)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	out := []Invoice{}
	for rows.Next() {
		inv, err := scanInvoice(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, inv)
	}
	return out, rows.Err()
}

// StudentInvoices returns a student's invoices, oldest first (the
// allocation order); billing keeps those with something still due.
func (tx *Tx) StudentInvoices(ctx context.Context, studentID string) ([]Invoice, error) {
	rows, err := tx.query(ctx, `SELECT `+invoiceCols+invoiceFrom+` WHERE i.student_id = ? ORDER BY i.seq`, studentID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Invoice
	for rows.Next() {
		inv, err := scanInvoice(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, inv)
	}
	return out, rows.Err()
}

// InvoicePayment is a payment as an invoice shows it: what of it went to
// the invoice.
type InvoicePayment struct {
	Date, Method, Ref string
	Amount            money.Cents
}

// InvoicePayments lists the payments allocated to an invoice that were
// received on or before asOf, with the net amount allocated.
func (db *DB) InvoicePayments(ctx context.Context, invoiceID int64, asOf string) ([]InvoicePayment, error) {
	rows, err := prep{db}.QueryContext(ctx, `SELECT p.date, p.method, p.ref, SUM(a.amount) FROM allocations a JOIN payments p ON p.id = a.payment_id
		WHERE a.invoice_id = ? AND p.date <= ? GROUP BY p.id HAVING SUM(a.amount) > 0 ORDER BY p.date, p.id`, invoiceID, asOf)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []InvoicePayment
	for rows.Next() {
		var p InvoicePayment
		if err := rows.Scan(&p.Date, &p.Method, &p.Ref, &p.Amount); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// InvoiceCreditedAsOf is what the credit notes of an invoice dated on or
// before asOf (YYYY-MM-DD) cancel.
func (db *DB) InvoiceCreditedAsOf(ctx context.Context, invoiceID int64, asOf string) (money.Cents, error) {
	var sum money.Cents
	err := prep{db}.QueryRowContext(ctx, `SELECT COALESCE(SUM(amount), 0) FROM credit_notes WHERE invoice_id = ? AND date <= ?`,
		invoiceID, asOf).Scan(&sum)
	return sum, mapErr(err)
}

// InvoiceSessions lists the sessions the invoices print, sorted.
func (db *DB) InvoiceSessions(ctx context.Context) ([]string, error) {
	return db.strings(ctx, `SELECT DISTINCT session FROM invoices WHERE session <> '' ORDER BY session`)
}
