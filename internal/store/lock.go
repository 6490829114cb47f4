package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/inpctl/inpctl/internal/fault"
)

// LockHolder identifies a process holding an advisory lock.
type LockHolder struct {
	Holder string // e.g. "charge --due by clerk"
	PID    int
	Host   string
	Start  string // when the process started (e.g. /proc/PID/stat start time); "" if unknown
}

// AcquireLock takes the advisory lock name, or fails at once with a Locked
// fault (exit 11) when a live process holds it. A holder on this host whose
// process is gone (killed, crashed) is taken over, and the audit log says
// so. alive tells whether the process pid, started at start, still runs on
// this host. A holder with our own pid on our host is not us (we do not hold
// the lock yet): a run before us that died, as happens when every run is
// pid 1 of a container.
func (db *DB) AcquireLock(ctx context.Context, name string, me LockHolder, alive func(pid int, start string) bool) (release func() error, err error) {
	if db.pg {
		return db.acquirePgLock(ctx, name, me)
	}
	err = db.inTx(ctx, func(tx *Tx) error {
		var cur LockHolder
		var since string
		err := tx.queryRow(ctx, `SELECT holder, pid, host, acquired_at, proc_start FROM locks WHERE name = ?`, name).Scan(&cur.Holder, &cur.PID, &cur.Host, &since, &cur.Start)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return err
		case cur.Host != me.Host || (cur.PID != me.PID && alive(cur.PID, cur.Start)):
			return fault.New(fault.Locked, "%s is locked: %s (pid %d on %s) holds it since %s", name, cur.Holder, cur.PID, cur.Host, since).
				WithHint("wait for that run to finish; nothing was done")
		default:
			if err := tx.audit(ctx, "lock:"+name, fmt.Sprintf("stale lock of pid %d (%s) taken over: that process is gone", cur.PID, cur.Holder)); err != nil {
				return err
			}
		}
		_, err = tx.exec(ctx, `INSERT INTO locks(name, holder, pid, host, acquired_at, proc_start) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT(school, name) DO UPDATE SET holder=excluded.holder, pid=excluded.pid, host=excluded.host,
			acquired_at=excluded.acquired_at, proc_start=excluded.proc_start`,
			name, me.Holder, me.PID, me.Host, ts(tx.Now), me.Start)
		return err
	})
	if err != nil {
		return nil, err
	}
	return func() error {
		_, err := db.sql.ExecContext(context.WithoutCancel(ctx), `DELETE FROM locks WHERE name = ? AND pid = ? AND host = ? AND proc_start = ?`, name, me.PID, me.Host, me.Start)
		return mapErr(err)
	}, nil
}

// randomPrefix names this database in Paybox references, so two databases
// (a rehearsal and production, two test runs) never send the same REFERENCE.
// Its last hex digit is a letter (a to f): with a digit there, the digits
// before the dash and the counter after it ("I312345-00000006") would read
// as one 14-digit number, which a card-number detector (package pan) must
// take for a card when it passes the Luhn check.
func randomPrefix() string {
	b := make([]byte, 3)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	b[2] = b[2]&0xf0 | (0xa + b[2]&0x0f%6)
	return "I" + hex.EncodeToString(b) + "-"
}

// ChargeInFlight returns a charge attempt of the student's orders that is
// on its way to the gateway (state sent), if any, and who holds the charge
// run's lock ("" when no run holds it: the attempt was left by a run that
// died, and the next run or reconcile looks it up).
func (tx *Tx) ChargeInFlight(ctx context.Context, studentID string) (a Attempt, holder string, ok bool, err error) {
	err = tx.queryRow(ctx, `SELECT a.reference, a.amount, a.created_at FROM attempts a JOIN instalments i ON i.id = a.instalment_id
		JOIN plans p ON p.id = i.plan_id JOIN orders o ON o.id = p.order_id JOIN dossiers d ON d.id = o.dossier_id
		WHERE a.kind = 'charge' AND a.state = 'sent' AND d.student_id = ? ORDER BY a.id LIMIT 1`, studentID).Scan(&a.Reference, &a.Amount, &a.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return a, "", false, nil
	}
	if err != nil {
		return a, "", false, err
	}
	var h LockHolder
	var since string
	err = tx.queryRow(ctx, `SELECT holder, pid, host, acquired_at FROM locks WHERE name = 'charge'`).Scan(&h.Holder, &h.PID, &h.Host, &since)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return a, "", true, nil
	case err != nil:
		return a, "", true, err
	}
	return a, fmt.Sprintf("%s (pid %d on %s, since %s)", h.Holder, h.PID, h.Host, since), true, nil
}

// HasChargeInFlight is ChargeInFlight outside a transaction, for a command
// that waits before it writes.
func (db *DB) HasChargeInFlight(ctx context.Context, studentID string) (bool, error) {
	var n int
	err := db.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM attempts a JOIN instalments i ON i.id = a.instalment_id
		JOIN plans p ON p.id = i.plan_id JOIN orders o ON o.id = p.order_id JOIN dossiers d ON d.id = o.dossier_id
		WHERE a.kind = 'charge' AND a.state = 'sent' AND d.student_id = ?`, studentID).Scan(&n)
	return n > 0, mapErr(err)
}
