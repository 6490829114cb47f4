package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/inpctl/inpctl/internal/fault"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// Backup writes a consistent copy of the database to path (VACUUM INTO),
// while other commands may be running; it refuses an existing path. The
// file is created first (empty, which VACUUM INTO accepts), so that it is
// ours: a backup that fails (a full disk) removes it, and a retry is not
// refused by the partial file of the failed one.
func (db *DB) Backup(ctx context.Context, path string) (err error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return fault.New(fault.Conflict, "%s already exists: a backup never overwrites a file", path).WithHint("choose a new file name")
	}
	if err != nil {
		return mapErr(fmt.Errorf("backup to %s: %w", path, err))
	}
	f.Close()
	defer func() {
		if err != nil {
			_ = os.Remove(path)
			_ = os.Remove(path + "-journal")
		}
	}()
	if db.pg {
		return db.pgDump(ctx, path)
	}
	if _, err := db.sql.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		return mapErr(fmt.Errorf("backup to %s: %w", path, err))
	}
	return nil
}

// CopyResult is what CopyTo copied: rows per table.
type CopyResult struct {
	Tables []CopiedTable
}

// CopiedTable is one table CopyTo copied.
type CopiedTable struct {
	Name string `json:"table"`
	Rows int64  `json:"rows"`
}

// CopyTo copies every row of this SQLite database to the PostgreSQL
// database at url (db copy, issue 22): created there with the migrations
// when it is new, refused when it already holds rows. The rows keep their
// ids, the chains their links and heads, the audit log its hashes and the
// sequences their next numbers, so that db check on the target recomputes
// the same chains and a seal of the source verifies against the target.
//
// It is one transaction on the target: the guards and chain triggers are
// off while the rows arrive (they are written as they were, not again),
// the foreign keys are checked once all rows are in, and a failure leaves the
// target as it was.
func (db *DB) CopyTo(ctx context.Context, url string, progress func(table string, rows int64)) (CopyResult, error) {
	var res CopyResult
	if db.pg {
		return res, fault.New(fault.Usage, "db copy copies a SQLite database to PostgreSQL; this database is already on PostgreSQL").
			WithHint("use pg_dump and pg_restore between two PostgreSQL servers")
	}
	if !IsURL(url) {
		return res, fault.New(fault.Usage, "--to %s is not a postgres:// URL", url)
	}
	tgt, err := Open(ctx, url, db.clock, createEmpty, WithSchool(db.school))
	if err != nil {
		return res, err
	}
	defer tgt.Close()
	// The source is read in one transaction: the rows, links and heads
	// copied are those of one moment, whatever other commands write.
	src, err := db.sql.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return res, mapErr(err)
	}
	defer func() { _ = src.Rollback() }()
	tables, err := copyTables(ctx, src)
	if err != nil {
		return res, err
	}
	for _, t := range tables {
		want, err := tableColumns(ctx, tgt.sql, t.name)
		if err != nil {
			return res, err
		}
		if strings.Join(want, ",") != strings.Join(t.cols, ",") {
			return res, fault.New(fault.Conflict, "table %s has columns (%s) here and (%s) on %s: the two schemas differ",
				t.name, strings.Join(t.cols, ", "), strings.Join(want, ", "), tgt.path).
				WithHint("use the same inpctl for both (inpctl version), then try again")
		}
	}
	conn, err := tgt.sql.Conn(ctx)
	if err != nil {
		return res, mapErr(err)
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		tx, err := pc.Begin(ctx)
		if err != nil {
			return err
		}
		defer func() { _ = tx.Rollback(ctx) }()
		if _, err := tx.Exec(ctx, `SET CONSTRAINTS ALL DEFERRED`); err != nil {
			return err
		}
		// The owner is not held to the schools' policies in this
		// transaction (NO FORCE): it sees every school's rows, to know
		// the target is empty, and COPY FROM, which row-level security
		// does not allow, fills the tables. FORCE is back before COMMIT.
		for _, t := range tables {
			if _, err := tx.Exec(ctx, `ALTER TABLE "`+t.name+`" DISABLE TRIGGER USER, NO FORCE ROW LEVEL SECURITY`); err != nil {
				return err
			}
		}
		for _, t := range tables {
			if t.name == "chain_heads" || t.name == "schools" {
				continue // the migrations' empty heads and school, replaced below
			}
			var n int64
			if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM "`+t.name+`"`).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return fault.New(fault.Conflict, "%s already holds books (%d rows in %s): db copy only fills an empty database", tgt.path, n, t.name).
					WithHint("create an empty database (createdb) and copy into it")
			}
		}
		if _, err := tx.Exec(ctx, `DELETE FROM chain_heads`); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM schools`); err != nil {
			return err
		}
		for _, t := range tables {
			n, err := copyOne(ctx, src, tx, t)
			if err != nil {
				return fmt.Errorf("copy %s: %w", t.name, err)
			}
			res.Tables = append(res.Tables, CopiedTable{Name: t.name, Rows: n})
			if progress != nil {
				progress(t.name, n)
			}
			if identityTables()[t.name] {
				if _, err := tx.Exec(ctx, `SELECT setval(pg_get_serial_sequence('`+t.name+`', 'id'), COALESCE((SELECT MAX(id) FROM "`+t.name+`"), 0) + 1, false)`); err != nil {
					return err
				}
			}
		}
		// Every row is in: the foreign keys are checked now (a table
		// with checks pending cannot have its triggers back).
		if _, err := tx.Exec(ctx, `SET CONSTRAINTS ALL IMMEDIATE`); err != nil {
			return err
		}
		for _, t := range tables {
			if _, err := tx.Exec(ctx, `ALTER TABLE "`+t.name+`" ENABLE TRIGGER USER, FORCE ROW LEVEL SECURITY`); err != nil {
				return err
			}
		}
		return tx.Commit(ctx)
	})
	return res, mapErr(err)
}

// copyTable is one table of the source, by name and columns.
type copyTable struct {
	name string
	cols []string
}

// copyTables lists the tables of the books (not schema_migrations, whose
// names are each dialect's own).
func copyTables(ctx context.Context, src chainDB) ([]copyTable, error) {
	names, err := tableNames(ctx, src)
	if err != nil {
		return nil, err
	}
	var out []copyTable
	for _, n := range names {
		if n == "schema_migrations" {
			continue
		}
		cols, err := tableColumns(ctx, src, n)
		if err != nil {
			return nil, err
		}
		out = append(out, copyTable{name: n, cols: cols})
	}
	return out, nil
}

// copyOne streams one table of src into the target with PostgreSQL's COPY.
func copyOne(ctx context.Context, src chainDB, tx pgx.Tx, t copyTable) (int64, error) {
	q := make([]string, len(t.cols))
	for i, c := range t.cols {
		q[i] = `"` + c + `"`
	}
	rows, err := src.QueryContext(ctx, `SELECT `+strings.Join(q, ", ")+` FROM "`+t.name+`"`)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	return tx.CopyFrom(ctx, pgx.Identifier{t.name}, t.cols, &rowSource{rows: rows, n: len(t.cols)})
}

// rowSource is a query's rows as pgx.CopyFromSource.
type rowSource struct {
	rows *sql.Rows
	n    int
	vals []any
	err  error
}

func (s *rowSource) Next() bool {
	if !s.rows.Next() {
		return false
	}
	vals := make([]any, s.n)
	ptrs := make([]any, s.n)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if s.err = s.rows.Scan(ptrs...); s.err != nil {
		return false
	}
	for i, v := range vals {
		if b, ok := v.([]byte); ok {
			vals[i] = string(b) // SQLite TEXT read as bytes: PostgreSQL's column is TEXT
		}
	}
	s.vals = vals
	return true
}

func (s *rowSource) Values() ([]any, error) { return s.vals, nil }

func (s *rowSource) Err() error {
	if s.err != nil {
		return s.err
	}
	return s.rows.Err()
}
