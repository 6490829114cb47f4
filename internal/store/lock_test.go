package store

import (
	"context"
	"testing"

	"github.com/inpctl/inpctl/internal/fault"
)

func TestLock(t *testing.T) {
	db := newTestDB(t)
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
	ctx := context.Background()
	always := func(int, string) bool { return true }
	if _, err := db.AcquireLock(ctx, "charge", LockHolder{"charge", 1, "h", "t1"}, always); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AcquireLock(ctx, "charge", LockHolder{"charge", 1, "h", "t2"}, always); err != nil {
		t.Fatalf("a dead pid-1 run's lock must be taken over by the next pid-1 run: %v", err)
	}
}
