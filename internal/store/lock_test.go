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
	isAlive := func(pid int) bool { return alive[pid] }
	rel, err := db.AcquireLock(ctx, "charge", LockHolder{"charge --due", 100, "h"}, isAlive)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.AcquireLock(ctx, "charge", LockHolder{"charge --due", 200, "h"}, isAlive); !fault.Is(err, fault.Locked) {
		t.Fatalf("second run: want Locked, got %v", err)
	}
	if _, err := db.AcquireLock(ctx, "charge", LockHolder{"charge --due", 300, "other"}, isAlive); !fault.Is(err, fault.Locked) {
		t.Fatalf("other host: want Locked, got %v", err)
	}
	// The holder dies without releasing (SIGKILL): the next run takes over.
	alive[100] = false
	rel2, err := db.AcquireLock(ctx, "charge", LockHolder{"charge --due", 200, "h"}, isAlive)
	if err != nil {
		t.Fatalf("stale lock not taken over: %v", err)
	}
	if err := rel(); err != nil { // the dead holder's release must not free the new holder's lock
		t.Fatal(err)
	}
	alive[200] = true
	if _, err := db.AcquireLock(ctx, "charge", LockHolder{"x", 300, "h"}, isAlive); !fault.Is(err, fault.Locked) {
		t.Fatalf("lock of 200 was released by 100: %v", err)
	}
	rel2()
	if _, err := db.AcquireLock(ctx, "charge", LockHolder{"x", 300, "h"}, isAlive); err != nil {
		t.Fatalf("after release: %v", err)
	}
}
