package store

import (
	"errors"
	"fmt"
	"path/filepath"
	"syscall"

	"github.com/inpctl/inpctl/internal/fault"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// lowSpace is the free space under which an I/O error of SQLite is taken
// for a full disk: SQLite reports a full disk as SQLITE_FULL when a page
// write fails, but as a bare I/O error (e.g. 4874, growing the WAL index)
// when it cannot even size its shared-memory file.
const lowSpace = 1 << 20

// diskFull turns an error met on a full disk into one that says so, names
// the folder of the database and what to do (issue 17). Other errors pass
// unchanged.
func (db *DB) diskFull(err error) error {
	if err == nil || db.path == "" {
		return err
	}
	var se *sqlite.Error
	full := errors.Is(err, syscall.ENOSPC)
	ioerr := false
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_FULL:
			full = true
		case sqlite3.SQLITE_IOERR:
			ioerr = true
		}
	}
	if !full && !ioerr {
		return err
	}
	dir := filepath.Dir(db.path)
	free, ok := freeSpace(dir)
	if !full && (!ok || free >= lowSpace) {
		return err // an I/O error with room on the disk: not ours to explain
	}
	what := "no space left"
	if ok {
		what = fmt.Sprintf("%s free", bytesFree(free))
	}
	return fault.Wrap(fault.Failure, err, "disk full: %s (the database's folder) has %s", dir, what).
		WithHint("free space on that disk, then run the same command again: what was not written was not done, and a debit or refund already sent to Paybox is looked up by the next run (inpctl reconcile)")
}

func freeSpace(dir string) (uint64, bool) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, false
	}
	return st.Bavail * uint64(st.Bsize), true
}

func bytesFree(n uint64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
