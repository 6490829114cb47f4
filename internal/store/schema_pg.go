package store

import (
	"context"
	"fmt"
	"os"
	"strings"
)

// The schema's fingerprint on PostgreSQL (E017): what SQLite keeps in
// sqlite_master, PostgreSQL spreads over its catalogue. Each table
// (columns, their types, nullability, defaults, identity; its
// constraints), index, trigger and function is read as text; the expected
// ones are those the embedded migrations make in a schema of their own,
// created in a transaction that is rolled back.

// schemaObjectsPG reads the objects of schema sch, with sch's name taken
// out of their text.
func schemaObjectsPG(ctx context.Context, q chainDB, sch string) (map[string]schemaObject, error) {
	objs := map[string]schemaObject{}
	add := func(typ, name, text string) {
		o := objs[typ+" "+name]
		o.typ, o.name = typ, name
		o.sql += strings.ReplaceAll(text, sch+".", "") + "\n"
		objs[typ+" "+name] = o
	}
	queries := []struct{ typ, q string }{
		{"table", `SELECT table_name, column_name || ' ' || data_type || ' ' || is_nullable || ' ' || COALESCE(column_default, '') || ' ' || is_identity
			FROM information_schema.columns WHERE table_schema = $1 ORDER BY table_name, ordinal_position`},
		{"table", `SELECT c.relname, k.conname || ' ' || pg_get_constraintdef(k.oid)
			FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
			WHERE n.nspname = $1 ORDER BY c.relname, k.conname`},
		{"index", `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1`},
		{"trigger", `SELECT t.tgname, pg_get_triggerdef(t.oid) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
			JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND NOT t.tgisinternal`},
		{"function", `SELECT p.proname, pg_get_function_identity_arguments(p.oid) || ' ' || p.prosrc
			FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = $1`},
	}
	for _, x := range queries {
		rows, err := q.QueryContext(ctx, x.q, sch)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var name, text string
			if err := rows.Scan(&name, &text); err != nil {
				rows.Close()
				return nil, err
			}
			if name == "schema_migrations" || name == "schema_migrations_pkey" {
				continue
			}
			add(x.typ, name, text)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return objs, nil
}

// expectedSchemaPG is the schema the embedded PostgreSQL migrations make,
// in a scratch schema of a transaction that is rolled back.
func (db *DB) expectedSchemaPG(ctx context.Context) (map[string]schemaObject, error) {
	t, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer func() { _ = t.Rollback() }()
	sch := fmt.Sprintf("inpctl_expected_%d", os.Getpid())
	if _, err := t.Tx.ExecContext(ctx, `CREATE SCHEMA `+sch); err != nil {
		return nil, mapErr(fmt.Errorf("db check needs to create a scratch schema: %w", err))
	}
	if _, err := t.Tx.ExecContext(ctx, `SET LOCAL search_path TO `+sch); err != nil {
		return nil, err
	}
	names, err := pgMigrations()
	if err != nil {
		return nil, err
	}
	want := map[string]schemaObject{}
	for _, n := range names {
		body, err := pgMigrationFS.ReadFile("migrations_pg/" + n)
		if err != nil {
			return nil, err
		}
		if _, err := t.Tx.ExecContext(ctx, string(body)); err != nil {
			return nil, fmt.Errorf("migration %s: %w", n, err)
		}
		objs, err := schemaObjectsPG(ctx, t, sch)
		if err != nil {
			return nil, err
		}
		afterMigration(want, objs, n)
	}
	return want, nil
}

// currentSchemaObjects reads the objects of the database's own schema.
func (db *DB) currentSchemaObjects(ctx context.Context) (map[string]schemaObject, error) {
	if !db.pg {
		return schemaObjects(ctx, db.sql)
	}
	var sch string
	if err := db.sql.QueryRowContext(ctx, `SELECT current_schema()`).Scan(&sch); err != nil {
		return nil, err
	}
	return schemaObjectsPG(ctx, db.sql, sch)
}
