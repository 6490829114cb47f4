package store

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/store/storetest"
)

func TestLock(t *testing.T) {
	db := newTestDB(t)
	if db.pg {
		t.Skip("SQLite's lock row and process check; PostgreSQL's advisory lock: TestPostgresLockFreedWithItsSession")
	}
	ctx := context.Background()
	alive := map[int]bool{100: true}
	isAlive := func(pid int, _ string) bool { return alive[pid] }
	rel, err := db.AcquireLock(ctx, "charge", LockHolder{"charge --due", 100, "h", "s100"}, isAlive)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.AcquireLock(ctx, "charge", LockHolder{"charge --due", 200, "h", "s200"}, isAlive); !fault.Is(err, fault.Locked) {
		t.Fatalf("second run: want Locked, got %v", err)
	}
	if _, err := db.AcquireLock(ctx, "charge", LockHolder{"charge --due", 300, "other", "s300"}, isAlive); !fault.Is(err, fault.Locked) {
		t.Fatalf("other host: want Locked, got %v", err)
	}
	// The holder dies without releasing (SIGKILL): the next run takes over.
	alive[100] = false
	rel2, err := db.AcquireLock(ctx, "charge", LockHolder{"charge --due", 200, "h", "s200"}, isAlive)
	if err != nil {
		t.Fatalf("stale lock not taken over: %v", err)
	}
	if err := rel(); err != nil { // the dead holder's release must not free the new holder's lock
		t.Fatal(err)
	}
	alive[200] = true
	if _, err := db.AcquireLock(ctx, "charge", LockHolder{"x", 300, "h", "s300"}, isAlive); !fault.Is(err, fault.Locked) {
		t.Fatalf("lock of 200 was released by 100: %v", err)
	}
	rel2()
	if _, err := db.AcquireLock(ctx, "charge", LockHolder{"x", 300, "h", "s300"}, isAlive); err != nil {
		t.Fatalf("after release: %v", err)
	}
}

// Every run is pid 1 of its container: a dead run's lock with our own pid
// is not ours, it is taken over.
func TestLockSamePIDIsStale(t *testing.T) {
	db := newTestDB(t)
	if db.pg {
		t.Skip("SQLite's process check")
	}
	ctx := context.Background()
	always := func(int, string) bool { return true }
	if _, err := db.AcquireLock(ctx, "charge", LockHolder{"charge", 1, "h", "t1"}, always); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AcquireLock(ctx, "charge", LockHolder{"charge", 1, "h", "t2"}, always); err != nil {
		t.Fatalf("a dead pid-1 run's lock must be taken over by the next pid-1 run: %v", err)
	}
}

// TestPostgresLockFreedWithItsSession (issue 22): on PostgreSQL the charge
// run's lock is an advisory lock of the run's session. A second run on
// another connection (another machine) is refused with the holder named;
// when the holder's session ends without a release (the run was killed),
// the next run takes the lock at once, and the audit log says the stale
// holder was replaced.
func TestPostgresLockFreedWithItsSession(t *testing.T) {
	if !storetest.Postgres() {
		t.Skip("PostgreSQL only (INPCTL_TEST_PG)")
	}
	ctx := context.Background()
	name := storetest.DB(t)
	open := func() *DB {
		db, err := Open(ctx, name, testNow, Create)
		if err != nil {
			t.Fatal(err)
		}
		db.SetActor(Actor{Operator: "tester", Command: "inpctl test"})
		return db
	}
	a, b := open(), open()
	defer b.Close()
	never := func(int, string) bool { t.Fatal("PostgreSQL never asks whether a process is alive"); return false }
	if _, err := a.AcquireLock(ctx, "charge", LockHolder{"charge --due by a", 100, "machine-a", "s"}, never); err != nil {
		t.Fatal(err)
	}
	_, err := b.AcquireLock(ctx, "charge", LockHolder{"charge --due by b", 200, "machine-b", "s"}, never)
	if !fault.Is(err, fault.Locked) || !strings.Contains(err.Error(), "charge --due by a (pid 100 on machine-a)") {
		t.Fatalf("second run on another connection: want Locked naming the holder, got %v", err)
	}
	a.Close() // killed: no release
	// The server ends the session's backend when it sees the connection
	// closed, a few milliseconds later: the next run may have to try again
	// once, never to wait for a timeout.
	var rel func() error
	start := time.Now()
	for {
		rel, err = b.AcquireLock(ctx, "charge", LockHolder{"charge --due by b", 200, "machine-b", "s"}, never)
		if err == nil || time.Since(start) > 5*time.Second {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("the lock of a session that ended was not freed in 5 s: %v", err)
	}
	t.Logf("the lock was free %v after its session ended", time.Since(start).Round(time.Millisecond))
	var n int
	if err := b.sql.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE summary LIKE 'stale lock of pid 100 on machine-a%'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("audit of the takeover: %d rows, %v", n, err)
	}
	if err := rel(); err != nil {
		t.Fatal(err)
	}
	c := open()
	defer c.Close()
	if _, err := c.AcquireLock(ctx, "charge", LockHolder{"charge --due by c", 300, "machine-c", "s"}, never); err != nil {
		t.Fatalf("after release: %v", err)
	}
}

// TestPostgresFourRunsOneLock (issue 22): four charge runs started at once
// on four machines (four DB handles): exactly one takes the lock, the
// three others are refused with the holder named (exit 11), whatever the
// order the server sees them in.
func TestPostgresFourRunsOneLock(t *testing.T) {
	if !storetest.Postgres() {
		t.Skip("PostgreSQL only (INPCTL_TEST_PG)")
	}
	ctx := context.Background()
	name := storetest.DB(t)
	never := func(int, string) bool { return false }
	for round := range 5 {
		dbs := make([]*DB, 4)
		for i := range dbs {
			db, err := Open(ctx, name, testNow, Create)
			if err != nil {
				t.Fatal(err)
			}
			db.SetActor(Actor{Operator: "tester", Command: "inpctl charge --due"})
			dbs[i] = db
		}
		start := make(chan struct{})
		errs := make([]error, 4)
		rels := make([]func() error, 4)
		var wg sync.WaitGroup
		for i, db := range dbs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				rels[i], errs[i] = db.AcquireLock(ctx, "charge", LockHolder{fmt.Sprintf("charge --due on machine %d", i), 100 + i, fmt.Sprintf("m%d", i), "s"}, never)
			}()
		}
		close(start)
		wg.Wait()
		won := 0
		for i, err := range errs {
			switch {
			case err == nil:
				won++
			case fault.Is(err, fault.Locked) && strings.Contains(err.Error(), "holds it since"):
			default:
				t.Fatalf("round %d, run %d: %v", round, i, err)
			}
		}
		if won != 1 {
			t.Fatalf("round %d: %d runs took the lock, want 1 (%v)", round, won, errs)
		}
		for i, rel := range rels {
			if rel != nil {
				if err := rel(); err != nil {
					t.Fatal(err)
				}
			}
			dbs[i].Close()
		}
	}
}
