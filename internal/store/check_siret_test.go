package store

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestCheckTellsSIRETFromCardNumbers: a SIRET passes the Luhn check like a
// card number. In the payer's SIRET field (and the invoice's copy of it)
// db check leaves it alone; the same 14 digits anywhere else are reported
// (E011), as a card number would be.
func TestCheckTellsSIRETFromCardNumbers(t *testing.T) {
	const siret = "36200123210001" // made up; Luhn-valid, and 36… is also a 14-digit card prefix
	ctx := context.Background()
	base := []string{
		`INSERT INTO students(id, last_name, first_name, email, programme, created_at, updated_at) VALUES ('1', 'Essai', 'Ana', 'a@b.fr', 'ING-GC-3A', 'x', 'x')`,
		`INSERT INTO dossiers(id, student_id, year, programme, status, code, updated_at) VALUES (1, '1', '2025-2026', 'ING-GC-3A', 'declared', '01', 'x')`,
		`INSERT INTO payers(dossier_id, name, siret, set_at) VALUES (1, 'Exemple SAS', '` + siret + `', 'x')`,
		`INSERT INTO orders(id, number, dossier_id, date, code, ht, tva, ttc, created_at) VALUES (1, 'C1', 1, '2025-09-01', '01', 60100, 0, 60100, 'x')`,
		`INSERT INTO invoices(id, number, seq, order_id, student_id, date, issued_at, libelle, session, client_name, client_address, ht, tva, ttc, vat_mention, client_siret)
			VALUES (1, '9200', 9200, 1, '1', '2025-09-01', 'x', '', '', 'Exemple SAS', '', 60100, 0, 60100, '', '` + siret + `')`,
	}
	for _, c := range []struct {
		name    string
		more    []string
		flagged bool
	}{
		{"in the SIRET fields", nil, false},
		{"in a payer's name", []string{`UPDATE payers SET name = 'Exemple ` + siret + `'`}, true},
		{"in a student's name", []string{`UPDATE students SET last_name = '` + siret + `'`}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			db := newTestDB(t)
			for _, q := range append(base, c.more...) {
				if _, err := db.sql.Exec(q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			fs, err := db.Check(ctx, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			got := false
			for _, f := range fs {
				if f.Code == "E011" && strings.Contains(f.Message, "****0001") {
					got = true
				}
			}
			if got != c.flagged {
				t.Errorf("E011 reported: %v, want %v (%v)", got, c.flagged, fs)
			}
		})
	}
}
