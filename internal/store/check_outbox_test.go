package store

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestCheckWarnsAboutNotices: a failed notice is a warning of its own (with
// the commands to look and retry); notices pending for more than a day are
// one warning; a fresh pending one is none (issue 19).
func TestCheckWarnsAboutNotices(t *testing.T) {
	ctx := context.Background()
	db := newTestDB(t)
	now := time.Date(2025, 10, 10, 12, 0, 0, 0, time.UTC)
	for _, q := range []string{
		`INSERT INTO students(id, last_name, first_name, email, programme, created_at, updated_at) VALUES ('1', 'Essai', 'Ana', 'a@b.fr', 'ING-GC-3A', 'x', 'x')`,
		`INSERT INTO outbox(key, student_id, kind, data, status, next_try_at, created_at) VALUES ('k1', '1', 'plan_approved', '{}', 'pending', '', '2025-10-10T11:00:00Z')`,
	} {
		if _, err := db.sql.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	w003 := func() []string {
		fs, err := db.Check(ctx, now)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, f := range fs {
			if f.Code == "W003" {
				if !f.Warning {
					t.Errorf("W003 is not a warning: %v", f)
				}
				out = append(out, f.Message)
			}
		}
		return out
	}
	if got := w003(); len(got) != 0 {
		t.Fatalf("a notice queued an hour ago: %v", got)
	}
	for _, q := range []string{
		`INSERT INTO outbox(key, student_id, kind, data, status, next_try_at, created_at) VALUES ('k2', '1', 'debit_failed', '{}', 'pending', '', '2025-10-08T06:00:00Z')`,
		`INSERT INTO outbox(key, student_id, kind, data, status, next_try_at, created_at) VALUES ('k3', '1', 'refund', '{}', 'pending', '', '2025-10-09T06:00:00Z')`,
		`INSERT INTO outbox(key, student_id, kind, data, status, next_try_at, created_at, last_error) VALUES ('k4', '1', 'refund', '{}', 'failed', '', '2025-10-09T06:00:00Z', '550 mailbox unavailable')`,
	} {
		if _, err := db.sql.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	got := w003()
	if len(got) != 2 || !strings.Contains(got[0], "notice 4 (refund, student 1) failed: 550 mailbox unavailable; see inpctl mail show 4") ||
		!strings.Contains(got[1], "2 notice(s) pending for more than a day (the oldest since 2025-10-08T06:00:00Z): run inpctl mail send") {
		t.Errorf("W003: %q", got)
	}
}
