package store

import (
	"context"
	"strings"
	"testing"
	"time"
)

func codes(fs []Finding) string {
	var c []string
	for _, f := range fs {
		c = append(c, f.Code)
	}
	return strings.Join(c, ",")
}

func TestCheckFindsEachBreach(t *testing.T) {
	ctx := context.Background()
	db := newTestDB(t)
	if fs, err := db.Check(ctx, time.Now()); err != nil || len(fs) != 0 {
		t.Fatalf("fresh database: %v %v", fs, err)
	}
	// A card number in a student's address (made-up test PAN of Paybox).
	db.sql.Exec(`INSERT INTO students(id, last_name, first_name, email, programme, address, created_at, updated_at)
		VALUES ('1', 'A', 'B', 'a@b.fr', 'ING-GC-3A', 'carte 1111222233334444', 'x', 'x')`)
	// An invoice series with a gap, and a second approval of one instalment.
	db.sql.Exec(`INSERT INTO dossiers(student_id, year, programme, status, code, updated_at) VALUES ('1','2025-2026','ING-GC-3A','declared','01','x')`)
	db.sql.Exec(`INSERT INTO orders(number, dossier_id, date, code, ht, tva, ttc, created_at) VALUES ('C1', 1, '2025-09-01', '01', 100, 0, 100, 'x'), ('C2', 1, '2025-09-01', '01', 100, 0, 100, 'x')`)
	db.sql.Exec(`INSERT INTO invoices(number, seq, order_id, student_id, date, issued_at, libelle, session, client_name, client_address, ht, tva, ttc, vat_mention)
		VALUES ('9200', 9200, 1, '1', '2025-09-01', 'x', '', '', '', '', 100, 0, 100, ''), ('9202', 9202, 2, '1', '2025-08-01', 'x', '', '', '', '', 100, 0, 100, '')`)
	db.sql.Exec(`UPDATE audit_log SET summary = 'x'`) // refused by the trigger: no finding
	fs, err := db.Check(ctx, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	got := codes(fs)
	for _, want := range []string{"E003", "E005", "E011"} {
		if !strings.Contains(got, want) {
			t.Errorf("want %s in %s", want, got)
		}
	}
	for _, f := range fs {
		if f.Code == "E011" && strings.Contains(f.Message, "1111222233334444") {
			t.Fatal("the finding must not print the card number")
		}
		if f.Code == "E003" && !strings.Contains(f.Message, "gap between 9200 and 9202") {
			t.Errorf("E003 message: %s", f.Message)
		}
	}
	db.sql.Exec(dropTrigger(db, "audit_no_update", "audit_log"))
	db.sql.Exec(`UPDATE audit_log SET summary = 'forged' WHERE id = 1`)
	fs, _ = db.Check(ctx, time.Now())
	if !strings.Contains(codes(fs), "E010") {
		t.Errorf("tampered audit row not found: %s", codes(fs))
	}
}

func TestBackupRefusesExistingFile(t *testing.T) {
	db := newTestDB(t)
	path := t.TempDir() + "/b.db"
	if err := db.Backup(context.Background(), path); err != nil {
		t.Fatal(err)
	}
	if err := db.Backup(context.Background(), path); err == nil {
		t.Fatal("second backup to the same file must be refused")
	}
}
