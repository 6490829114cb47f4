package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// The dialect seam (issue 22). The store keeps one code path written in
// SQLite's SQL; on PostgreSQL every statement goes through pgSQL once
// (cached), which rewrites what the two spell differently:
//
//   - placeholders: ? and ?N become $k and $N;
//   - SQLite's two-argument MIN(a, b) and MAX(a, b) become LEAST and
//     GREATEST; group_concat becomes string_agg;
//   - an INSERT into a table whose key is an id gets RETURNING id, so that
//     the LastInsertId the store reads after it works as on SQLite.
//
// Everything else is SQL both understand. What cannot be rewritten (the
// schema, integrity_check, VACUUM INTO, sqlite_master) asks db.pg and
// takes its own branch, next to the SQLite one.
type dialect struct {
	pg    bool
	cache sync.Map // SQLite text → *pgStmt
}

// pgStmt is one statement as PostgreSQL takes it.
type pgStmt struct {
	text string
	// returning says the statement ends with RETURNING id: it is run as
	// a query and its result gives LastInsertId.
	returning bool
}

// pgStatements are the statements PostgreSQL spells differently as a
// whole: SQLite's catalogue.
var pgStatements = map[string]string{
	columnsQuery: `SELECT column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`,
	tablesQuery: `SELECT table_name
		FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
		AND table_name <> 'schema_migrations' ORDER BY table_name`,
}

// crossJoinOn and insertInto are compiled the first time a PostgreSQL
// statement is rewritten, not by every command at start.
var crossJoinOn = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?is)^\s+JOIN\s+\w+(\s+\w+)?\s+ON\b`)
})

var insertInto = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?is)^\s*INSERT\s+INTO\s+"?(\w+)"?`) })

func (d *dialect) rewrite(q string) *pgStmt {
	if v, ok := d.cache.Load(q); ok {
		return v.(*pgStmt)
	}
	s := &pgStmt{text: pgSQL(q)}
	if w, ok := pgStatements[strings.TrimSpace(q)]; ok {
		s.text = w
	}
	if m := insertInto().FindStringSubmatch(q); m != nil && identityTables()[strings.ToLower(m[1])] &&
		!strings.Contains(strings.ToUpper(q), "RETURNING") {
		// On a line of its own: a statement may end with a comment.
		s.text = strings.TrimRight(strings.TrimSpace(s.text), ";") + "\nRETURNING id"
		s.returning = true
	}
	d.cache.Store(q, s)
	return s
}

// text is q as the database takes it.
func (d *dialect) text(q string) string {
	if !d.pg {
		return q
	}
	return d.rewrite(q).text
}

// args converts what pgx would refuse: a Go bool for one of the BIGINT
// 0/1 flags of the schema.
func (d *dialect) args(args []any) []any {
	if !d.pg {
		return args
	}
	for i, a := range args {
		if b, ok := a.(bool); ok {
			if b {
				args[i] = int64(1)
			} else {
				args[i] = int64(0)
			}
		}
	}
	return args
}

// pgSQL rewrites one statement of SQLite's SQL for PostgreSQL. It walks
// the text once, leaving string literals, quoted identifiers and comments
// as they are.
func pgSQL(q string) string {
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0 // placeholders so far
	for i := 0; i < len(q); {
		c := q[i]
		if end := quotedEnd(q, i); end > i {
			b.WriteString(q[i:end])
			i = end
			continue
		}
		switch {
		case c == '?':
			j := i + 1
			for j < len(q) && q[j] >= '0' && q[j] <= '9' {
				j++
			}
			if j > i+1 {
				b.WriteString("$" + q[i+1:j])
			} else {
				n++
				b.WriteString("$" + strconv.Itoa(n))
			}
			i = j
		case isWordStart(c) && (i == 0 || !isWord(q[i-1])):
			j := i
			for j < len(q) && isWord(q[j]) {
				j++
			}
			w := q[i:j]
			switch strings.ToUpper(w) {
			case "MIN", "MAX":
				if j < len(q) && q[j] == '(' && topLevelComma(q[j:]) {
					if strings.EqualFold(w, "MIN") {
						w = "LEAST"
					} else {
						w = "GREATEST"
					}
				}
			case "GROUP_CONCAT":
				w = "string_agg"
			case "CROSS":
				// SQLite's CROSS JOIN … ON fixes the join order; on
				// PostgreSQL it is a plain JOIN (a CROSS JOIN has no ON).
				if crossJoinOn().MatchString(q[j:]) {
					w = "INNER"
				}
			}
			b.WriteString(w)
			i = j
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String()
}

// quotedEnd is where the string literal, quoted identifier or comment
// that starts at q[i] ends (an unterminated one runs to the end of q); i
// itself when none starts there.
func quotedEnd(q string, i int) int {
	switch c := q[i]; {
	case c == '\'' || c == '"':
		j := i + 1
		for j < len(q) {
			if q[j] == c {
				if j+1 < len(q) && q[j+1] == c { // doubled quote
					j += 2
					continue
				}
				return j + 1
			}
			j++
		}
		return len(q)
	case c == '-' && i+1 < len(q) && q[i+1] == '-':
		if j := strings.IndexByte(q[i:], '\n'); j >= 0 {
			return i + j
		}
		return len(q)
	case c == '/' && i+1 < len(q) && q[i+1] == '*':
		if j := strings.Index(q[i+2:], "*/"); j >= 0 {
			return i + 2 + j + 2
		}
		return len(q)
	}
	return i
}

// topLevelComma reports whether the parenthesis that opens s holds a comma
// outside nested parentheses and literals (MIN(a, b) rather than MIN(a)).
func topLevelComma(s string) bool {
	depth := 0
	for i := 0; i < len(s); i++ {
		if end := quotedEnd(s, i); end > i {
			i = end - 1
			continue
		}
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return false
			}
		case ',':
			if depth == 1 {
				return true
			}
		}
	}
	return false
}

func isWordStart(c byte) bool {
	return c == '_' || (c|0x20) >= 'a' && (c|0x20) <= 'z'
}

func isWord(c byte) bool { return isWordStart(c) || c >= '0' && c <= '9' }

// idResult is the result of an INSERT … RETURNING id on PostgreSQL.
type idResult struct {
	id, n int64
}

func (r idResult) LastInsertId() (int64, error) { return r.id, nil }
func (r idResult) RowsAffected() (int64, error) { return r.n, nil }

// execReturning runs an INSERT … RETURNING id and reads the ids.
func execReturning(rows *sql.Rows, err error) (sql.Result, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var r idResult
	for rows.Next() {
		if err := rows.Scan(&r.id); err != nil {
			return nil, err
		}
		r.n++
	}
	return r, rows.Err()
}

// sqlDB is the database handle of the store: *sql.DB with every
// statement's text put in the database's dialect.
type sqlDB struct {
	*sql.DB
	d *dialect
}

func (h *sqlDB) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if h.d.pg && h.d.rewrite(q).returning {
		return execReturning(h.DB.QueryContext(ctx, h.d.text(q), h.d.args(args)...))
	}
	return h.DB.ExecContext(ctx, h.d.text(q), h.d.args(args)...)
}

func (h *sqlDB) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return h.DB.QueryContext(ctx, h.d.text(q), h.d.args(args)...)
}

func (h *sqlDB) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	return h.DB.QueryRowContext(ctx, h.d.text(q), h.d.args(args)...)
}

// Exec, Query and QueryRow are the forms without a context, as *sql.DB
// has them (the tests use them).
func (h *sqlDB) Exec(q string, args ...any) (sql.Result, error) {
	return h.ExecContext(context.Background(), q, args...)
}

func (h *sqlDB) Query(q string, args ...any) (*sql.Rows, error) {
	return h.QueryContext(context.Background(), q, args...)
}

func (h *sqlDB) QueryRow(q string, args ...any) *sql.Row {
	return h.QueryRowContext(context.Background(), q, args...)
}

func (h *sqlDB) PrepareContext(ctx context.Context, q string) (*sql.Stmt, error) {
	return h.DB.PrepareContext(ctx, h.d.text(q))
}

func (h *sqlDB) BeginTx(ctx context.Context, o *sql.TxOptions) (*sqlTx, error) {
	t, err := h.DB.BeginTx(ctx, o)
	if err != nil {
		return nil, err
	}
	return &sqlTx{Tx: t, d: h.d}, nil
}

func (h *sqlDB) Conn(ctx context.Context) (*sqlConn, error) {
	c, err := h.DB.Conn(ctx)
	if err != nil {
		return nil, err
	}
	return &sqlConn{Conn: c, d: h.d}, nil
}

// sqlConn is a *sql.Conn in the database's dialect.
type sqlConn struct {
	*sql.Conn
	d *dialect
}

func (c *sqlConn) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if c.d.pg && c.d.rewrite(q).returning {
		return execReturning(c.Conn.QueryContext(ctx, c.d.text(q), c.d.args(args)...))
	}
	return c.Conn.ExecContext(ctx, c.d.text(q), c.d.args(args)...)
}

func (c *sqlConn) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return c.Conn.QueryContext(ctx, c.d.text(q), c.d.args(args)...)
}

func (c *sqlConn) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	return c.Conn.QueryRowContext(ctx, c.d.text(q), c.d.args(args)...)
}

func (c *sqlConn) BeginTx(ctx context.Context, o *sql.TxOptions) (*sqlTx, error) {
	t, err := c.Conn.BeginTx(ctx, o)
	if err != nil {
		return nil, err
	}
	return &sqlTx{Tx: t, d: c.d}, nil
}

// sqlTx is a *sql.Tx in the database's dialect.
type sqlTx struct {
	*sql.Tx
	d *dialect
}

func (t *sqlTx) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if t.d.pg && t.d.rewrite(q).returning {
		return execReturning(t.Tx.QueryContext(ctx, t.d.text(q), t.d.args(args)...))
	}
	return t.Tx.ExecContext(ctx, t.d.text(q), t.d.args(args)...)
}

func (t *sqlTx) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return t.Tx.QueryContext(ctx, t.d.text(q), t.d.args(args)...)
}

func (t *sqlTx) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	return t.Tx.QueryRowContext(ctx, t.d.text(q), t.d.args(args)...)
}

func (t *sqlTx) PrepareContext(ctx context.Context, q string) (*sql.Stmt, error) {
	return t.Tx.PrepareContext(ctx, t.d.text(q))
}

// stmtExec runs a prepared statement for q, as a query when PostgreSQL
// needs RETURNING id for it.
func (d *dialect) stmtExec(ctx context.Context, st *sql.Stmt, q string, args []any) (sql.Result, error) {
	if d.pg && d.rewrite(q).returning {
		return execReturning(st.QueryContext(ctx, d.args(args)...))
	}
	return st.ExecContext(ctx, d.args(args)...)
}

var _ driver.Result = idResult{}

// flag is a boolean as the schema stores it (0 or 1), for the statements
// prepared by hand, which the dialect's args do not see.
func flag(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
