//go:build bench

package store

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/inpctl/inpctl/internal/clock"
)

// TestRawJournalReadsTheJournalsRows: the raw limit of inpctl journal
// (RawJournal, scripts/bench.d/10-journal.sh) writes one line per movement
// the journal streams, in the same order, with the same columns.
func TestRawJournalReadsTheJournalsRows(t *testing.T) {
	ctx := context.Background()
	db := newTestDB(t)
	seedAccountLedger(t, db)
	from, _ := clock.ParseDate("2025-09-01")
	to, _ := clock.ParseDate("2025-09-30")
	var want []string
	err := db.EachJournalMovement(ctx, from, to, func(m JournalMovement) error {
		want = append(want, strconv.FormatInt(m.ID, 10)+"|"+m.Date+"|"+m.Kind+"|"+m.Number+"|"+m.StudentID)
		return nil
	})
	if err != nil || len(want) == 0 {
		t.Fatalf("journal: %d movements, %v", len(want), err)
	}
	var b strings.Builder
	n, err := db.RawJournal(ctx, from.String(), to.String(), &b)
	if err != nil || n != len(want) {
		t.Fatalf("raw: %d rows, %v; want %d", n, err, len(want))
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	for i, l := range lines {
		if f := strings.Split(l, "|"); len(f) != 19 || strings.Join(f[:5], "|") != want[i] {
			t.Errorf("raw line %d: %q (%d fields), want %s… and 19 fields", i+1, l, len(f), want[i])
		}
	}
}
