// Package store is the database of inpctl, a SQLite file or a PostgreSQL
// database (postgres.go, dialect.go): the only user of database/sql,
// modernc.org/sqlite and pgx.
//
// Every pragma is in the DSN so each pooled connection has it; writers start
// with BEGIN IMMEDIATE; migrations are forward-only SQL files embedded in the
// binary, each applied in its own transaction; every transaction captures
// one Now. Legal documents and money movements are append-only (triggers).
// store imports money, clock, fault, fees and schedule (types only).
//
// The files follow the aggregates, each with its types (issue 21):
//
//   - students: students.go (import, list, show)
//   - dossiers and orders: dossiers.go (dossiers, payers), orders.go
//     (orders, their lines and money, block and settle)
//   - documents: invoices.go, credit_notes.go, render.go (the batch read
//     of invoice render)
//   - plans: plans.go, instalments.go (instalments, what is due, upcoming
//     debits)
//   - cards and attempts: cards.go, charges.go (attempts, pay requests)
//   - payments: payments.go, allocations.go (and credit), unpaids.go,
//     refunds.go, notifications.go (hosted-page notifications applied),
//     reconcile.go; the ledger's readers journal.go, journal_numbers.go,
//     account.go, account_totals.go
//   - audit: audit.go, chains.go, chains_check.go, chains_verify.go,
//     seal.go, check.go
//   - notices to students: outbox.go
//   - reference data and figures: catalogue.go, report.go, figures.go
//   - infrastructure: db.go (Open, transactions, mapErr), migrations.go,
//     dialect.go, postgres.go, schema.go, schema_pg.go, options.go,
//     lock.go, sequence.go, copy.go (db copy, Backup), roles.go,
//     diskfull.go; bench.go (build tag bench) for the benchmarks
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/school"
	"github.com/jackc/pgx/v5/pgconn"
	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// DB is an open inpctl database.
type DB struct {
	sql *sqlDB
	// pg says the database is PostgreSQL (db.url postgres://…): the few
	// places that cannot share SQL take their own branch (dialect.go).
	pg bool
	// lockConns are the sessions holding PostgreSQL advisory locks
	// (acquirePgLock); Close ends them, as the end of the process would.
	lockMu    sync.Mutex
	lockConns []*sqlConn
	// url is the PostgreSQL URL as given (with its password, so never
	// printed: path holds it redacted), for pg_dump.
	url   string
	clock clock.Clock
	path  string
	actor Actor
	// school is the school whose books this store works on (schools.go);
	// schoolAdded says Open added it to the books.
	school      string
	schoolAdded bool
	// stmtCache holds the statements prepared once for the database.
	stmtCache sync.Map
	// migrated lists the migrations applied by Open.
	migrated []string
	// beforeCommit, when given to Open (WithBeforeCommit), runs inside
	// every write transaction just before COMMIT.
	beforeCommit func() error
	// renderChunk is how many invoices EachInvoiceForRender reads at a
	// time (defaultRenderChunk; the chunking test makes it small).
	renderChunk int

	// Every write transaction of this process runs on one connection,
	// wconn, taken in turn through wsem. SQLite lets one writer in at a
	// time anyway (BEGIN IMMEDIATE), but with database/sql's pool the
	// writes of a charge run or a batch of notifications alternated
	// between connections, and in WAL mode a connection that sees another
	// one's commit throws its whole page cache away: every transaction
	// then read its pages again from the file (half the CPU of
	// charge --due). On one connection the cache stays warm. Other
	// processes still write through SQLite's own locks (busy_timeout).
	wsem  chan struct{}
	wconn *sqlConn
}

// Actor is who is changing the database and with which command: every
// audit row written through this DB carries it.
type Actor struct {
	Operator string
	Command  string
	Args     []string // secrets already removed by the caller
}

// Tx is a write transaction with the one instant all its rows share.
type Tx struct {
	tx  *sqlTx
	db  *DB
	Now time.Time
	// stmts caches the statements prepared in this transaction: bulk flows
	// (100 000 codes, a batch of charges) run the same few statements over
	// and over, and SQLite would otherwise parse each one every time.
	stmts map[string]*sql.Stmt
	// auditPrev is the hash of the last audit row, once auditRead.
	auditPrev string
	auditRead bool
}

// OpenMode says what Open may do with a missing or old database.
type OpenMode int

const (
	// MustExist refuses a missing database (exit 10) and migrates an old one.
	MustExist OpenMode = iota
	// Create creates a missing database; an existing one is only migrated.
	// On PostgreSQL it adds the store's school to books that lack it.
	Create
	// createEmpty is Create for db copy's target: the school is not
	// added (the copy brings it, into an empty database only).
	createEmpty
)

// DSN returns the data source name with every pragma inpctl relies on.
func DSN(path string) string {
	q := url.Values{}
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(wal)")
	q.Add("_pragma", "synchronous(full)")
	// A 32 MB page cache: bulk transactions (100 000 codes) would otherwise
	// spill the default 2 MB cache and slow down as they grow.
	q.Add("_pragma", "cache_size(-32768)")
	q.Set("_txlock", "immediate")
	return "file:" + path + "?" + q.Encode()
}

// Open opens (and if needed migrates) the database at path. The options
// apply once the database is migrated.
func Open(ctx context.Context, path string, clk clock.Clock, mode OpenMode, opts ...Option) (*DB, error) {
	if IsURL(path) {
		return openPostgres(ctx, path, clk, mode, opts...)
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) && mode == MustExist {
		return nil, fault.New(fault.NoDB, "database %s does not exist", path).
			WithHint("create it with: inpctl init (or pass --db PATH)")
	} else if err == nil {
		if fi, _ := os.Stat(path); fi.IsDir() {
			return nil, fault.New(fault.Usage, "database %s is a directory", path)
		}
	}
	if err := createPrivate(path); err != nil {
		return nil, err
	}
	sqldb, err := sql.Open("sqlite", DSN(path))
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	db := newDB(sqldb, path, clk, false)
	if err := db.open(ctx, mode, opts); err != nil {
		sqldb.Close()
		return nil, db.diskFull(err)
	}
	return db, nil
}

// open migrates the books and checks their school (openSchool), with the
// options set; WithBeforeCommit's hook is left out of the migrations.
func (db *DB) open(ctx context.Context, mode OpenMode, opts []Option) error {
	for _, o := range opts {
		o(db)
	}
	if !school.ValidCode(db.school) {
		return fault.New(fault.Usage, "%q is not a school code (a lower-case letter, then letters, digits or _)", db.school)
	}
	hook := db.beforeCommit
	db.beforeCommit = nil
	defer func() { db.beforeCommit = hook }()
	if err := db.migrate(ctx); err != nil {
		return err
	}
	return db.openSchool(ctx, mode)
}

func newDB(sqldb *sql.DB, path string, clk clock.Clock, pg bool) *DB {
	return &DB{sql: &sqlDB{DB: sqldb, d: &dialect{pg: pg}}, pg: pg, clock: clk, path: path, school: school.Default,
		wsem: make(chan struct{}, 1), renderChunk: defaultRenderChunk}
}

// Close closes the database.
func (db *DB) Close() error {
	db.lockMu.Lock()
	for _, c := range db.lockConns {
		c.Raw(func(dc any) error {
			if cl, ok := dc.(interface{ Close() error }); ok {
				cl.Close() // the session ends: the server frees its locks
			}
			return nil
		})
		c.Close()
	}
	db.lockConns = nil
	db.lockMu.Unlock()
	db.stmtCache.Range(func(_, v any) bool { v.(*sql.Stmt).Close(); return true })
	db.wsem <- struct{}{}
	if db.wconn != nil {
		db.wconn.Close()
		db.wconn = nil
	}
	<-db.wsem
	return db.sql.Close()
}

// writer waits for the write connection (see DB.wconn) and returns it
// with the function that hands it back.
func (db *DB) writer(ctx context.Context) (*sqlConn, func(), error) {
	select {
	case db.wsem <- struct{}{}:
	case <-ctx.Done():
		return nil, nil, ctx.Err()
	}
	release := func() { <-db.wsem }
	if db.wconn == nil {
		c, err := db.sql.Conn(ctx)
		if err != nil {
			release()
			return nil, nil, err
		}
		db.wconn = c
	}
	return db.wconn, release, nil
}

// prepared returns q prepared on the database, preparing it once.
func (db *DB) prepared(ctx context.Context, q string) (*sql.Stmt, error) {
	if st, ok := db.stmtCache.Load(q); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := db.sql.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	if prev, loaded := db.stmtCache.LoadOrStore(q, st); loaded {
		st.Close()
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

// Path returns the database file path.
func (db *DB) Path() string { return db.path }

// SetActor sets who the following writes are audited as.
func (db *DB) SetActor(a Actor) { db.actor = a }

// inTx runs fn in one write transaction (BEGIN IMMEDIATE); every row it
// writes shares tx.Now. The transaction is rolled back if fn fails.
func (db *DB) inTx(ctx context.Context, fn func(*Tx) error) error {
	if db.pg {
		return db.inTxRetry(ctx, fn)
	}
	return db.diskFull(db.inTx1(ctx, fn))
}

func (db *DB) inTx1(ctx context.Context, fn func(*Tx) error) error {
	conn, release, err := db.writer(ctx)
	if err != nil {
		return mapErr(fmt.Errorf("begin: %w", err))
	}
	defer release()
	t, err := conn.BeginTx(ctx, db.txOptions())
	if err != nil {
		// A broken connection is not kept: the next transaction opens a
		// new one.
		conn.Close()
		db.wconn = nil
		return mapErr(fmt.Errorf("begin: %w", err))
	}
	defer func() { _ = t.Rollback() }()
	if db.pg {
		// SET LOCAL: the school this transaction may see and write
		// (schools.go), whatever the connection was set to before.
		if _, err := t.Tx.ExecContext(ctx, `SELECT set_config('inpctl.school', $1, true)`, db.school); err != nil {
			return mapErr(fmt.Errorf("begin: %w", err))
		}
	}
	tx := &Tx{tx: t, db: db, Now: db.clock.Now().UTC().Truncate(time.Second)}
	if err := fn(tx); err != nil {
		return mapErr(err)
	}
	if db.beforeCommit != nil {
		if err := db.beforeCommit(); err != nil {
			return err
		}
	}
	if err := t.Commit(); err != nil {
		return mapErr(fmt.Errorf("commit: %w", err))
	}
	return nil
}

func (tx *Tx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	st, err := tx.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	return tx.db.sql.d.stmtExec(ctx, st, q, args)
}

func (tx *Tx) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	st, err := tx.stmt(ctx, q)
	if err != nil {
		// Let the error surface through Scan, as QueryRowContext would.
		return tx.tx.QueryRowContext(ctx, q, args...)
	}
	return st.QueryRowContext(ctx, tx.db.sql.d.args(args)...)
}

// stmt returns q prepared for this transaction. The statement is prepared
// once per database (database/sql keeps it per connection) and bound to the
// transaction, so the many small transactions of a charge run or a batch of
// notifications do not parse the same SQL again each time.
func (tx *Tx) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	if st, ok := tx.stmts[q]; ok {
		return st, nil
	}
	dbst, err := tx.db.prepared(ctx, q)
	if err != nil {
		return nil, err
	}
	st := tx.tx.StmtContext(ctx, dbst)
	if tx.stmts == nil {
		tx.stmts = map[string]*sql.Stmt{}
	}
	tx.stmts[q] = st
	return st, nil
}

// ts formats a timestamp as stored: RFC 3339 UTC.
func ts(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// mapErr turns SQLite errors a user can act on into fault kinds: a busy
// database is "locked" (exit 11), a read-only or full disk says so, and a
// constraint violation is a conflict (exit 5).
func mapErr(err error) error {
	if err == nil {
		return nil
	}
	var fe *fault.Error
	if errors.As(err, &fe) {
		return err
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return mapPgErr(err, pe)
	}
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return err
	}
	switch se.Code() & 0xff {
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		return fault.Wrap(fault.Locked, err, "database is busy (another inpctl is writing)").
			WithHint("try again in a moment")
	case sqlite3.SQLITE_READONLY:
		return fault.Wrap(fault.Failure, err, "database is read-only").
			WithHint("check the permissions of the database file and its folder")
	case sqlite3.SQLITE_FULL:
		return fault.Wrap(fault.Failure, err, "") // DB.diskFull says "disk full" and names the folder
	case sqlite3.SQLITE_CONSTRAINT:
		msg := se.Error()
		if strings.Contains(msg, "immutable") || strings.Contains(msg, "append-only") {
			return fault.Wrap(fault.Conflict, err, "refused")
		}
		return fault.Wrap(fault.Conflict, err, "conflict")
	}
	return err
}

// InTx runs fn in one write transaction, for billing code that must check
// a rule and write in the same transaction (no race between the two).
func (db *DB) InTx(ctx context.Context, fn func(*Tx) error) error { return db.inTx(ctx, fn) }

// Audit appends an audit row for entity in this transaction.
func (tx *Tx) Audit(ctx context.Context, entity, summary string) error {
	return tx.audit(ctx, entity, summary)
}

// Today is the calendar date of the transaction's Now in loc.
func (tx *Tx) Today(loc *time.Location) clock.Date { return clock.DateOf(tx.Now, loc) }

// query runs a multi-row query with the transaction's cached statement.
func (tx *Tx) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	st, err := tx.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, tx.db.sql.d.args(args)...)
}

// cached is the transaction as a queryer that goes through its statement
// cache, for the helpers that take a plain queryer.
type cached struct{ tx *Tx }

func (c cached) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	return c.tx.queryRow(ctx, q, args...)
}

func (c cached) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return c.tx.query(ctx, q, args...)
}

// prep runs reads outside a transaction with the statements the
// database keeps prepared (DB.prepared): the reads made once per notice
// or document (mail send renders an invoice for each receipt) would
// otherwise parse the same SQL each time.
type prep struct{ db *DB }

func (p prep) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	st, err := p.db.prepared(ctx, q)
	if err != nil {
		return p.db.sql.QueryRowContext(ctx, q, args...) // the error surfaces through Scan
	}
	return st.QueryRowContext(ctx, p.db.sql.d.args(args)...)
}

func (p prep) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	st, err := p.db.prepared(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, p.db.sql.d.args(args)...)
}

// createPrivate creates a database file that does not exist yet readable
// by its owner only (0600, like the sandbox's state and the key files): it
// holds names, addresses and payments. SQLite gives its -wal and -shm
// files the database file's permissions. An existing file is left as it is.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("create database: %w", err)
	}
	return f.Close()
}
