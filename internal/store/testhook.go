package store

import "context"

// SetBeforeCommit installs f, run inside every write transaction just
// before COMMIT: when f returns an error the transaction is rolled back and
// fails with that error, as it would on a full disk or a read-only file.
// It is a test seam for fault injection (f must be safe for concurrent
// use); nil removes it. Production code never calls it.
func (db *DB) SetBeforeCommit(f func() error) {
	if f == nil {
		db.beforeCommit = nil
		return
	}
	db.beforeCommit = func(*Tx) error { return f() }
}

// RawExecForTest runs raw SQL outside the Go API, so tests can prove the
// database itself refuses what the API never does (triggers).
func (db *DB) RawExecForTest(ctx context.Context, q string) (int64, error) {
	res, err := db.sql.ExecContext(ctx, q)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
