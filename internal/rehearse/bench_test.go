//go:build bench

package rehearse

import (
	"context"
	"flag"
	"path/filepath"
	"testing"
	"time"

	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/config"
	"github.com/inpctl/inpctl/internal/store"
	"github.com/inpctl/inpctl/internal/synth"
)

var rawRows = flag.Int("raw.rows", 100000, "rows of BenchmarkRawImport")

// BenchmarkRawImport is the raw limit "student import" is compared with
// (scripts/bench.sh): the same rows as cmd/gendata -n 100000 (seed 2025),
// each a prepared INSERT of the student and one of its dossier (what the
// import writes per row), in one transaction, with the pragmas of
// store.DSN, on a fresh migrated database with the catalogue loaded. No
// CSV, no validation, no look-up of existing rows. Reports rows/s.
func BenchmarkRawImport(b *testing.B) {
	ctx := context.Background()
	students := synth.Generate(*rawRows, 2025)
	rows := make([]store.RawStudent, len(students))
	for i, s := range students {
		rows[i] = store.RawStudent{ID: s.ID, LastName: s.LastName, FirstName: s.FirstName, Email: s.Email, Programme: s.Programme,
			Apprentice: s.Apprentice, ExtraEU: s.ExtraEU, Exchange: s.Exchange, Address: s.Address, Postcode: s.Postcode, City: s.City, Country: s.Country}
	}
	cfg, err := config.Load("", nil)
	if err != nil {
		b.Fatal(err)
	}
	cat, err := cfg.FeeCatalogue()
	if err != nil {
		b.Fatal(err)
	}
	now := time.Date(2025, 6, 20, 9, 0, 0, 0, time.UTC)
	var spent time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		path := filepath.Join(b.TempDir(), "raw.db")
		db, err := store.Open(ctx, path, clock.Fixed(now), store.Create)
		if err != nil {
			b.Fatal(err)
		}
		n := cfg.Numbering
		if _, err := db.LoadCatalogue(ctx, cat, store.Numbering{OrderPrefix: n.OrderPrefix, OrderStart: n.OrderStart,
			InvoicePrefix: n.InvoicePrefix, InvoiceStart: n.InvoiceStart, CreditNotePrefix: n.CreditNotePrefix,
			CreditNoteStart: n.CreditNoteStart, PaymentPrefix: n.PaymentPrefix, PaymentStart: n.PaymentStart}); err != nil {
			b.Fatal(err)
		}
		db.Close()
		raw, err := store.OpenRaw(path)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		t0 := time.Now()
		if err := raw.RawInsertStudents(ctx, cfg.AcademicYear, now.Format(time.RFC3339), rows); err != nil {
			b.Fatal(err)
		}
		spent += time.Since(t0)
		b.StopTimer()
		raw.Close()
	}
	b.ReportMetric(float64(len(rows))*float64(b.N)/spent.Seconds(), "rows/s")
}
