package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/inpctl/inpctl/internal/fault"
)

// Schools (issue 22). Every row of the books carries the code of its
// school (migration 0013), and no statement of the store names it: the
// column's default gives it and, on PostgreSQL, row-level security shows
// a transaction only its school's rows.
//
//   - SQLite: a file holds one school, the one it was made for (its
//     schools row, and the default of every school column). Opening it for
//     another school is refused.
//   - PostgreSQL: several schools share the tables. Each connection sets
//     inpctl.school when it starts (the reads outside a transaction) and
//     every write transaction sets it again with SET LOCAL, so a
//     transaction never runs with another school's setting whatever
//     pooled the connection. The policies (migrations_pg/0013) hold the
//     owner too, and the database decides which schools a login may
//     select (its membership of inpctl_school_CODE). A superuser or a
//     BYPASSRLS role sees every school's rows whatever the policies say:
//     it is refused on books of more than one school.

// WithSchool opens the books of the school code (school.ValidCode; a
// store opened without it works on school.Default).
func WithSchool(code string) Option {
	return func(db *DB) { db.school = code }
}

// School is the school this store works on.
func (db *DB) School() string { return db.school }

// SchoolAdded reports whether this Open added its school to books that
// held others (PostgreSQL, inpctl init --school).
func (db *DB) SchoolAdded() bool { return db.schoolAdded }

// migrationText is a SQLite migration as it runs for school: the
// school's code in the place of {{school}} (0013: the default of every
// school column). The code is valid (school.ValidCode), so it needs no quoting.
func migrationText(body []byte, school string) string {
	return strings.ReplaceAll(string(body), "{{school}}", school)
}

// chainSeriesNames are the series every school's chain_heads holds, from
// its first day.
func chainSeriesNames() []string {
	names := []string{auditSeries}
	for _, s := range chainedSeries {
		names = append(names, s.name)
	}
	return names
}

// openSchool checks, once the books are migrated, that they hold the
// school this store works on: on SQLite the file's own; on PostgreSQL one
// of its schools, added by init (mode Create) when it is new, and only for
// a role that row-level security holds when the books have several.
func (db *DB) openSchool(ctx context.Context, mode OpenMode) error {
	if !db.pg {
		var have string
		if err := db.sql.QueryRowContext(ctx, `SELECT school FROM schools`).Scan(&have); err != nil {
			return mapErr(fmt.Errorf("read the file's school: %w", err))
		}
		if have != db.school {
			return fault.New(fault.Usage, "database %s holds the books of school %s, not %s", db.path, have, db.school).
				WithHint("a SQLite file holds one school: give --db the file of school %s, or put several schools on PostgreSQL (db.url)", db.school)
		}
		return nil
	}
	// One query at every open: whether row-level security holds this
	// role, the schools it sees (all of them when it does not) and
	// whether its school is one.
	var bypass, mine bool
	var schools int
	err := db.sql.QueryRowContext(ctx, `SELECT r.rolsuper OR r.rolbypassrls, (SELECT COUNT(*) FROM schools),
		EXISTS (SELECT 1 FROM schools WHERE school = ?)
		FROM pg_roles r WHERE r.rolname = current_user`, db.school).Scan(&bypass, &schools, &mine)
	if err != nil {
		return mapErr(fmt.Errorf("read the books' schools: %w", err))
	}
	if bypass && (schools > 1 || schools == 1 && !mine) {
		return fault.New(fault.Conflict, "database %s holds the books of several schools, and its role bypasses row-level security (a superuser or BYPASSRLS): it would see every school's rows", db.path).
			WithHint("connect as the books' owner or as a clerk's role (see inpctl db roles --print-sql)")
	}
	if mine || mode == createEmpty {
		return nil
	}
	if mode != Create {
		return fault.New(fault.NoDB, "database %s holds no books of school %s yet", db.path, db.school).
			WithHint("add them with: inpctl init --school %s", db.school)
	}
	err = db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.tx.ExecContext(ctx, `INSERT INTO schools(created_at) VALUES (?)`, ts(tx.Now)); err != nil {
			return err
		}
		for _, s := range chainSeriesNames() {
			if _, err := tx.tx.ExecContext(ctx, `INSERT INTO chain_heads(series, n, head) VALUES (?, 0, '')`, s); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("add school %s: %w", db.school, err)
	}
	db.schoolAdded = true
	return nil
}
