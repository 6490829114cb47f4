package store

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// The database holds names, addresses and payments: a new file is readable
// by its owner only, and so are its -wal and -shm files; an existing file
// keeps the permissions its owner gave it.
func TestNewDatabaseIsPrivate(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "inpctl.db")
	db, err := Open(context.Background(), path, testNow, Create)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.sql.Exec(`CREATE TABLE t (x)`); err != nil { // writes the WAL
		t.Fatal(err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if m := fi.Mode().Perm(); m != 0o600 {
			t.Errorf("%s: mode %o, want 600", filepath.Base(p), m)
		}
	}
	db.Close()

	shared := filepath.Join(dir, "shared.db")
	if err := os.WriteFile(shared, nil, 0o640); err != nil {
		t.Fatal(err)
	}
	db, err = Open(context.Background(), shared, testNow, Create)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if fi, _ := os.Stat(shared); fi.Mode().Perm() != 0o640 {
		t.Errorf("an existing file's mode changed to %o", fi.Mode().Perm())
	}
}
