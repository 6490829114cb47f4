package store

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	"github.com/inpctl/inpctl/internal/fault"
	"github.com/jackc/pgx/v5/pgconn"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// schemaMigrationsSQL creates the table of applied migrations.
const schemaMigrationsSQL = `CREATE TABLE IF NOT EXISTS schema_migrations (
		name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`

// goMigrations are the Go steps of migrations, run in the migration's
// transaction right after its SQL (goose's Go migrations): what SQL alone
// cannot do, such as chaining the rows already written (0010).
var goMigrations = map[string]func(context.Context, chainDB) error{
	"0010_chains.sql": backfillChains,
}

// migrations returns the embedded migration names of the database's
// dialect in order.
func (db *DB) migrations() ([]string, error) {
	if db.pg {
		return pgMigrations()
	}
	return migrations()
}

// migrationBody is the text of migration n of the database's dialect.
func (db *DB) migrationBody(n string) ([]byte, error) {
	if db.pg {
		return pgMigrationFS.ReadFile("migrations_pg/" + n)
	}
	return migrationFS.ReadFile("migrations/" + n)
}

// migrationSQL is a migration's text as it runs on this database: on
// SQLite with the school of the file put in (migrationText).
func (db *DB) migrationSQL(body []byte) string {
	if db.pg {
		return string(body)
	}
	return migrationText(body, db.school)
}

// migrations returns the embedded SQLite migration names in order.
func migrations() ([]string, error) {
	entries, err := fs.ReadDir(migrationFS, "migrations")
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

// migrate applies the missing migrations, each in its own transaction, and
// refuses a database that lists a migration this binary does not know.
func (db *DB) migrate(ctx context.Context) error {
	// On PostgreSQL only the owner may create a table: a clerk's role
	// reads the list of migrations, it does not try to make it.
	exists := false
	if db.pg {
		if err := db.sql.QueryRowContext(ctx, `SELECT to_regclass('schema_migrations') IS NOT NULL`).Scan(&exists); err != nil {
			return mapErr(fmt.Errorf("read migrations: %w", err))
		}
	}
	if !exists {
		if _, err := db.sql.ExecContext(ctx, schemaMigrationsSQL); err != nil {
			return mapErr(fmt.Errorf("prepare migrations: %w", err))
		}
	}
	applied, err := db.appliedMigrations(ctx)
	if err != nil {
		return err
	}
	names, err := db.migrations()
	if err != nil {
		return err
	}
	known := map[string]bool{}
	for _, n := range names {
		known[n] = true
	}
	for n := range applied {
		if !known[n] {
			return fault.New(fault.NoDB, "database %s was created by a newer inpctl (it has migration %s)", db.path, n).
				WithHint("upgrade inpctl; never downgrade a database")
		}
	}
	for _, n := range names {
		if applied[n] {
			continue
		}
		body, err := db.migrationBody(n)
		if err != nil {
			return err
		}
		err = db.inTx(ctx, func(tx *Tx) error {
			// tx.tx.Tx: a migration is run as written, in its dialect
			// (the rewrite of dialect.go is for the store's statements).
			if _, err := tx.tx.Tx.ExecContext(ctx, db.migrationSQL(body)); err != nil {
				return fmt.Errorf("migration %s: %w", n, err)
			}
			if step := goMigrations[n]; step != nil && !db.pg {
				if err := step(ctx, tx.tx); err != nil {
					return fmt.Errorf("migration %s: %w", n, err)
				}
			}
			_, err := tx.tx.ExecContext(ctx, `INSERT INTO schema_migrations(name, applied_at) VALUES (?, ?)`, n, ts(tx.Now))
			return err
		})
		if err != nil {
			if db.pg && errors.As(err, new(*pgconn.PgError)) && strings.Contains(err.Error(), "42501") {
				return fault.Wrap(fault.NoDB, err, "database %s needs migration %s, which only its owner may apply", db.path, n).
					WithHint("run any inpctl command once as the database's owner (e.g. inpctl db check)")
			}
			return err
		}
		db.migrated = append(db.migrated, n)
	}
	return nil
}

func (db *DB) appliedMigrations(ctx context.Context) (map[string]bool, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT name FROM schema_migrations`)
	if err != nil {
		return nil, mapErr(fmt.Errorf("read migrations: %w", err))
	}
	defer rows.Close()
	applied := map[string]bool{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		applied[n] = true
	}
	return applied, rows.Err()
}

// Migrated returns the migrations this Open applied.
func (db *DB) Migrated() []string { return db.migrated }
