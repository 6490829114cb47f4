package store

import (
	"context"
	"testing"
	"time"

	"github.com/inpctl/inpctl/internal/fault"
)

func outboxStudent(t *testing.T, db *DB, id, email string) {
	t.Helper()
	rows := []ImportRow{{Student: Student{ID: id, LastName: "Exemple", FirstName: "Léa", Email: email, Programme: "ING-GC-3A"}, Year: "2025-2026", Line: 2}}
	if _, _, err := db.ImportStudents(context.Background(), "s.csv", rows, false, nil); err != nil {
		t.Fatal(err)
	}
}

func queue(t *testing.T, db *DB, n Notice) (int64, bool) {
	t.Helper()
	var id int64
	var ok bool
	inTx(t, db, func(ctx context.Context, tx *Tx) (err error) {
		id, ok, err = tx.QueueNotice(ctx, n)
		return err
	})
	return id, ok
}

// One notice per key: the same event queued twice gives one row.
func TestQueueNoticeOncePerKey(t *testing.T) {
	db := newTestDB(t)
	outboxStudent(t, db, "22100001", "lea@etu.example.org")
	n := Notice{Key: "plan_approved:7", StudentID: "22100001", Kind: "plan_approved", Data: `{"plan":"3x"}`}
	id, ok := queue(t, db, n)
	if !ok || id == 0 {
		t.Fatalf("first queue: id %d queued %v", id, ok)
	}
	if _, ok := queue(t, db, n); ok {
		t.Fatal("the same key was queued twice")
	}
	all, err := db.ListNotices(context.Background(), NoticeFilter{})
	if err != nil || len(all) != 1 {
		t.Fatalf("want 1 row, got %d (%v)", len(all), err)
	}
	got := all[0]
	if got.Status != "pending" || got.Email != "lea@etu.example.org" || got.Data != `{"plan":"3x"}` || got.NextTryAt != "2025-09-01T07:00:00Z" {
		t.Fatalf("row %+v", got)
	}
}

func TestQueueNoticeRefusesBadRows(t *testing.T) {
	db := newTestDB(t)
	outboxStudent(t, db, "22100001", "lea@etu.example.org")
	ctx := context.Background()
	for name, n := range map[string]Notice{
		"unknown kind":    {Key: "k1", StudentID: "22100001", Kind: "newsletter", Data: `{}`},
		"not json":        {Key: "k2", StudentID: "22100001", Kind: "refund", Data: `{`},
		"unknown student": {Key: "k3", StudentID: "99999999", Kind: "refund", Data: `{}`},
	} {
		err := db.InTx(ctx, func(tx *Tx) error { _, _, err := tx.QueueNotice(ctx, n); return err })
		if fault.KindOf(err) != fault.Conflict {
			t.Errorf("%s: want a conflict, got %v", name, err)
		}
	}
}

// DueNotices gives the pending rows whose time has come, oldest first;
// sent, failed and later rows are left out.
func TestNoticeLifecycle(t *testing.T) {
	db := newTestDB(t)
	ctx := context.Background()
	outboxStudent(t, db, "22100001", "lea@etu.example.org")
	var ids []int64
	for _, k := range []string{"a", "b", "c", "d"} {
		id, _ := queue(t, db, Notice{Key: k, StudentID: "22100001", Kind: "refund", Data: `{}`})
		ids = append(ids, id)
	}
	now := testNow.Now()
	must(t, db.MarkNoticeSent(ctx, ids[0], "lea@etu.example.org", "<x@example.org>", "250 2.0.0 OK"))
	must(t, db.MarkNoticeFailed(ctx, ids[1], "lea@etu.example.org", "<y@example.org>", "550 5.1.1 no such user", true))
	must(t, db.RetryNoticeAt(ctx, ids[2], now.Add(10*time.Minute), "lea@etu.example.org", "<z@example.org>", "451 4.3.0 try later"))
	due, err := db.DueNotices(ctx, now, 0)
	if err != nil || len(due) != 1 || due[0].ID != ids[3] {
		t.Fatalf("due now: %+v %v", due, err)
	}
	due, _ = db.DueNotices(ctx, now.Add(10*time.Minute), 0)
	if len(due) != 2 || due[0].ID != ids[2] || due[0].Attempts != 1 || due[0].LastError != "451 4.3.0 try later" {
		t.Fatalf("due later: %+v", due)
	}
	if due, _ = db.DueNotices(ctx, now.Add(time.Hour), 1); len(due) != 1 {
		t.Fatalf("limit 1 gave %d", len(due))
	}
	sent, _ := db.Notice(ctx, ids[0])
	if sent.Status != "sent" || sent.SentAt == "" || sent.MessageID != "<x@example.org>" || sent.Attempts != 1 {
		t.Fatalf("sent row %+v", sent)
	}
	failed, _ := db.ListNotices(ctx, NoticeFilter{Status: "failed", StudentID: "22100001"})
	if len(failed) != 1 || failed[0].LastError != "550 5.1.1 no such user" {
		t.Fatalf("failed rows %+v", failed)
	}

	// A sent notice is final, in Go and in the database.
	if _, err := db.RequeueNotice(ctx, ids[0]); fault.KindOf(err) != fault.Conflict {
		t.Fatalf("requeue of a sent notice: %v", err)
	}
	if _, err := db.sql.Exec(`UPDATE outbox SET status = 'pending' WHERE id = ?`, ids[0]); err == nil {
		t.Fatal("the database let a sent notice change")
	}
	if _, err := db.sql.Exec(`DELETE FROM outbox WHERE id = ?`, ids[1]); err == nil {
		t.Fatal("the database let a notice be deleted")
	}
	n, err := db.RequeueNotice(ctx, ids[1])
	if err != nil || n.Status != "pending" || n.Attempts != 0 {
		t.Fatalf("requeue: %+v %v", n, err)
	}
	if _, err := db.Notice(ctx, 999); fault.KindOf(err) != fault.NotFound {
		t.Fatalf("unknown notice: %v", err)
	}
	must(t, db.SetNoticeLink(ctx, ids[3], "https://pay.example.org/x"))
	if n, _ := db.Notice(ctx, ids[3]); n.Link != "https://pay.example.org/x" {
		t.Fatalf("link %q", n.Link)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
