package store

import (
	"context"
	"testing"
	"time"

	"github.com/inpctl/inpctl/internal/clock"
)

func accountLoc(t testing.TB) *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// seedAccountLedger writes one student's ledger by hand: an order and invoice on
// 01/09, a payment allocated on 01/09 at 23:30 Paris time (still 01/09 in
// Paris, 21:30 UTC), a credit note on 10/09, a refund on 12/09, a 3x plan.
func seedAccountLedger(t *testing.T, db *DB) {
	t.Helper()
	for _, q := range []string{
		`INSERT INTO students(id, last_name, first_name, email, programme, created_at, updated_at) VALUES ('S1', 'Durand', 'Camille', 'c@d.fr', 'ING-GC-3A', 'x', 'x')`,
		`INSERT INTO students(id, last_name, first_name, email, programme, created_at, updated_at) VALUES ('S2', 'Autre', 'Eve', 'e@d.fr', 'ING-INFO-3A', 'x', 'x')`,
		`INSERT INTO dossiers(id, student_id, year, programme, status, code, updated_at) VALUES (1, 'S1', '2025-2026', 'ING-GC-3A', 'declared', '01', 'x')`,
		`INSERT INTO orders(id, number, dossier_id, date, code, ht, tva, ttc, created_at) VALUES (1, 'CMD1', 1, '2025-09-01', '01', 62800, 0, 62800, 'x')`,
		`INSERT INTO invoices(id, number, seq, order_id, student_id, date, issued_at, libelle, session, client_name, client_address, ht, tva, ttc, vat_mention)
			VALUES (1, '9200', 9200, 1, 'S1', '2025-09-01', '2025-09-01T07:00:00Z', 'l', 's', 'c', 'a', 62800, 0, 62800, 'v')`,
		`INSERT INTO payments(id, number, student_id, date, amount, method, created_at) VALUES (1, 'REG1', 'S1', '2025-09-01', 20933, 'card', 'x')`,
		`INSERT INTO allocations(payment_id, invoice_id, amount, created_at) VALUES (1, 1, 20933, '2025-09-01T21:30:00Z')`,
		`INSERT INTO credit_notes(number, seq, invoice_id, date, issued_at, amount, reason) VALUES ('AV1', 1, 1, '2025-09-10', 'x', 1000, 'remise')`,
		`INSERT INTO refunds(student_id, payment_id, date, amount, method, created_at) VALUES ('S1', 1, '2025-09-12', 500, 'transfer', 'x')`,
		`INSERT INTO plans(id, order_id, plan, status, requested_at, decided_at) VALUES (1, 1, '3x', 'active', 'x', '2025-08-31T22:30:00Z')`,
		`INSERT INTO instalments(plan_id, seq, amount, due_date, status, paid_date) VALUES (1, 1, 20933, '2025-09-01', 'paid', '2025-09-01'),
			(1, 2, 20933, '2025-10-10', 'pending', ''), (1, 3, 20934, '2025-11-10', 'pending', '')`,
		`INSERT INTO cards(student_id, refabonne, token, expiry, created_at) VALUES ('S1', 'AB1', 't', '2712', '2025-09-01T07:00:00Z')`,
		`INSERT INTO attempts(reference, numquestion, instalment_id, amount, state, code, created_at) VALUES ('A1', 1, 2, 20933, 'declined', '00151', '2025-10-10T06:00:00Z')`,
	} {
		if _, err := db.sql.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

func TestAccountRowsAsOf(t *testing.T) {
	db := newTestDB(t)
	seedAccountLedger(t, db)
	ctx := context.Background()
	loc := accountLoc(t)
	d := func(s string) clock.Date { x, _ := clock.ParseDate(s); return x }

	r, err := db.AccountRows(ctx, "S1", d("2025-09-01"), loc)
	if err != nil {
		t.Fatal(err)
	}
	if r.Student.LastName != "Durand" || r.Session != "P2225_Y3_3A" || len(r.Orders) != 1 || len(r.Invoices) != 1 || len(r.Payments) != 1 {
		t.Fatalf("rows as of 01/09: %+v", r)
	}
	// 21:30 UTC on 01/09 is 23:30 in Paris: the allocation is of 01/09.
	if len(r.Allocations) != 1 || r.Allocations[0].Date != "2025-09-01" {
		t.Errorf("allocations: %+v", r.Allocations)
	}
	// Decided at 22:30 UTC on 31/08 is 00:30 on 01/09 in Paris.
	if len(r.Plans) != 1 || r.Plans[0].DecidedDate != "2025-09-01" || len(r.Plans[0].Instalments) != 3 {
		t.Errorf("plans: %+v", r.Plans)
	}
	if len(r.CreditNotes)+len(r.Refunds)+len(r.Attempts) != 0 || len(r.Cards) != 1 || r.Cards[0].Expiry != "2712" {
		t.Errorf("later rows leaked in: %+v %+v %+v %+v", r.CreditNotes, r.Refunds, r.Attempts, r.Cards)
	}
	r, err = db.AccountRows(ctx, "S1", d("2025-10-10"), loc)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.CreditNotes) != 1 || len(r.Refunds) != 1 || r.Refunds[0].PaymentID != 1 || len(r.Attempts) != 1 || r.Attempts[0].Seq != 2 || r.Attempts[0].OrderNumber != "CMD1" {
		t.Errorf("rows as of 10/10: %+v %+v %+v", r.CreditNotes, r.Refunds, r.Attempts)
	}
	r, err = db.AccountRows(ctx, "S1", d("2025-08-31"), loc)
	if err != nil || len(r.Orders)+len(r.Invoices)+len(r.Payments)+len(r.Allocations) != 0 {
		t.Errorf("rows before anything: %+v %v", r, err)
	}
	if _, err := db.AccountRows(ctx, "NOPE", d("2025-08-31"), loc); err == nil || err.Error() != "no student NOPE" {
		t.Errorf("unknown student: %v", err)
	}
}

func TestAccountTotals(t *testing.T) {
	db := newTestDB(t)
	seedAccountLedger(t, db)
	ctx := context.Background()
	d, _ := clock.ParseDate("2025-10-10")
	got, err := db.AccountTotals(ctx, AccountFilter{}, d, accountLoc(t))
	if err != nil {
		t.Fatal(err)
	}
	want := []AccountTotals{
		{StudentID: "S1", LastName: "Durand", FirstName: "Camille", Programme: "ING-GC-3A", Session: "P2225_Y3_3A",
			Invoiced: 62800, CreditNotes: 1000, Payments: 20933, Refunds: 500, NotYetDue: 20934},
		{StudentID: "S2", LastName: "Autre", FirstName: "Eve", Programme: "ING-INFO-3A", Session: "P2225_Y3_INFO"},
	}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("totals:\n got %+v\nwant %+v", got, want)
	}
	got, _ = db.AccountTotals(ctx, AccountFilter{Session: "P2225_Y3_INFO"}, d, accountLoc(t))
	if len(got) != 1 || got[0].StudentID != "S2" {
		t.Errorf("--session: %+v", got)
	}
	got, _ = db.AccountTotals(ctx, AccountFilter{Programme: "ING-GC-3A"}, d, accountLoc(t))
	if len(got) != 1 || got[0].StudentID != "S1" {
		t.Errorf("--programme: %+v", got)
	}
}

// TestAccountTotalsScale: account list on 100 000 students, each with an
// order, an invoice, a payment and a 3x plan, answers in a few seconds:
// one query of per-table aggregates, not one query per student.
func TestAccountTotalsScale(t *testing.T) {
	if testing.Short() {
		t.Skip("100 000 students")
	}
	db := newTestDB(t)
	if db.pg {
		t.Skip("the rows are made with SQLite's rowid and printf; PostgreSQL's scale is make bench's")
	}
	const n = 100000
	for _, q := range []string{
		`WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM k WHERE i < 100000)
			INSERT INTO students(id, last_name, first_name, email, programme, created_at, updated_at)
			SELECT printf('S%06d', i), 'Nom' || i, 'Prénom', 'x@y.fr', 'ING-GC-3A', 'x', 'x' FROM k`,
		`INSERT INTO dossiers(id, student_id, year, programme, status, code, updated_at)
			SELECT rowid, id, '2025-2026', programme, 'declared', '01', 'x' FROM students`,
		`INSERT INTO orders(id, number, dossier_id, date, code, ht, tva, ttc, created_at)
			SELECT id, 'CMD' || id, id, '2025-09-01', '01', 62800, 0, 62800, 'x' FROM dossiers`,
		`INSERT INTO invoices(id, number, seq, order_id, student_id, date, issued_at, libelle, session, client_name, client_address, ht, tva, ttc, vat_mention)
			SELECT o.id, 'F' || o.id, o.id, o.id, d.student_id, '2025-09-01', 'x', 'l', 's', 'c', 'a', 62800, 0, 62800, 'v'
			FROM orders o JOIN dossiers d ON d.id = o.dossier_id`,
		`INSERT INTO payments(id, number, student_id, date, amount, method, created_at)
			SELECT id, 'REG' || id, student_id, '2025-09-01', 20933, 'card', 'x' FROM invoices`,
		`INSERT INTO allocations(payment_id, invoice_id, amount, created_at) SELECT id, id, 20933, '2025-09-01T07:00:00Z' FROM payments`,
		`INSERT INTO plans(id, order_id, plan, status, requested_at, decided_at) SELECT id, id, '3x', 'active', 'x', '2025-08-01T07:00:00Z' FROM orders`,
		`INSERT INTO instalments(plan_id, seq, amount, due_date, status, paid_date)
			SELECT id, 1, 20933, '2025-09-01', 'paid', '2025-09-01' FROM plans UNION ALL
			SELECT id, 2, 20933, '2025-10-10', 'pending', '' FROM plans UNION ALL
			SELECT id, 3, 20934, '2025-11-10', 'pending', '' FROM plans`,
	} {
		if _, err := db.sql.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	d, _ := clock.ParseDate("2025-10-11")
	start := time.Now()
	got, err := db.AccountTotals(context.Background(), AccountFilter{}, d, accountLoc(t))
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != n || got[0].Invoiced != 62800 || got[0].Payments != 20933 || got[0].NotYetDue != 20934 {
		t.Fatalf("%d rows, first %+v", len(got), got[0])
	}
	t.Logf("account totals of %d students in %s", n, took)
	if took > 10*time.Second {
		t.Errorf("account totals of %d students took %s", n, took)
	}
}
