package store

import (
	"context"
	"strings"
	"testing"
	"time"
)

// e011 returns the E011 messages of a db check.
func e011(t *testing.T, db *DB) []string {
	t.Helper()
	fs, err := db.Check(context.Background(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range fs {
		if f.Code == "E011" {
			out = append(out, f.Message)
		}
	}
	return out
}

// TestCheckCardNumberAfterOtherDigits: a card number typed after another
// number, or in groups, is found (package pan), named by table and column,
// and never printed.
func TestCheckCardNumberAfterOtherDigits(t *testing.T) {
	db := newTestDB(t)
	db.sql.Exec(`INSERT INTO students(id, last_name, first_name, email, programme, address, city, created_at, updated_at)
		VALUES ('1', 'A', 'B', 'a@b.fr', 'ING-GC-3A', 'VIR 22104567 1111222233334444', '4012 0010 3714 1112', 'x', 'x')`)
	got := e011(t, db)
	if len(got) != 2 {
		t.Fatalf("want 2 findings, got %q", got)
	}
	all := strings.Join(got, "\n")
	for _, want := range []string{"table students column address", "****4444", "table students column city", "****1112"} {
		if !strings.Contains(all, want) {
			t.Errorf("want %q in %s", want, all)
		}
	}
	if strings.Contains(all, "1111222233334444") || strings.Contains(all, "4012") {
		t.Fatalf("a finding prints the card number: %s", all)
	}
}

// TestCheckSkipsSIRETColumn: a valid SIRET passes the Luhn check, yet in
// payers.siret (an allow-listed column) it is not reported; the same
// digits in another column are; a card number in payers.siret that is no
// valid SIRET is reported.
func TestCheckSkipsSIRETColumn(t *testing.T) {
	db := newTestDB(t)
	const madeUpSIRET = "12345678200002" // Luhn-valid, and so is its SIREN
	for _, q := range []string{
		`INSERT INTO students(id, last_name, first_name, email, programme, created_at, updated_at) VALUES ('1', 'Essai', 'Ana', 'a@b.fr', 'ING-GC-3A', 'x', 'x')`,
		`INSERT INTO dossiers(id, student_id, year, programme, status, code, updated_at) VALUES
			(1, '1', '2025-2026', 'ING-GC-3A', 'declared', '42', 'x'), (2, '1', '2024-2025', 'ING-GC-3A', 'declared', '42', 'x'),
			(3, '1', '2023-2024', 'ING-GC-3A', 'declared', '42', 'x')`,
		`INSERT INTO payers(dossier_id, name, siret, set_at) VALUES (1, 'Entreprise Exemple', '` + madeUpSIRET + `', 'x')`,
	} {
		if _, err := db.sql.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if got := e011(t, db); len(got) != 0 {
		t.Fatalf("a valid SIRET in payers.siret is reported: %q", got)
	}
	if _, err := db.sql.Exec(`INSERT INTO payers(dossier_id, name, siret, set_at) VALUES (2, 'SIRET ' || ?, '36133990076017', 'x')`, madeUpSIRET); err != nil {
		t.Fatal(err)
	}
	got := strings.Join(e011(t, db), "\n")
	if !strings.Contains(got, "table payers column name") || !strings.Contains(got, "****0002") {
		t.Errorf("the SIRET's digits in payers.name are not reported: %s", got)
	}
	if !strings.Contains(got, "table payers column siret") || !strings.Contains(got, "****6017") {
		t.Errorf("a card number that is no SIRET in payers.siret is not reported: %s", got)
	}
}

// TestCheckOwnReferencesAreNoCardNumbers: the database's own Paybox
// references are not card numbers, even those of a database made when the
// prefix could end with a digit ("I100002-00000006" reads as 14 digits
// that pass the Luhn check); a new prefix always ends with a letter.
func TestCheckOwnReferencesAreNoCardNumbers(t *testing.T) {
	db := newTestDB(t)
	if _, err := db.sql.Exec(`UPDATE sequences SET prefix = 'I100002-' WHERE name = ?`, SeqAttempt); err != nil {
		t.Fatal(err)
	}
	db.sql.Exec(`INSERT INTO students(id, last_name, first_name, email, programme, address, created_at, updated_at)
		VALUES ('1', 'A', 'B', 'a@b.fr', 'ING-GC-3A', 'Paiement en ligne I100002-00000006', 'x', 'x')`)
	if got := e011(t, db); len(got) != 0 {
		t.Fatalf("the database's own reference is reported: %q", got)
	}
	db.sql.Exec(`UPDATE sequences SET prefix = 'I0abcde-' WHERE name = ?`, SeqAttempt)
	if got := e011(t, db); len(got) != 1 {
		t.Fatalf("another database's reference with 14 Luhn-valid digits is a card number to db check: %q", got)
	}
	for range 2000 {
		if p := randomPrefix(); len(p) != 8 || p[6] < 'a' || p[6] > 'f' {
			t.Fatalf("randomPrefix() = %q: its last hex digit must be a letter", p)
		}
	}
}
