package store

import (
	"context"
	"testing"

	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/fees"
	"github.com/inpctl/inpctl/internal/money"
	"github.com/inpctl/inpctl/internal/schedule"
)

// orderFor imports a student of programme with a fee code and returns the
// id of the order it gives.
func orderFor(t *testing.T, db *DB, id, programme, code string) int64 {
	t.Helper()
	ctx := context.Background()
	rows := []ImportRow{{Student: Student{ID: id, LastName: "Nom" + id, FirstName: "P", Email: id + "@etu.example.org", Programme: programme}, Year: fees.ExampleYear, Line: 2}}
	if _, _, err := db.ImportStudents(ctx, "s.csv", rows, false); err != nil {
		t.Fatal(err)
	}
	var orderID int64
	err := db.InTx(ctx, func(tx *Tx) error {
		d, err := tx.Dossier(ctx, id, fees.ExampleYear)
		if err != nil {
			return err
		}
		lines, totals, err := fees.OrderFor(fees.ExampleCatalogue(), programme, fees.ExampleYear, code)
		if err != nil {
			return err
		}
		d.Status, d.Code = string(fees.DossierDeclared), code
		if err := tx.UpdateDossier(ctx, d); err != nil {
			return err
		}
		o, err := tx.SaveOrder(ctx, d.ID, code, "2025-09-01", lines, totals)
		orderID = o.ID
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return orderID
}

// inTx runs fn in a transaction and fails the test on error.
func inTx(t *testing.T, db *DB, fn func(ctx context.Context, tx *Tx) error) {
	t.Helper()
	ctx := context.Background()
	if err := db.InTx(ctx, func(tx *Tx) error { return fn(ctx, tx) }); err != nil {
		t.Fatal(err)
	}
}

func auditCount(t *testing.T, db *DB) int {
	var n int
	if err := db.sql.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE entity LIKE 'plan:%'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

var split5x = []money.Cents{62800, 82825, 82825, 82825, 82825}

func TestPlanLifecycle5x(t *testing.T) {
	db := newTestDB(t)
	orderID := orderFor(t, db, "22100001", "ING-INFO-3A", "05")
	var p Plan
	inTx(t, db, func(ctx context.Context, tx *Tx) (err error) {
		p, err = tx.CreatePlan(ctx, orderID, schedule.Plan5x, nil)
		return err
	})
	if p.Status != "requested" || len(p.Instalments) != 0 || p.Total != 394100 || p.StudentID != "22100001" || p.OrderNumber == "" {
		t.Fatalf("requested plan = %+v", p)
	}
	inTx(t, db, func(ctx context.Context, tx *Tx) (err error) {
		p, err = tx.ApprovePlan(ctx, p.ID, split5x)
		return err
	})
	if p.Status != "approved" || len(p.Instalments) != 5 || p.Unpaid() != 394100 || p.NextAmount != 62800 || p.NextDue != "" {
		t.Fatalf("approved plan = %+v", p)
	}
	for _, i := range p.Instalments {
		if i.Due != "" || i.Status != "pending" {
			t.Fatalf("approval must fix amounts only, got %+v", i)
		}
	}
	first := clock.Date{Year: 2025, Month: 9, Day: 5}
	inTx(t, db, func(ctx context.Context, tx *Tx) error { return tx.ActivatePlan(ctx, p.ID, first, 10) })
	inTx(t, db, func(ctx context.Context, tx *Tx) (err error) { p, err = tx.Plan(ctx, p.ID); return err })
	wantDue := []string{"2025-09-05", "2025-10-10", "2025-11-10", "2025-12-10", "2026-01-10"}
	for k, i := range p.Instalments {
		if i.Due != wantDue[k] {
			t.Errorf("instalment %d due %q, want %q", i.Seq, i.Due, wantDue[k])
		}
	}
	if p.Status != "active" || p.Instalments[0].Status != "paid" || p.Instalments[0].PaidDate != "2025-09-05" ||
		p.Paid() != 62800 || p.NextDue != "2025-10-10" || p.NextAmount != 82825 {
		t.Fatalf("active plan = %+v", p)
	}
	// A soft decline on instalment 2, then it is paid; the last payment completes the plan.
	inTx(t, db, func(ctx context.Context, tx *Tx) error {
		return tx.FailInstalment(ctx, p.Instalments[1].ID, "00151", clock.Date{Year: 2025, Month: 10, Day: 13})
	})
	inTx(t, db, func(ctx context.Context, tx *Tx) (err error) { p, err = tx.Plan(ctx, p.ID); return err })
	if i := p.Instalments[1]; i.Status != "failed" || i.Attempts != 1 || i.LastCode != "00151" || i.NextTry != "2025-10-13" {
		t.Fatalf("failed instalment = %+v", i)
	}
	for _, i := range p.Instalments[1:] {
		inTx(t, db, func(ctx context.Context, tx *Tx) error {
			return tx.PayInstalment(ctx, i.ID, clock.Date{Year: 2025, Month: 10, Day: 13})
		})
	}
	inTx(t, db, func(ctx context.Context, tx *Tx) (err error) { p, err = tx.Plan(ctx, p.ID); return err })
	if p.Status != "completed" || p.Paid() != 394100 || p.Unpaid() != 0 {
		t.Fatalf("completed plan = %+v", p)
	}
	// request, approve, activate, fail, 4 payments, complete
	if n := auditCount(t, db); n != 9 {
		t.Errorf("audit rows for the plan = %d, want 9", n)
	}
}

func TestPlan1xIsApprovedAtOnce(t *testing.T) {
	db := newTestDB(t)
	orderID := orderFor(t, db, "22100001", "ING-GC-3A", "01")
	var p Plan
	inTx(t, db, func(ctx context.Context, tx *Tx) (err error) {
		p, err = tx.CreatePlan(ctx, orderID, schedule.Plan1x, []money.Cents{62800})
		return err
	})
	if p.Status != "approved" || len(p.Instalments) != 1 || p.DecidedAt == "" {
		t.Fatalf("1x plan = %+v", p)
	}
	inTx(t, db, func(ctx context.Context, tx *Tx) error {
		return tx.ActivatePlan(ctx, p.ID, clock.Date{Year: 2025, Month: 9, Day: 1}, 10)
	})
	inTx(t, db, func(ctx context.Context, tx *Tx) (err error) { p, err = tx.Plan(ctx, p.ID); return err })
	if p.Status != "completed" || p.Instalments[0].Due != "2025-09-01" {
		t.Fatalf("paid 1x plan = %+v", p)
	}
}

// TestPlanTransitionsRefused: an impossible transition is a conflict and
// changes nothing, never a silent no-op.
func TestPlanTransitionsRefused(t *testing.T) {
	db := newTestDB(t)
	ctx := context.Background()
	orderID := orderFor(t, db, "22100001", "ING-INFO-3A", "05")
	var p Plan
	inTx(t, db, func(ctx context.Context, tx *Tx) (err error) {
		p, err = tx.CreatePlan(ctx, orderID, schedule.Plan5x, nil)
		return err
	})
	conflict := func(name string, fn func(tx *Tx) error) {
		t.Helper()
		before := auditCount(t, db)
		if err := db.InTx(ctx, fn); !fault.Is(err, fault.Conflict) {
			t.Errorf("%s: want a conflict, got %v", name, err)
		}
		if auditCount(t, db) != before {
			t.Errorf("%s: a refused transition wrote an audit row", name)
		}
	}
	conflict("activate a requested plan", func(tx *Tx) error { return tx.ActivatePlan(ctx, p.ID, clock.Date{Year: 2025, Month: 9, Day: 5}, 10) })
	conflict("a second live plan", func(tx *Tx) error { _, err := tx.CreatePlan(ctx, orderID, schedule.Plan3x, nil); return err })
	inTx(t, db, func(ctx context.Context, tx *Tx) (err error) { p, err = tx.ApprovePlan(ctx, p.ID, split5x); return err })
	conflict("approve twice", func(tx *Tx) error { _, err := tx.ApprovePlan(ctx, p.ID, split5x); return err })
	conflict("reject an approved plan", func(tx *Tx) error { _, err := tx.RejectPlan(ctx, p.ID, "non"); return err })
	conflict("pay instalment 2 before the first", func(tx *Tx) error {
		return tx.PayInstalment(ctx, p.Instalments[1].ID, clock.Date{Year: 2025, Month: 9, Day: 5})
	})
	inTx(t, db, func(ctx context.Context, tx *Tx) error {
		return tx.ActivatePlan(ctx, p.ID, clock.Date{Year: 2025, Month: 9, Day: 5}, 10)
	})
	conflict("activate twice", func(tx *Tx) error { return tx.ActivatePlan(ctx, p.ID, clock.Date{Year: 2025, Month: 9, Day: 6}, 10) })
	conflict("pay a paid instalment", func(tx *Tx) error {
		return tx.PayInstalment(ctx, p.Instalments[0].ID, clock.Date{Year: 2025, Month: 9, Day: 6})
	})
	inTx(t, db, func(ctx context.Context, tx *Tx) error { return tx.CancelPlan(ctx, p.ID, "code changed") })
	conflict("cancel twice", func(tx *Tx) error { return tx.CancelPlan(ctx, p.ID, "again") })
	conflict("exempt a cancelled plan", func(tx *Tx) error { _, err := tx.ExemptPlan(ctx, p.ID, "CE-1"); return err })
	conflict("fail a cancelled instalment", func(tx *Tx) error { return tx.FailInstalment(ctx, p.Instalments[2].ID, "00151", clock.Date{}) })
	inTx(t, db, func(ctx context.Context, tx *Tx) (err error) { p, err = tx.Plan(ctx, p.ID); return err })
	if p.Status != "cancelled" || p.Instalments[0].Status != "paid" || p.Unpaid() != 0 || p.Paid() != 62800 {
		t.Fatalf("cancelled plan = %+v", p)
	}
	// Once the live plan is gone, the order may have a new one.
	inTx(t, db, func(ctx context.Context, tx *Tx) error {
		_, err := tx.CreatePlan(ctx, orderID, schedule.Plan3x, nil)
		return err
	})
}

func TestExemptPlanCancelsWhatIsUnpaid(t *testing.T) {
	db := newTestDB(t)
	orderID := orderFor(t, db, "22100001", "ING-INFO-3A", "05")
	var p Plan
	var cancelled []Instalment
	inTx(t, db, func(ctx context.Context, tx *Tx) (err error) {
		if p, err = tx.CreatePlan(ctx, orderID, schedule.Plan5x, nil); err != nil {
			return err
		}
		if p, err = tx.ApprovePlan(ctx, p.ID, split5x); err != nil {
			return err
		}
		if err := tx.ActivatePlan(ctx, p.ID, clock.Date{Year: 2025, Month: 9, Day: 5}, 10); err != nil {
			return err
		}
		cancelled, err = tx.ExemptPlan(ctx, p.ID, "CE-2025-09-14")
		return err
	})
	var sum money.Cents
	for _, i := range cancelled {
		sum += i.Amount
	}
	if len(cancelled) != 4 || sum != 331300 {
		t.Fatalf("cancelled %d instalments of %s, want 4 of 3 313,00 €", len(cancelled), sum)
	}
	inTx(t, db, func(ctx context.Context, tx *Tx) (err error) { p, err = tx.Plan(ctx, p.ID); return err })
	if p.Status != "cancelled" || p.Decision != "CE-2025-09-14" || p.NextDue != "" || p.NextAmount != 0 {
		t.Fatalf("exempted plan = %+v", p)
	}
	for _, i := range p.Instalments[1:] {
		if i.Status != "cancelled" {
			t.Errorf("instalment %d is %s, want cancelled", i.Seq, i.Status)
		}
	}
	if list, _ := db.ListPlans(context.Background(), PlanFilter{Year: fees.ExampleYear, Status: "cancelled"}); len(list) != 1 || len(list[0].Instalments) != 5 {
		t.Fatalf("ListPlans cancelled = %+v", list)
	}
}

func TestStudentCard(t *testing.T) {
	db := newTestDB(t)
	orderFor(t, db, "22100001", "ING-GC-3A", "01")
	ctx := context.Background()
	var c StoredCard
	var ok bool
	inTx(t, db, func(ctx context.Context, tx *Tx) (err error) {
		c, ok, err = tx.StudentCard(ctx, "22100001")
		return err
	})
	if ok {
		t.Fatalf("no card yet, got %+v", c)
	}
	for _, q := range []string{
		`INSERT INTO cards(student_id, refabonne, token, expiry, ecard, card_type, created_at) VALUES ('22100001', 'AB1', 'tok1', '2709', 0, 'CB', 'x')`,
		`INSERT INTO cards(student_id, refabonne, token, expiry, ecard, card_type, created_at) VALUES ('22100001', 'AB2', 'tok2', '2601', 1, 'E_CARD', 'x')`,
		`INSERT INTO cards(student_id, refabonne, token, expiry, ecard, card_type, created_at, deleted_at) VALUES ('22100001', 'AB3', 'tok3', '2812', 0, 'CB', 'x', 'y')`,
	} {
		if _, err := db.sql.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	inTx(t, db, func(ctx context.Context, tx *Tx) (err error) {
		c, ok, err = tx.StudentCard(ctx, "22100001")
		return err
	})
	if !ok || c.RefAbonne != "AB2" || !c.ECard || c.Expiry != "2601" {
		t.Fatalf("current card = %+v %v, want the latest not deleted (AB2, an e-card)", c, ok)
	}
}
