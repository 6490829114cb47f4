package store

import (
	"context"
	"testing"
)

// TestCardDues: the debits still to come on each student's current card:
// unpaid instalments with a date, of a live plan of a current order; not a
// deleted card, nor a paid instalment, nor a cancelled plan.
func TestCardDues(t *testing.T) {
	db := newTestDB(t)
	for _, q := range []string{
		`INSERT INTO students(id, last_name, first_name, email, programme, created_at, updated_at) VALUES ('1', 'Essai', 'Ana', 'a@b.fr', 'ING-GC-3A', 'x', 'x')`,
		`INSERT INTO dossiers(id, student_id, year, programme, status, code, updated_at) VALUES (1, '1', '2025-2026', 'ING-GC-3A', 'declared', '05', 'x')`,
		`INSERT INTO orders(id, number, dossier_id, date, code, ht, tva, ttc, created_at) VALUES (1, 'C1', 1, '2025-09-01', '05', 394100, 0, 394100, 'x')`,
		`INSERT INTO plans(id, order_id, plan, status, requested_at) VALUES (1, 1, '5x', 'active', 'x'), (2, 1, '3x', 'cancelled', 'x')`,
		`INSERT INTO instalments(id, plan_id, seq, amount, due_date, status, paid_date) VALUES
			(1, 1, 1, 62800, '2025-09-05', 'paid', '2025-09-05'), (2, 1, 2, 82825, '2025-10-10', 'pending', ''),
			(3, 1, 3, 82825, '2025-11-10', 'failed', ''), (4, 2, 1, 100, '2025-12-10', 'pending', '')`,
		`INSERT INTO cards(id, student_id, refabonne, token, expiry, created_at, deleted_at) VALUES (1, '1', 'A1', 't', '2701', 'x', ''), (2, '1', 'A2', 't', '2510', 'x', 'x')`,
	} {
		if _, err := db.sql.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	got, err := db.CardDues(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Seq != 2 || got[1].Seq != 3 || got[0].CardExpiry != "2701" || got[1].Due != "2025-11-10" {
		t.Fatalf("CardDues: %+v", got)
	}
}
