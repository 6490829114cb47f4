package store

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
