package store

import (
	"context"
	"errors"
	"testing"

	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/fault"
)

// TestJournalExportRecords: an export of a closed period records the
// numbers given (and an audit row); the next export reads them back with
// each movement; a failed export records nothing; a provisional one
// writes nothing; a record is never changed, and a number never given
// twice (issue 20).
func TestJournalExportRecords(t *testing.T) {
	ctx := context.Background()
	db := newTestDB(t)
	seedAccountLedger(t, db)
	from, _ := clock.ParseDate("2025-09-01")
	to, _ := clock.ParseDate("2025-09-30")
	number := func(record bool, fail error) (int, error) {
		n := 0
		err := db.ExportJournal(ctx, from, to, record, func(x *JournalExport) error {
			err := x.Each(ctx, func(m JournalMovement) error {
				if m.Seq != 0 {
					return nil
				}
				n++
				return x.Number(ctx, m, "J", "Journal", n, m.Date)
			})
			if err == nil {
				err = fail
			}
			return err
		})
		return n, err
	}
	if n, err := number(true, errors.New("disk full")); err == nil || n != 4 {
		t.Fatalf("failed export: %d numbered, %v", n, err)
	}
	if n, err := number(false, nil); err != nil || n != 4 {
		t.Fatalf("provisional export after a failed one: %d numbered (want 4: nothing was recorded), %v", n, err)
	}
	if n, err := number(true, nil); err != nil || n != 4 {
		t.Fatalf("export: %d numbered, %v", n, err)
	}
	if n, err := number(true, nil); err != nil || n != 0 {
		t.Fatalf("second export: %d numbered, want 0 (all recorded), %v", n, err)
	}
	var seqs []int
	err := db.ExportJournal(ctx, from, to, false, func(x *JournalExport) error {
		if x.Last["J"].Seq != 4 || len(x.Exported) != 1 || !x.InExported("2025-09-12") || x.InExported("2025-10-01") {
			t.Errorf("recorded: last %+v, exported %v", x.Last, x.Exported)
		}
		return x.Each(ctx, func(m JournalMovement) error {
			if m.Numbered != "J" || m.NumberedLib != "Journal" {
				t.Errorf("%s %d: recorded as %q %q", m.Kind, m.ID, m.Numbered, m.NumberedLib)
			}
			seqs = append(seqs, m.Seq)
			return nil
		})
	})
	if err != nil || len(seqs) != 4 || seqs[0] != 1 || seqs[3] != 4 {
		t.Fatalf("read back: %v, %v", seqs, err)
	}
	var audits int
	db.sql.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE entity = 'journal:2025-09-01..2025-09-30'`).Scan(&audits)
	if audits != 2 {
		t.Errorf("%d audit rows for the two recording exports, want 2", audits)
	}
	for _, q := range []string{`UPDATE journal_numbers SET seq = 9`, `DELETE FROM journal_numbers`,
		`UPDATE journal_exports SET date_to = '2025-12-31'`, `DELETE FROM journal_exports`,
		`INSERT INTO journal_numbers(kind, movement_id, journal, journal_lib, seq, date, export_id) VALUES ('refund', 99, 'J', 'x', 1, '2025-09-01', 1)`} {
		if _, err := db.sql.Exec(q); err == nil {
			t.Errorf("%s: accepted", q)
		} else if !fault.Is(mapErr(err), fault.Conflict) {
			t.Errorf("%s: %v, want a conflict", q, err)
		}
	}
}
