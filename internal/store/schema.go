package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// schemaObject is one row of sqlite_master: a table, an index, a trigger
// or a view, with its SQL as normalizeSQL gives it.
type schemaObject struct {
	typ, name, sql string
	from           string // the migration that created it (expected objects)
}

// expectedSchema is the schema the embedded migrations make for school:
// they are run, SQL and Go steps, on an empty database in memory.
func expectedSchema(ctx context.Context, school string) (map[string]schemaObject, error) {
	mem, err := sql.Open("sqlite", "file::memory:")
	if err != nil {
		return nil, err
	}
	defer mem.Close()
	mem.SetMaxOpenConns(1)
	conn, err := mem.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, schemaMigrationsSQL); err != nil {
		return nil, err
	}
	names, err := migrations()
	if err != nil {
		return nil, err
	}
	want := map[string]schemaObject{}
	for _, n := range names {
		body, err := migrationFS.ReadFile("migrations/" + n)
		if err != nil {
			return nil, err
		}
		if _, err := conn.ExecContext(ctx, migrationText(body, school)); err != nil {
			return nil, fmt.Errorf("migration %s: %w", n, err)
		}
		if step := goMigrations[n]; step != nil {
			if err := step(ctx, conn); err != nil {
				return nil, fmt.Errorf("migration %s: %w", n, err)
			}
		}
		objs, err := schemaObjects(ctx, conn)
		if err != nil {
			return nil, err
		}
		afterMigration(want, objs, n)
	}
	return want, nil
}

// afterMigration makes want the objects objs that exist after migration
// n, each marked with the migration that created it (kept from want when
// an earlier one did); an object a later migration dropped is dropped.
func afterMigration(want, objs map[string]schemaObject, n string) {
	for k, o := range objs {
		if w, ok := want[k]; ok {
			o.from = w.from
		} else {
			o.from = n
		}
		want[k] = o
	}
	for k := range want {
		if _, ok := objs[k]; !ok {
			delete(want, k)
		}
	}
}

// schemaObjects reads sqlite_master (SQLite's own objects left out), by
// type and name.
func schemaObjects(ctx context.Context, q chainDB) (map[string]schemaObject, error) {
	rows, err := q.QueryContext(ctx, `SELECT type, name, COALESCE(sql, '') FROM sqlite_master WHERE name NOT LIKE 'sqlite\_%' ESCAPE '\'`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	objs := map[string]schemaObject{}
	for rows.Next() {
		var o schemaObject
		if err := rows.Scan(&o.typ, &o.name, &o.sql); err != nil {
			return nil, err
		}
		o.sql = normalizeSQL(o.sql)
		objs[o.typ+" "+o.name] = o
	}
	return objs, rows.Err()
}

// checkSchema is the schema's fingerprint: every table, index, trigger and
// view must be exactly as the migrations make it. A guard trigger dropped,
// weakened or replaced, a table altered, an object added: E017 (an added
// index changes no row, and is only a warning, W004).
func (db *DB) checkSchema(ctx context.Context) ([]Finding, error) {
	var want map[string]schemaObject
	var err error
	if db.pg {
		want, err = db.expectedSchemaPG(ctx)
	} else {
		want, err = expectedSchema(ctx, db.school)
	}
	if err != nil {
		return nil, err
	}
	have, err := db.currentSchemaObjects(ctx)
	if err != nil {
		return nil, err
	}
	var out []Finding
	for _, k := range sortedKeys(want) {
		w := want[k]
		h, ok := have[k]
		switch {
		case !ok:
			out = append(out, Finding{Code: "E017", Message: fmt.Sprintf("%s %s (migration %s) is missing: dropped outside inpctl", w.typ, w.name, w.from)})
		case h.sql != w.sql:
			out = append(out, Finding{Code: "E017", Message: fmt.Sprintf("%s %s is not as migration %s defines it: changed outside inpctl", w.typ, w.name, w.from)})
		}
	}
	for _, k := range sortedKeys(have) {
		h := have[k]
		if _, ok := want[k]; ok {
			continue
		}
		if h.typ == "index" {
			out = append(out, Finding{Code: "W004", Warning: true, Message: fmt.Sprintf("index %s is not part of inpctl's schema: drop it, or tell the maintainers why it is needed", h.name)})
			continue
		}
		out = append(out, Finding{Code: "E017", Message: fmt.Sprintf("%s %s is not part of inpctl's schema: added outside inpctl", h.typ, h.name)})
	}
	return out, nil
}

// normalizeSQL removes comments and collapses white space outside quotes,
// so that only what SQLite executes is compared.
func normalizeSQL(s string) string {
	var b strings.Builder
	space := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '-' && i+1 < len(s) && s[i+1] == '-':
			for i < len(s) && s[i] != '\n' {
				i++
			}
			space = true
		case c == '/' && i+1 < len(s) && s[i+1] == '*':
			end := strings.Index(s[i+2:], "*/")
			if end < 0 {
				i = len(s)
			} else {
				i += end + 3
			}
			space = true
		case c == '\'' || c == '"' || c == '`' || c == '[':
			closer := c
			if c == '[' {
				closer = ']'
			}
			j := i + 1
			for j < len(s) && s[j] != closer {
				j++
			}
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteString(s[i:min(j+1, len(s))])
			i = j
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			space = true
		default:
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteByte(c)
		}
	}
	return b.String()
}
