package store

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestCheckOwedInvariants seeds one corruption per invariant of issue 16
// into a consistent database and checks that db check names it (and that
// the consistent base has no finding).
func TestCheckOwedInvariants(t *testing.T) {
	base := []string{
		`INSERT INTO students(id, last_name, first_name, email, programme, created_at, updated_at) VALUES ('1', 'Essai', 'Ana', 'a@b.fr', 'ING-GC-3A', 'x', 'x')`,
		`INSERT INTO dossiers(id, student_id, year, programme, status, code, updated_at) VALUES (1, '1', '2025-2026', 'ING-GC-3A', 'declared', '01', 'x')`,
		`INSERT INTO orders(id, number, dossier_id, date, code, ht, tva, ttc, created_at) VALUES (1, 'C1', 1, '2025-09-01', '01', 60100, 0, 60100, 'x')`,
		`INSERT INTO invoices(id, number, seq, order_id, student_id, date, issued_at, libelle, session, client_name, client_address, ht, tva, ttc, vat_mention)
			VALUES (1, '9200', 9200, 1, '1', '2025-09-01', 'x', '', '', '', '', 60100, 0, 60100, '')`,
		`INSERT INTO plans(id, order_id, plan, status, requested_at) VALUES (1, 1, '3x', 'active', '2025-09-01T07:00:00Z')`,
		`INSERT INTO instalments(id, plan_id, seq, amount, due_date, status, paid_date) VALUES
			(1, 1, 1, 20033, '2025-09-01', 'paid', '2025-09-01'), (2, 1, 2, 20033, '2025-10-10', 'pending', ''), (3, 1, 3, 20034, '2025-11-10', 'pending', '')`,
		`INSERT INTO cards(id, student_id, refabonne, token, expiry, created_at) VALUES (1, '1', 'AB1', 'tok', '2712', 'x')`,
		`INSERT INTO attempts(id, reference, numquestion, instalment_id, card_id, amount, state, created_at) VALUES (1, 'R1', 1, 1, 1, 20033, 'approved', '2025-09-01T07:00:00Z')`,
		`INSERT INTO payments(id, number, student_id, date, amount, method, attempt_id, created_at) VALUES (1, 'REG1', '1', '2025-09-01', 20033, 'card', 1, 'x')`,
		`INSERT INTO allocations(payment_id, invoice_id, amount, created_at) VALUES (1, 1, 20033, 'x')`,
	}
	cases := []struct {
		code    string
		corrupt []string
		message string
	}{
		{"E001", []string{`UPDATE instalments SET amount = 30000 WHERE id = 3`}, "unpaid instalments sum to 50033 cents, the order owes 40067"},
		{"E015", []string{
			`INSERT INTO attempts(id, reference, numquestion, instalment_id, card_id, amount, state, created_at) VALUES (2, 'R2', 2, 2, 1, 50000, 'approved', '2025-10-10T07:00:00Z')`,
			`INSERT INTO payments(id, number, student_id, date, amount, method, attempt_id, created_at) VALUES (2, 'REG2', '1', '2025-10-10', 50000, 'card', 2, 'x')`,
		}, "70033 cents taken by card, more than its dearest order (60100)"},
		{"E008", []string{
			`INSERT INTO attempts(id, reference, numquestion, instalment_id, card_id, amount, state, created_at) VALUES (2, 'R2', 2, 1, 1, 20033, 'approved', '2025-10-10T07:00:00Z')`,
			`INSERT INTO payments(id, number, student_id, date, amount, method, attempt_id, created_at) VALUES (2, 'REG2', '1', '2025-10-10', 20033, 'card', 2, 'x')`,
		}, "instalment 1 has 2 approved charges, 0 payments to its order reversed"},
		{"E016", []string{
			`UPDATE orders SET blocked_reason = 'refus définitif', blocked_at = '2025-10-10T07:00:00Z' WHERE id = 1`,
			`INSERT INTO attempts(id, reference, numquestion, instalment_id, card_id, amount, state, created_at) VALUES (2, 'R2', 2, 2, 1, 20033, 'declined', '2025-10-13T07:00:00Z')`,
		}, "is blocked since 2025-10-10T07:00:00Z but charge R2 was sent"},
	}
	// Not a finding: a cheque to the order comes back unpaid, the plan asks
	// for instalment 1 again, and it is debited a second time.
	legit := []string{
		`INSERT INTO payments(id, number, student_id, date, amount, method, created_at) VALUES (3, 'REG3', '1', '2025-09-20', 20033, 'cheque', 'x')`,
		`INSERT INTO allocations(payment_id, invoice_id, amount, created_at) VALUES (3, 1, 20033, 'x')`,
		`INSERT INTO unpaids(payment_id, date, reason, created_at) VALUES (3, '2025-10-01', 'chèque impayé', 'x')`,
		`INSERT INTO allocations(payment_id, invoice_id, amount, created_at) VALUES (3, 1, -20033, 'x')`,
		`INSERT INTO attempts(id, reference, numquestion, instalment_id, card_id, amount, state, created_at) VALUES (2, 'R2', 2, 1, 1, 20033, 'approved', '2025-10-10T07:00:00Z')`,
		`INSERT INTO payments(id, number, student_id, date, amount, method, attempt_id, created_at) VALUES (2, 'REG2', '1', '2025-10-10', 20033, 'card', 2, 'x')`,
	}
	ctx := context.Background()
	t.Run("E008 after an unpaid", func(t *testing.T) {
		db := newTestDB(t)
		for _, q := range append(slices.Clone(base), legit...) {
			if _, err := db.sql.Exec(q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		fs, err := db.Check(ctx, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fs {
			if f.Code == "E008" {
				t.Errorf("a second debit after an unpaid is not a double charge: %s", f.Message)
			}
		}
	})
	for _, c := range cases {
		t.Run(c.code, func(t *testing.T) {
			db := newTestDB(t)
			for _, q := range base {
				if _, err := db.sql.Exec(q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			if fs, err := db.Check(ctx, time.Now()); err != nil || len(fs) != 0 {
				t.Fatalf("consistent base: %v %v", fs, err)
			}
			for _, q := range c.corrupt {
				if _, err := db.sql.Exec(q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			fs, err := db.Check(ctx, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, f := range fs {
				if f.Code == c.code {
					found = true
					if !strings.Contains(f.Message, c.message) {
						t.Errorf("%s says %q, want %q in it", c.code, f.Message, c.message)
					}
				}
			}
			if !found {
				t.Errorf("%s not found after the corruption: %v", c.code, fs)
			}
		})
	}
}
