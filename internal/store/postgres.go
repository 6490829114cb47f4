package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/school"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib" // also database/sql's driver "pgx"
)

// PostgreSQL (issue 22): db.url postgres://… selects it; everything else
// is a SQLite file. The schema is migrations_pg/, forward-only like the
// SQLite one; a new database starts at 0011_schema.sql, which is SQLite's
// 0001 to 0011 in one file, and the migrations after it come in pairs.

//go:embed migrations_pg/*.sql
var pgMigrationFS embed.FS

// IsURL reports whether a database name is a PostgreSQL URL rather than
// a SQLite file path.
func IsURL(name string) bool {
	return strings.HasPrefix(name, "postgres://") || strings.HasPrefix(name, "postgresql://")
}

// RedactURL is a database name fit for a message: a URL without its
// password.
func RedactURL(name string) string {
	if !IsURL(name) {
		return name
	}
	u, err := url.Parse(name)
	if err != nil {
		return "postgres://…"
	}
	return u.Redacted()
}

// BooksExist reports whether the database name names already holds
// inpctl's books: a SQLite file that exists, a PostgreSQL database with
// inpctl's schema.
func BooksExist(ctx context.Context, name string) (bool, error) {
	if !IsURL(name) {
		_, err := os.Stat(name)
		return !errors.Is(err, fs.ErrNotExist), nil
	}
	sqldb, err := sql.Open("pgx", name)
	if err != nil {
		return false, fault.Wrap(fault.Usage, err, "database URL %s", RedactURL(name))
	}
	defer sqldb.Close()
	var exists bool
	if err := sqldb.QueryRowContext(ctx, `SELECT to_regclass('schema_migrations') IS NOT NULL`).Scan(&exists); err != nil {
		return false, fault.Wrap(fault.NoDB, err, "cannot reach database %s", RedactURL(name)).
			WithHint("check db.url (or INPCTL_DB_URL) and that the PostgreSQL server is running")
	}
	return exists, nil
}

func openPostgres(ctx context.Context, dbURL string, clk clock.Clock, mode OpenMode, opts ...Option) (*DB, error) {
	// The school is needed before the store exists: the options are read
	// on a scratch DB (open applies them to the real one).
	probe := DB{school: school.Default}
	for _, o := range opts {
		o(&probe)
	}
	cc, err := pgx.ParseConfig(dbURL)
	if err != nil {
		return nil, fault.Wrap(fault.Usage, err, "database URL %s", RedactURL(dbURL))
	}
	// Every connection starts with its school set (schools.go): a
	// startup parameter, no round trip.
	cc.RuntimeParams["inpctl.school"] = probe.school
	sqldb := stdlib.OpenDB(*cc)
	if err := sqldb.PingContext(ctx); err != nil {
		sqldb.Close()
		return nil, fault.Wrap(fault.NoDB, err, "cannot reach database %s", RedactURL(dbURL)).
			WithHint("check db.url (or INPCTL_DB_URL) and that the PostgreSQL server is running")
	}
	// A PostgreSQL connection is a server process: keep the few a
	// command uses open rather than start one for each read.
	sqldb.SetMaxIdleConns(8)
	db := newDB(sqldb, RedactURL(dbURL), clk, true)
	db.url = dbURL
	if mode == MustExist {
		var exists bool
		if err := db.sql.QueryRowContext(ctx, `SELECT to_regclass('schema_migrations') IS NOT NULL`).Scan(&exists); err != nil {
			sqldb.Close()
			return nil, mapErr(err)
		}
		if !exists {
			sqldb.Close()
			return nil, fault.New(fault.NoDB, "database %s has no inpctl books yet", db.path).
				WithHint("create them with: inpctl init")
		}
	}
	if err := db.open(ctx, mode, opts); err != nil {
		sqldb.Close()
		return nil, err
	}
	return db, nil
}

// pgMigrations returns the embedded PostgreSQL migration names in order.
func pgMigrations() ([]string, error) {
	entries, err := fs.ReadDir(pgMigrationFS, "migrations_pg")
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names, nil
}

// identityTables are the tables the PostgreSQL schema gives a generated
// id ("CREATE TABLE name (" then "  id BIGINT GENERATED …" on the next
// line), read from the migrations the first time a PostgreSQL statement
// needs them: never by a command on SQLite (a regular expression over the
// schema at package init cost every command 11 M instructions).
var identityTables = sync.OnceValue(func() map[string]bool {
	tables := map[string]bool{}
	names, _ := pgMigrations()
	for _, n := range names {
		body, _ := pgMigrationFS.ReadFile("migrations_pg/" + n)
		lines := strings.Split(string(body), "\n")
		for i, l := range lines {
			name, ok := strings.CutPrefix(l, "CREATE TABLE ")
			if !ok || i+1 >= len(lines) || !strings.HasPrefix(strings.TrimSpace(lines[i+1]), "id BIGINT GENERATED") {
				continue
			}
			if name, ok = strings.CutSuffix(name, " ("); ok {
				tables[name] = true
			}
		}
	}
	return tables
})

// txOptions are the options of a write transaction. SQLite has one writer
// at a time (BEGIN IMMEDIATE); PostgreSQL runs them side by side, so they
// are SERIALIZABLE: every rule checked in a transaction still holds at its
// commit, or the commit fails and inTx runs the transaction again.
func (db *DB) txOptions() *sql.TxOptions {
	if db.pg {
		return &sql.TxOptions{Isolation: sql.LevelSerializable}
	}
	return nil
}

// pgRetries is how many times a PostgreSQL write transaction is run again
// after a serialization failure or a deadlock before the command gives up
// with exit 11.
const pgRetries = 8

// retryable reports whether a PostgreSQL error means "run the transaction
// again": a serialization failure (40001) or a deadlock (40P01).
func retryable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "40001" || pe.Code == "40P01"
	}
	return false
}

// inTxRetry runs fn, again when PostgreSQL asks for it, with a short
// growing pause between tries.
func (db *DB) inTxRetry(ctx context.Context, fn func(*Tx) error) error {
	var err error
	for try := 0; try <= pgRetries; try++ {
		if try > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Duration(try*try) * 5 * time.Millisecond):
			}
		}
		err = db.inTx1(ctx, fn)
		if !retryable(err) {
			return err
		}
	}
	return fault.Wrap(fault.Locked, err, "database is busy: other inpctl commands kept changing the same rows (%d tries)", pgRetries+1).
		WithHint("try again in a moment")
}

// mapPgErr is mapErr for PostgreSQL's errors.
func mapPgErr(err error, pe *pgconn.PgError) error {
	switch {
	case retryable(err) || pe.Code == "55P03":
		return fault.Wrap(fault.Locked, err, "database is busy (another inpctl is writing)").
			WithHint("try again in a moment")
	case pe.Code == "25006":
		return fault.Wrap(fault.Failure, err, "database is read-only").
			WithHint("connect to the primary server, not a read-only replica (db.url)")
	case pe.Code == "53100":
		return fault.Wrap(fault.Failure, err, "the database server's disk is full").
			WithHint("nothing was written; ask the server's administrator to free space, then run the command again")
	case pe.Code == "42501" && strings.Contains(pe.Message, "school"):
		// inpctl_school_ok (migrations_pg/0013) says which school and why.
		return fault.Wrap(fault.Conflict, err, "%s", pe.Message).
			WithHint("a login works on the schools whose role inpctl_school_CODE it is a member of; ask the database's owner (GRANT inpctl_school_CODE TO …)")
	case pe.Code == "42501":
		return fault.Wrap(fault.Conflict, err, "permission denied by the database").
			WithHint("nothing was written; ask the database's owner for the office role this needs (inpctl db roles --print-sql)")
	case pe.Code == "22P02" && strings.Contains(pe.Message, "json"):
		return fault.Wrap(fault.Conflict, err, "conflict") // SQLite's CHECK (json_valid(…))
	case strings.HasPrefix(pe.Code, "23"):
		if strings.Contains(pe.Message, "immutable") || strings.Contains(pe.Message, "append-only") {
			return fault.Wrap(fault.Conflict, err, "refused")
		}
		return fault.Wrap(fault.Conflict, err, "conflict")
	}
	return err
}

// pgDump is db backup on PostgreSQL: pg_dump's custom format (pg_restore
// reads it) into path, which Backup has just created empty: the books of
// this store's school, or of every school for a role that row-level
// security does not hold (the server's administrator).
func (db *DB) pgDump(ctx context.Context, path string) error {
	bin, err := exec.LookPath("pg_dump")
	if err != nil {
		return fault.New(fault.Failure, "pg_dump is not installed: a PostgreSQL database is backed up with it").
			WithHint("install PostgreSQL's client programs (apt-get install postgresql-client), or back up the server as its administrator does")
	}
	args := []string{"--format=custom", "--no-owner", "--file=" + path, "--dbname=" + db.url}
	cmd := exec.CommandContext(ctx, bin)
	// A role held to the schools' policies (the owner, a clerk) cannot
	// dump past them: pg_dump then saves this school's rows (and the
	// whole schema), with the school set as inpctl sets it. A role that
	// bypasses row-level security saves every school's.
	var bypass bool
	if err := db.sql.QueryRowContext(ctx, `SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user`).Scan(&bypass); err != nil {
		return mapErr(err)
	}
	if !bypass {
		args = append(args, "--enable-row-security")
		cmd.Env = append(os.Environ(), "PGOPTIONS=-c inpctl.school="+db.school)
	}
	cmd.Args = append(cmd.Args, args...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fault.Wrap(fault.Failure, err, "pg_dump of %s: %s", db.path, strings.TrimSpace(string(out)))
	}
	// The archive is read back whole: a truncated one fails here.
	if restore, err := exec.LookPath("pg_restore"); err == nil {
		if out, err := exec.CommandContext(ctx, restore, "--list", path).CombinedOutput(); err != nil {
			return fault.Wrap(fault.Failure, err, "the backup %s cannot be read back: %s", path, strings.TrimSpace(string(out)))
		}
	}
	return nil
}

// acquirePgLock is AcquireLock on PostgreSQL: an advisory lock held by a
// connection of its own for as long as the run lasts. The server frees it
// the moment that session ends, so a run killed on another machine frees
// the lock at once, with no process to look for. The locks row only names
// the holder for the messages (and ChargeInFlight); one left by a run that
// died is replaced, and the audit log says so.
func (db *DB) acquirePgLock(ctx context.Context, name string, me LockHolder) (func() error, error) {
	conn, err := db.sql.Conn(ctx)
	if err != nil {
		return nil, mapErr(err)
	}
	// Each school has its own run: the lock is the school's.
	key := "inpctl:" + db.school + ":" + name
	var got bool
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock(hashtext(?))`, key).Scan(&got); err != nil {
		conn.Close()
		return nil, mapErr(err)
	}
	if !got {
		conn.Close()
		var cur LockHolder
		var since string
		// The holder writes its row just after it takes the lock: a run
		// that comes in between waits a moment for the name to give.
		var err error
		for try := 0; try < 20; try++ {
			err = db.sql.QueryRowContext(ctx, `SELECT holder, pid, host, acquired_at FROM locks WHERE name = ?`, name).Scan(&cur.Holder, &cur.PID, &cur.Host, &since)
			if err == nil || !errors.Is(err, sql.ErrNoRows) {
				break
			}
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(25 * time.Millisecond):
			}
		}
		if err != nil {
			return nil, fault.New(fault.Locked, "%s is locked by another inpctl session", name).
				WithHint("wait for that run to finish; nothing was done")
		}
		return nil, fault.New(fault.Locked, "%s is locked: %s (pid %d on %s) holds it since %s", name, cur.Holder, cur.PID, cur.Host, since).
			WithHint("wait for that run to finish; nothing was done")
	}
	db.lockMu.Lock()
	db.lockConns = append(db.lockConns, conn)
	db.lockMu.Unlock()
	unlock := func() {
		db.lockMu.Lock()
		defer db.lockMu.Unlock()
		for i, c := range db.lockConns {
			if c == conn {
				_, _ = conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(hashtext(?))`, key)
				conn.Close()
				db.lockConns = append(db.lockConns[:i], db.lockConns[i+1:]...)
				return
			}
		}
	}
	err = db.inTx(ctx, func(tx *Tx) error {
		var cur LockHolder
		err := tx.queryRow(ctx, `SELECT holder, pid, host FROM locks WHERE name = ?`, name).Scan(&cur.Holder, &cur.PID, &cur.Host)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return err
		default:
			if err := tx.audit(ctx, "lock:"+name, fmt.Sprintf("stale lock of pid %d on %s (%s) taken over: its session is gone", cur.PID, cur.Host, cur.Holder)); err != nil {
				return err
			}
		}
		_, err = tx.exec(ctx, `INSERT INTO locks(name, holder, pid, host, acquired_at, proc_start) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT(school, name) DO UPDATE SET holder=excluded.holder, pid=excluded.pid, host=excluded.host,
			acquired_at=excluded.acquired_at, proc_start=excluded.proc_start`,
			name, me.Holder, me.PID, me.Host, ts(tx.Now), me.Start)
		return err
	})
	if err != nil {
		unlock()
		return nil, err
	}
	return func() error {
		defer unlock()
		_, err := db.sql.ExecContext(context.WithoutCancel(ctx), `DELETE FROM locks WHERE name = ? AND pid = ? AND host = ? AND proc_start = ?`, name, me.PID, me.Host, me.Start)
		return mapErr(err)
	}, nil
}
