package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/money"
)

// AccountRows are the ledger rows of one student as of a date: what
// billing.Position computes the account position from. Nothing here is a
// running total; every figure is derived from these rows. Documents and
// money movements dated after the as-of date are left out; allocations and
// attempts count from the local date of their creation.
type AccountRows struct {
	AsOf        string // YYYY-MM-DD
	Student     Student
	Programme   string // the programme's label
	Session     string // the programme's session name
	Orders      []OrderRow
	Invoices    []InvoiceRow
	CreditNotes []CreditNoteRow
	Payments    []PaymentRow
	Allocations []AllocationRow
	Unpaids     []UnpaidRow
	Refunds     []RefundRow
	Plans       []PlanRow
	Cards       []Card
	Attempts    []AttemptRow
	Notices     []NoticeRow
}

// NoticeRow is an e-mail notice to the student (issue 19).
type NoticeRow struct {
	ID                int64
	Date              string // queued, local date
	Kind, Status      string
	SentAt, Recipient string
	LastError         string
}

// OrderRow is one order of the student (all years, superseded ones too).
type OrderRow struct {
	ID, DossierID  int64
	Number, Year   string
	Date, Code     string
	HT, TVA, TTC   money.Cents
	Financed       money.Cents
	SupersededDate string // date of the order that replaced it, "" if current
	BlockedReason  string
	BlockedAt      string
	UnblockedAt    string // the last lifting of a block (schedule unblock, a new card), "" if none
	UnblockReason  string
	PayerName      string      // the dossier's payer (dossier set-payer), "" if none
	PayerShare     money.Cents // its share of the TTC (0: the whole order)
}

// InvoiceRow is one issued invoice.
type InvoiceRow struct {
	ID, OrderID  int64
	Number, Date string
	HT, TVA, TTC money.Cents
	Part         string // "", "student" or "payer" (Invoice.Part)
}

// CreditNoteRow is one issued credit note.
type CreditNoteRow struct {
	ID, InvoiceID         int64
	Number, InvoiceNumber string
	Date                  string
	Amount                money.Cents
	Reason                string
}

// PaymentRow is one payment received.
type PaymentRow struct {
	ID           int64
	Number, Date string
	Amount       money.Cents
	Method, Ref  string
	// ThirdParty: the payer's transfer for its share of an order
	// (thirdPartySQL), no part of the student's figures.
	ThirdParty bool
}

// AllocationRow is one signed allocation row; Date is the local date it
// was written.
type AllocationRow struct {
	PaymentID, InvoiceID int64
	Date                 string
	Amount               money.Cents
}

// UnpaidRow is the reversal of a payment (impayé).
type UnpaidRow struct {
	PaymentID    int64
	Date, Reason string
	Void         bool // a manual payment entered by mistake (payment void), not an impayé
}

// RefundRow is money given back to the student.
type RefundRow struct {
	ID, PaymentID int64 // PaymentID is 0 for a refund not tied to a payment
	Date          string
	Amount        money.Cents
	Method        string
	Reason        string
}

// PlanRow is an instalment plan of one of the student's orders, in its
// current state (DecidedDate is the local date of the last decision).
type PlanRow struct {
	ID, OrderID  int64
	PaidBefore   int64 // the last payment when it was approved: later ones count on it
	Plan, Status string
	DecidedDate  string
	Instalments  []InstalmentRow
}

// InstalmentRow is one échéance, in its current state.
type InstalmentRow struct {
	ID       int64
	Seq      int
	Amount   money.Cents
	Due      string
	Status   string
	PaidDate string
	Attempts int
	NextTry  string
	LastCode string
}

// AttemptRow is a charge attempt that did not succeed.
type AttemptRow struct {
	ID          int64
	Date        string
	Reference   string
	OrderNumber string
	Seq         int
	Amount      money.Cents
	State       string
	Code, Text  string
}

// asOfBounds returns the as-of date as text and the first instant after
// it in loc, as stored timestamps are written (RFC 3339 UTC): a timestamp
// t belongs to the as-of day or before when t < cut.
func asOfBounds(asOf clock.Date, loc *time.Location) (string, string) {
	return asOf.String(), ts(asOf.AddDays(1).Time(loc))
}

// localDate turns a stored timestamp into its calendar date in loc ("" for "").
func localDate(stamp string, loc *time.Location) string {
	if stamp == "" {
		return ""
	}
	t, err := time.Parse(time.RFC3339, stamp)
	if err != nil {
		if len(stamp) >= 10 {
			return stamp[:10]
		}
		return stamp
	}
	return clock.DateOf(t, loc).String()
}

// AccountRows reads every ledger row of a student as of asOf (dates in
// loc), in one read transaction so that the rows are consistent. It fails
// with NotFound for an unknown student.
func (db *DB) AccountRows(ctx context.Context, studentID string, asOf clock.Date, loc *time.Location) (AccountRows, error) {
	rows := AccountRows{AsOf: asOf.String()}
	t, err := db.sql.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return rows, mapErr(err)
	}
	defer func() { _ = t.Rollback() }()
	err = t.QueryRowContext(ctx, `SELECT s.id, s.last_name, s.first_name, s.email, s.programme, s.apprentice, s.extra_eu, s.exchange,
		s.address, s.postcode, s.city, s.country, COALESCE(p.label, ''), COALESCE(p.session, '')
		FROM students s LEFT JOIN programmes p ON p.id = s.programme WHERE s.id = ?`, studentID).Scan(
		&rows.Student.ID, &rows.Student.LastName, &rows.Student.FirstName, &rows.Student.Email, &rows.Student.Programme,
		&rows.Student.Apprentice, &rows.Student.ExtraEU, &rows.Student.Exchange, &rows.Student.Address, &rows.Student.Postcode,
		&rows.Student.City, &rows.Student.Country, &rows.Programme, &rows.Session)
	if errors.Is(err, sql.ErrNoRows) {
		return rows, fault.New(fault.NotFound, "no student %s", studentID).WithHint("list students with: inpctl student list")
	}
	if err != nil {
		return rows, mapErr(err)
	}
	r := accountReader{ctx: ctx, q: t, id: studentID, loc: loc}
	r.day, r.cut = asOfBounds(asOf, loc)
	for _, read := range []func(*AccountRows) error{r.orders, r.invoices, r.creditNotes, r.payments, r.allocations,
		r.unpaids, r.refunds, r.plans, r.cards, r.attempts, r.notices} {
		if err := read(&rows); err != nil {
			return rows, mapErr(fmt.Errorf("read account of %s: %w", studentID, err))
		}
	}
	return rows, nil
}

// accountReader reads one student's rows inside one read transaction.
type accountReader struct {
	ctx      context.Context
	q        rowsQueryer
	id       string
	loc      *time.Location
	day, cut string
}

// each runs query and calls scan for every row.
func (r accountReader) each(query string, scan func(*sql.Rows) error, args ...any) error {
	rs, err := r.q.QueryContext(r.ctx, query, args...)
	if err != nil {
		return err
	}
	defer rs.Close()
	for rs.Next() {
		if err := scan(rs); err != nil {
			return err
		}
	}
	return rs.Err()
}

func (r accountReader) orders(a *AccountRows) error {
	a.Orders = []OrderRow{}
	return r.each(`SELECT o.id, o.dossier_id, o.number, d.year, o.date, o.code, o.ht, o.tva, o.ttc, o.financed,
		COALESCE((SELECT n.date FROM orders n WHERE n.id = o.superseded_by), ''), o.blocked_reason, o.blocked_at,
		o.unblocked_at, o.unblock_reason, COALESCE((SELECT py.name FROM payers py WHERE py.dossier_id = o.dossier_id), ''),
		COALESCE((SELECT py.share FROM payers py WHERE py.dossier_id = o.dossier_id), 0)
		FROM orders o JOIN dossiers d ON d.id = o.dossier_id
		WHERE d.student_id = ? AND o.date <= ? ORDER BY o.date, o.id`, func(rs *sql.Rows) error {
		var o OrderRow
		err := rs.Scan(&o.ID, &o.DossierID, &o.Number, &o.Year, &o.Date, &o.Code, &o.HT, &o.TVA, &o.TTC, &o.Financed,
			&o.SupersededDate, &o.BlockedReason, &o.BlockedAt, &o.UnblockedAt, &o.UnblockReason, &o.PayerName, &o.PayerShare)
		a.Orders = append(a.Orders, o)
		return err
	}, r.id, r.day)
}

func (r accountReader) invoices(a *AccountRows) error {
	a.Invoices = []InvoiceRow{}
	return r.each(`SELECT id, order_id, number, date, ht, tva, ttc, part FROM invoices
		WHERE student_id = ? AND date <= ? ORDER BY seq`, func(rs *sql.Rows) error {
		var i InvoiceRow
		err := rs.Scan(&i.ID, &i.OrderID, &i.Number, &i.Date, &i.HT, &i.TVA, &i.TTC, &i.Part)
		a.Invoices = append(a.Invoices, i)
		return err
	}, r.id, r.day)
}

func (r accountReader) creditNotes(a *AccountRows) error {
	a.CreditNotes = []CreditNoteRow{}
	return r.each(`SELECT c.id, c.invoice_id, c.number, i.number, c.date, c.amount, c.reason
		FROM credit_notes c JOIN invoices i ON i.id = c.invoice_id
		WHERE i.student_id = ? AND c.date <= ? ORDER BY c.seq`, func(rs *sql.Rows) error {
		var c CreditNoteRow
		err := rs.Scan(&c.ID, &c.InvoiceID, &c.Number, &c.InvoiceNumber, &c.Date, &c.Amount, &c.Reason)
		a.CreditNotes = append(a.CreditNotes, c)
		return err
	}, r.id, r.day)
}

func (r accountReader) payments(a *AccountRows) error {
	a.Payments = []PaymentRow{}
	return r.each(`SELECT p.id, p.number, p.date, p.amount, p.method, p.ref, `+thirdPartySQL+` FROM payments p
		WHERE p.student_id = ? AND p.date <= ? ORDER BY p.date, p.id`, func(rs *sql.Rows) error {
		var p PaymentRow
		err := rs.Scan(&p.ID, &p.Number, &p.Date, &p.Amount, &p.Method, &p.Ref, &p.ThirdParty)
		a.Payments = append(a.Payments, p)
		return err
	}, r.id, r.day)
}

func (r accountReader) allocations(a *AccountRows) error {
	a.Allocations = []AllocationRow{}
	return r.each(`SELECT a.payment_id, a.invoice_id, a.created_at, a.amount
		FROM allocations a JOIN payments p ON p.id = a.payment_id
		WHERE p.student_id = ? AND a.created_at < ? ORDER BY a.id`, func(rs *sql.Rows) error {
		var al AllocationRow
		err := rs.Scan(&al.PaymentID, &al.InvoiceID, &al.Date, &al.Amount)
		al.Date = localDate(al.Date, r.loc)
		a.Allocations = append(a.Allocations, al)
		return err
	}, r.id, r.cut)
}

func (r accountReader) unpaids(a *AccountRows) error {
	a.Unpaids = []UnpaidRow{}
	return r.each(`SELECT u.payment_id, u.date, u.reason, u.kind = 'void' FROM unpaids u JOIN payments p ON p.id = u.payment_id
		WHERE p.student_id = ? AND u.date <= ? ORDER BY u.date, u.id`, func(rs *sql.Rows) error {
		var u UnpaidRow
		err := rs.Scan(&u.PaymentID, &u.Date, &u.Reason, &u.Void)
		a.Unpaids = append(a.Unpaids, u)
		return err
	}, r.id, r.day)
}

func (r accountReader) refunds(a *AccountRows) error {
	a.Refunds = []RefundRow{}
	return r.each(`SELECT id, COALESCE(payment_id, 0), date, amount, method, reason FROM refunds
		WHERE student_id = ? AND date <= ? ORDER BY date, id`, func(rs *sql.Rows) error {
		var f RefundRow
		err := rs.Scan(&f.ID, &f.PaymentID, &f.Date, &f.Amount, &f.Method, &f.Reason)
		a.Refunds = append(a.Refunds, f)
		return err
	}, r.id, r.day)
}

func (r accountReader) plans(a *AccountRows) error {
	a.Plans = []PlanRow{}
	byID := map[int64]int{}
	err := r.each(`SELECT p.id, p.order_id, p.paid_before, p.plan, p.status, p.decided_at FROM plans p
		JOIN orders o ON o.id = p.order_id JOIN dossiers d ON d.id = o.dossier_id
		WHERE d.student_id = ? ORDER BY p.id`, func(rs *sql.Rows) error {
		var p PlanRow
		err := rs.Scan(&p.ID, &p.OrderID, &p.PaidBefore, &p.Plan, &p.Status, &p.DecidedDate)
		p.DecidedDate = localDate(p.DecidedDate, r.loc)
		p.Instalments = []InstalmentRow{}
		byID[p.ID] = len(a.Plans)
		a.Plans = append(a.Plans, p)
		return err
	}, r.id)
	if err != nil {
		return err
	}
	return r.each(`SELECT n.plan_id, n.id, n.seq, n.amount, n.due_date, n.status, n.paid_date, n.attempts, n.next_try, n.last_code
		FROM instalments n JOIN plans p ON p.id = n.plan_id JOIN orders o ON o.id = p.order_id JOIN dossiers d ON d.id = o.dossier_id
		WHERE d.student_id = ? ORDER BY n.plan_id, n.seq`, func(rs *sql.Rows) error {
		var planID int64
		var n InstalmentRow
		if err := rs.Scan(&planID, &n.ID, &n.Seq, &n.Amount, &n.Due, &n.Status, &n.PaidDate, &n.Attempts, &n.NextTry, &n.LastCode); err != nil {
			return err
		}
		p := &a.Plans[byID[planID]]
		p.Instalments = append(p.Instalments, n)
		return nil
	}, r.id)
}

func (r accountReader) cards(a *AccountRows) error {
	a.Cards = []Card{}
	return r.each(`SELECT id, expiry, ecard, card_type, created_at, deleted_at FROM cards
		WHERE student_id = ? AND created_at < ? ORDER BY id`, func(rs *sql.Rows) error {
		var c Card
		var deleted string
		err := rs.Scan(&c.ID, &c.Expiry, &c.ECard, &c.CardType, &c.CreatedDate, &deleted)
		c.CreatedDate = localDate(c.CreatedDate, r.loc)
		c.Deleted = deleted != "" && deleted < r.cut
		a.Cards = append(a.Cards, c)
		return err
	}, r.id, r.cut)
}

func (r accountReader) attempts(a *AccountRows) error {
	a.Attempts = []AttemptRow{}
	// CROSS JOIN fixes SQLite's join order: from the student's dossiers
	// down to their attempts (indexed all the way), never a scan of every
	// declined attempt of the school.
	return r.each(`SELECT a.id, a.created_at, a.reference, o.number, n.seq, a.amount, a.state, a.code, a.text
		FROM dossiers d CROSS JOIN orders o ON o.dossier_id = d.id CROSS JOIN plans p ON p.order_id = o.id
		CROSS JOIN instalments n ON n.plan_id = p.id CROSS JOIN attempts a ON a.instalment_id = n.id
		WHERE d.student_id = ? AND a.kind = 'charge' AND a.state IN ('declined','failed','unknown') AND a.created_at < ?
		ORDER BY a.id`, func(rs *sql.Rows) error {
		var t AttemptRow
		err := rs.Scan(&t.ID, &t.Date, &t.Reference, &t.OrderNumber, &t.Seq, &t.Amount, &t.State, &t.Code, &t.Text)
		t.Date = localDate(t.Date, r.loc)
		a.Attempts = append(a.Attempts, t)
		return err
	}, r.id, r.cut)
}

func (r accountReader) notices(a *AccountRows) error {
	a.Notices = []NoticeRow{}
	return r.each(`SELECT id, created_at, kind, status, sent_at, recipient, last_error FROM outbox
		WHERE student_id = ? AND created_at < ? ORDER BY id`, func(rs *sql.Rows) error {
		var n NoticeRow
		err := rs.Scan(&n.ID, &n.Date, &n.Kind, &n.Status, &n.SentAt, &n.Recipient, &n.LastError)
		n.Date = localDate(n.Date, r.loc)
		if n.SentAt != "" {
			n.SentAt = localDate(n.SentAt, r.loc)
		}
		a.Notices = append(a.Notices, n)
		return err
	}, r.id, r.cut)
}
