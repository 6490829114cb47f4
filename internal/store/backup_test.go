package store

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestFailedBackupLeavesNothing (issue 17 §6): a backup that fails removes
// its file, so that the retry is not refused as "already exists".
func TestFailedBackupLeavesNothing(t *testing.T) {
	db := newTestDB(t)
	path := filepath.Join(t.TempDir(), "b.db")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := db.Backup(ctx, path); err == nil {
		t.Fatal("a backup with its context cancelled succeeded")
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("the failed backup left %s: %v", path, err)
	}
	if err := db.Backup(context.Background(), path); err != nil {
		t.Fatalf("retry: %v", err)
	}
}

// TestBackupOnFullDisk: on a tmpfs too small for the copy, the backup fails
// and leaves no partial file (root only: it mounts a tmpfs).
func TestBackupOnFullDisk(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting a tmpfs needs root")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", dir).Run() })
	db := newTestDB(t)
	path := filepath.Join(dir, "b.db")
	if err := db.Backup(context.Background(), path); err == nil {
		t.Fatal("a backup larger than the disk succeeded")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Fatalf("the failed backup left %v", entries)
	}
}
