package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestJournalOfARehearsedYear: the FEC journal of a whole rehearsed year
// balances, and its receivable account (411) equals the sum of the
// students' Solde in account list at the end of the year (issue 20).
func TestJournalOfARehearsedYear(t *testing.T) {
	r := newRig(t, t.TempDir())
	r.must("rehearse", "--students", "200", "--dir", "year", "-q")
	db := filepath.Join("year", "inpctl.db")
	r.at("2026-06-30T12:00:00+02:00")
	res := r.must("--db", db, "journal", "--from", "2025-01-01", "--to", "2026-06-30", "--out", "fec.txt")
	if !strings.Contains(res.stderr, "debit = credit") {
		t.Fatalf("journal: %s", res)
	}
	b, err := os.ReadFile(filepath.Join(r.dir, "fec.txt"))
	if err != nil {
		t.Fatal(err)
	}
	cents := func(s string) int64 {
		v, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", "."), 64)
		if err != nil {
			t.Fatalf("amount %q: %v", s, err)
		}
		return int64(v*100 + 0.5*sign(v))
	}
	var debit, credit, receivable int64
	for i, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		f := strings.Split(line, "|")
		if len(f) != 18 {
			t.Fatalf("line %d has %d fields", i+1, len(f))
		}
		if i == 0 {
			continue
		}
		d, c := cents(f[11]), cents(f[12])
		debit, credit = debit+d, credit+c
		if f[4] == "411" {
			receivable += d - c
		}
	}
	if debit != credit || debit == 0 {
		t.Errorf("the journal does not balance: debit %d, credit %d", debit, credit)
	}
	out := r.must("--db", db, "account", "list", "--as-of", "2026-06-30", "-o", "json").stdout
	var rows []struct {
		Balance int64 `json:"balance_cents"`
	}
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatal(err)
	}
	var solde int64
	for _, row := range rows {
		solde += row.Balance
	}
	if receivable != solde {
		t.Errorf("receivable 411 = %d cents, Σ Solde = %d", receivable, solde)
	}
}

func sign(v float64) float64 {
	if v < 0 {
		return -1
	}
	return 1
}
