package store

// Option sets up something of a DB that Open does not do by default. inpctl
// itself gives none: they are for tests that need the database to behave
// as a real one does when something goes wrong.
type Option func(*DB)

// WithBeforeCommit runs f inside every write transaction just before
// COMMIT: when f returns an error the transaction is rolled back and fails
// with that error, as it would on a full disk or a read-only file (fault
// injection at the store boundary). f must be safe for concurrent use; the
// migrations Open runs itself are not affected.
func WithBeforeCommit(f func() error) Option {
	return func(db *DB) { db.beforeCommit = f }
}
