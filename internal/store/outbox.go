package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/inpctl/inpctl/internal/fault"
)

// Notice is one row of the outbox: an e-mail to a student, written with
// the event that causes it and sent later by mail send. Email and Name
// are the student's, read with the row.
type Notice struct {
	ID        int64  `json:"id"`
	Key       string `json:"key"`
	StudentID string `json:"student_id"`
	Kind      string `json:"kind"`
	Data      string `json:"-"`
	Status    string `json:"status"` // pending, sent, failed or skipped
	Attempts  int    `json:"attempts"`
	NextTryAt string `json:"next_try_at"`
	LastError string `json:"last_error"`
	Recipient string `json:"recipient"`
	MessageID string `json:"message_id"`
	Link      string `json:"-"`
	CreatedAt string `json:"created_at"`
	SentAt    string `json:"sent_at"`

	Email     string `json:"-"`
	FirstName string `json:"-"`
	LastName  string `json:"-"`
}

// NoticeFilter selects outbox rows: a status ("" for all) and a student.
type NoticeFilter struct {
	Status    string
	StudentID string
}

const noticeCols = `o.id, o.key, o.student_id, o.kind, o.data, o.status, o.attempts, o.next_try_at, o.last_error,
	o.recipient, o.message_id, o.link, o.created_at, o.sent_at, s.email, s.first_name, s.last_name`

func scanNotice(r scanner) (Notice, error) {
	var n Notice
	err := r.Scan(&n.ID, &n.Key, &n.StudentID, &n.Kind, &n.Data, &n.Status, &n.Attempts, &n.NextTryAt, &n.LastError,
		&n.Recipient, &n.MessageID, &n.Link, &n.CreatedAt, &n.SentAt, &n.Email, &n.FirstName, &n.LastName)
	return n, err
}

// QueueNotice writes a notice in the caller's transaction, once per key:
// a second notice with the same key is dropped (INSERT … ON CONFLICT DO
// NOTHING) and queued is false. A notice given as failed (the student has
// no usable address) is written failed, with its reason.
func (tx *Tx) QueueNotice(ctx context.Context, n Notice) (id int64, queued bool, err error) {
	if n.Status == "" {
		n.Status = "pending"
	}
	res, err := tx.exec(ctx, `INSERT INTO outbox(key, student_id, kind, data, status, next_try_at, last_error, recipient, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(key) DO NOTHING`,
		n.Key, n.StudentID, n.Kind, n.Data, n.Status, ts(tx.Now), n.LastError, n.Recipient, ts(tx.Now))
	if err != nil {
		return 0, false, fmt.Errorf("queue notice %s: %w", n.Key, err)
	}
	if k, _ := res.RowsAffected(); k == 0 {
		return 0, false, nil
	}
	id, err = res.LastInsertId()
	return id, true, err
}

// DueNotices lists the pending notices whose time has come (next_try_at
// at or before now), oldest first, at most limit (0: all).
func (db *DB) DueNotices(ctx context.Context, now time.Time, limit int) ([]Notice, error) {
	if limit <= 0 {
		limit = math.MaxInt // no limit (SQLite's -1 is not PostgreSQL's)
	}
	return db.notices(ctx, `WHERE o.status = 'pending' AND o.next_try_at <= ? ORDER BY o.id LIMIT ?`, ts(now), limit)
}

// ListNotices lists outbox rows in id order.
func (db *DB) ListNotices(ctx context.Context, f NoticeFilter) ([]Notice, error) {
	var where []string
	var args []any
	if f.Status != "" {
		where, args = append(where, "o.status = ?"), append(args, f.Status)
	}
	if f.StudentID != "" {
		where, args = append(where, "o.student_id = ?"), append(args, f.StudentID)
	}
	q := "ORDER BY o.id"
	if len(where) > 0 {
		q = "WHERE " + strings.Join(where, " AND ") + " " + q
	}
	return db.notices(ctx, q, args...)
}

func (db *DB) notices(ctx context.Context, tail string, args ...any) ([]Notice, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT `+noticeCols+` FROM outbox o JOIN students s ON s.id = o.student_id `+tail, args...)
	if err != nil {
		return nil, mapErr(fmt.Errorf("read outbox: %w", err))
	}
	defer rows.Close()
	out := []Notice{}
	for rows.Next() {
		n, err := scanNotice(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, mapErr(rows.Err())
}

// Notice returns one outbox row.
func (db *DB) Notice(ctx context.Context, id int64) (Notice, error) {
	n, err := scanNotice(db.sql.QueryRowContext(ctx, `SELECT `+noticeCols+` FROM outbox o JOIN students s ON s.id = o.student_id WHERE o.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return n, fault.New(fault.NotFound, "no notice %d", id).WithHint("list them with: inpctl mail list")
	}
	return n, mapErr(err)
}

// NoticeOutcome is what one send did with a notice, for RecordNotices.
type NoticeOutcome struct {
	ID int64
	// Status is sent (the server accepted it), failed (a permanent
	// refusal, an unusable address), retry (a temporary failure: pending
	// until NextTry) or skipped (its kind is turned off).
	Status               string
	Recipient, MessageID string
	Answer               string // the server's answer, or the reason
	Tried                bool   // failed: the server was asked (counts as an attempt)
	NextTry              time.Time
}

// RecordNotices records the outcomes of several sends in one transaction
// (one commit, one fsync, for a batch of messages the server already
// answered). Either all are recorded or none: a notice whose acceptance
// is not recorded stays pending and is sent again with the same
// Message-ID.
func (db *DB) RecordNotices(ctx context.Context, outs []NoticeOutcome) error {
	if len(outs) == 0 {
		return nil
	}
	return db.inTx(ctx, func(tx *Tx) error {
		for _, o := range outs {
			if err := tx.recordNotice(ctx, o); err != nil {
				return err
			}
		}
		return nil
	})
}

func (tx *Tx) recordNotice(ctx context.Context, o NoticeOutcome) error {
	var set string
	var args []any
	switch o.Status {
	case "sent":
		set = `status = 'sent', attempts = attempts + 1, recipient = ?, message_id = ?, last_error = ?, sent_at = ?`
		args = []any{o.Recipient, o.MessageID, o.Answer, ts(tx.Now)}
	case "failed":
		inc := 0
		if o.Tried {
			inc = 1
		}
		set = `status = 'failed', attempts = attempts + ?, recipient = ?, message_id = ?, last_error = ?`
		args = []any{inc, o.Recipient, o.MessageID, o.Answer}
	case "retry":
		set = `attempts = attempts + 1, next_try_at = ?, recipient = ?, message_id = ?, last_error = ?`
		args = []any{ts(o.NextTry), o.Recipient, o.MessageID, o.Answer}
	case "skipped":
		set, args = `status = 'skipped', last_error = ?`, []any{o.Answer}
	default:
		return fmt.Errorf("notice %d: unknown outcome %q", o.ID, o.Status)
	}
	res, err := tx.exec(ctx, `UPDATE outbox SET `+set+` WHERE id = ?`, append(args, o.ID)...)
	if err != nil {
		return fmt.Errorf("update notice %d: %w", o.ID, err)
	}
	if k, _ := res.RowsAffected(); k == 0 {
		return fault.New(fault.NotFound, "no notice %d", o.ID)
	}
	return nil
}

// MarkNoticeSent records that the server accepted the notice, with its
// answer and Message-ID.
func (db *DB) MarkNoticeSent(ctx context.Context, id int64, recipient, messageID, answer string) error {
	return db.RecordNotices(ctx, []NoticeOutcome{{ID: id, Status: "sent", Recipient: recipient, MessageID: messageID, Answer: answer}})
}

// MarkNoticeFailed records a permanent failure (a 5xx answer, an unusable
// address): the notice is not tried again unless staff ask (mail retry).
func (db *DB) MarkNoticeFailed(ctx context.Context, id int64, recipient, messageID, reason string, tried bool) error {
	return db.RecordNotices(ctx, []NoticeOutcome{{ID: id, Status: "failed", Recipient: recipient, MessageID: messageID, Answer: reason, Tried: tried}})
}

// RetryNoticeAt records a temporary failure (a 4xx answer, a server that
// cannot be reached): the notice stays pending until next.
func (db *DB) RetryNoticeAt(ctx context.Context, id int64, next time.Time, recipient, messageID, reason string) error {
	return db.RecordNotices(ctx, []NoticeOutcome{{ID: id, Status: "retry", NextTry: next, Recipient: recipient, MessageID: messageID, Answer: reason}})
}

// MarkNoticeSkipped records that a notice was not sent because its kind
// is turned off (config mail.notices); mail retry can queue it again.
func (db *DB) MarkNoticeSkipped(ctx context.Context, id int64, reason string) error {
	return db.RecordNotices(ctx, []NoticeOutcome{{ID: id, Status: "skipped", Answer: reason}})
}

// SetNoticeLink keeps the payment link made for a notice, so a retry or a
// duplicate carries the same one.
func (db *DB) SetNoticeLink(ctx context.Context, id int64, link string) error {
	return db.updateNotice(ctx, id, `link = ?`, func(*Tx) []any { return []any{link} })
}

// RequeueNotice puts a failed or skipped notice back in the queue, due now, with a
// fresh count (mail retry). A sent notice is refused: sending it again
// would be a second message.
func (db *DB) RequeueNotice(ctx context.Context, id int64) (Notice, error) {
	err := db.inTx(ctx, func(tx *Tx) error {
		var status string
		err := tx.queryRow(ctx, `SELECT status FROM outbox WHERE id = ?`, id).Scan(&status)
		if errors.Is(err, sql.ErrNoRows) {
			return fault.New(fault.NotFound, "no notice %d", id).WithHint("list them with: inpctl mail list")
		}
		if err != nil {
			return err
		}
		if status == "sent" {
			return fault.New(fault.Conflict, "notice %d was already sent: it is not sent twice", id)
		}
		if _, err := tx.exec(ctx, `UPDATE outbox SET status = 'pending', attempts = 0, next_try_at = ? WHERE id = ?`, ts(tx.Now), id); err != nil {
			return err
		}
		return tx.audit(ctx, fmt.Sprintf("notice:%d", id), "queued again (mail retry), was "+status)
	})
	if err != nil {
		return Notice{}, err
	}
	return db.Notice(ctx, id)
}

func (db *DB) updateNotice(ctx context.Context, id int64, set string, args func(*Tx) []any) error {
	return db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE outbox SET `+set+` WHERE id = ?`, append(args(tx), id)...)
		if err != nil {
			return fmt.Errorf("update notice %d: %w", id, err)
		}
		if k, _ := res.RowsAffected(); k == 0 {
			return fault.New(fault.NotFound, "no notice %d", id)
		}
		return nil
	})
}

// NoticesOf lists, inside the transaction (its own uncommitted rows
// included), a student's notices of a kind, in id order.
func (tx *Tx) NoticesOf(ctx context.Context, studentID, kind string) ([]Notice, error) {
	rows, err := tx.query(ctx, `SELECT `+noticeCols+` FROM outbox o JOIN students s ON s.id = o.student_id
		WHERE o.student_id = ? AND o.kind = ? ORDER BY o.id`, studentID, kind)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Notice
	for rows.Next() {
		n, err := scanNotice(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}
