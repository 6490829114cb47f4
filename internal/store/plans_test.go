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
	if _, _, err := db.ImportStudents(ctx, "s.csv", rows, false, nil); err != nil {
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

// TestPlanRows: the store writes what billing decides; it keeps the
// approval's last payment, the instalments' amounts and the declines.
func TestPlanRows(t *testing.T) {
	db := newTestDB(t)
	ctx := context.Background()
	orderID := orderFor(t, db, "22100001", "ING-INFO-3A", "05")
	var p Plan
	inTx(t, db, func(ctx context.Context, tx *Tx) (err error) {
		p, err = tx.CreatePlan(ctx, orderID, schedule.Plan5x, schedule.PlanRequested, nil)
		return err
	})
	if p.Status != "requested" || len(p.Instalments) != 0 || p.Total != 394100 || p.StudentID != "22100001" || p.OrderNumber == "" {
		t.Fatalf("requested plan = %+v", p)
	}
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
	conflict("a second live plan", func(tx *Tx) error {
		_, err := tx.CreatePlan(ctx, orderID, schedule.Plan3x, schedule.PlanRequested, nil)
		return err
	})
	inTx(t, db, func(ctx context.Context, tx *Tx) (err error) {
		p, err = tx.ApprovePlan(ctx, p.ID, split5x)
		return err
	})
	if p.Status != "approved" || len(p.Instalments) != 5 || p.Unpaid() != 394100 || p.NextAmount != 62800 || p.NextDue != "" || p.PaidBefore != 0 {
		t.Fatalf("approved plan = %+v", p)
	}
	conflict("approve twice", func(tx *Tx) error { _, err := tx.ApprovePlan(ctx, p.ID, split5x); return err })
	conflict("reject an approved plan", func(tx *Tx) error { _, err := tx.RejectPlan(ctx, p.ID, "non"); return err })
	inTx(t, db, func(ctx context.Context, tx *Tx) error {
		i := p.Instalments[0]
		i.Status, i.Amount, i.Due = "pending", 50000, "2025-09-05"
		return tx.WriteInstalment(ctx, i)
	})
	inTx(t, db, func(ctx context.Context, tx *Tx) error {
		return tx.FailInstalment(ctx, p.Instalments[1].ID, "00151", clock.Date{Year: 2025, Month: 10, Day: 13})
	})
	inTx(t, db, func(ctx context.Context, tx *Tx) (err error) { p, err = tx.Plan(ctx, p.ID); return err })
	if i := p.Instalments[0]; i.Amount != 50000 || i.Due != "2025-09-05" {
		t.Fatalf("written instalment = %+v", i)
	}
	if i := p.Instalments[1]; i.Status != "failed" || i.Attempts != 1 || i.LastCode != "00151" || i.NextTry != "2025-10-13" {
		t.Fatalf("failed instalment = %+v", i)
	}
	inTx(t, db, func(ctx context.Context, tx *Tx) error { return tx.CancelPlan(ctx, p.ID, "code changed") })
	conflict("cancel twice", func(tx *Tx) error { return tx.CancelPlan(ctx, p.ID, "again") })
	conflict("fail a cancelled instalment", func(tx *Tx) error { return tx.FailInstalment(ctx, p.Instalments[2].ID, "00151", clock.Date{}) })
	// Once the live plan is gone, the order may have a new one; a 1x plan is
	// approved at once and remembers the last payment.
	inTx(t, db, func(ctx context.Context, tx *Tx) (err error) {
		p, err = tx.CreatePlan(ctx, orderID, schedule.Plan1x, schedule.PlanApproved, []money.Cents{394100})
		return err
	})
	if p.Status != "approved" || len(p.Instalments) != 1 || p.DecidedAt == "" {
		t.Fatalf("1x plan = %+v", p)
	}
	if list, _ := db.ListPlans(ctx, PlanFilter{Year: fees.ExampleYear, Status: "cancelled"}); len(list) != 1 || len(list[0].Instalments) != 5 {
		t.Fatalf("ListPlans cancelled = %+v", list)
	}
}

func TestStudentCard(t *testing.T) {
	db := newTestDB(t)
	orderFor(t, db, "22100001", "ING-GC-3A", "01")
	ctx := context.Background()
	var c Card
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
