package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"math"
	"slices"
	"strconv"
	"strings"

	sqlite "modernc.org/sqlite"
)

// The chains of the books (issue 17, migration 0010): every row of a
// chained table is linked by its table's _chain trigger, which calls
// inpctl_chain, to the row written before it in the same series. db check
// recomputes every link here, from the rows.

// chainFormat names the encoding hashed by chainHasher; a new encoding
// would be a new name.
const chainFormat = "inpctl-chain/1"

// chainSeries is one chained table.
type chainSeries struct {
	name  string // the series and its table
	what  string // how a finding names a row
	label string // the column a finding shows
	k2    string // second key column of chain_links (invoice_lines: seq), "" when the row is its id
	k1    string // first key column: id (invoice_lines: invoice_id)
	total string // SQL over the row t: the cents summed into the series' total
}

// chainedSeries are the chained tables, as 0010_chains.sql chains them.
var chainedSeries = []chainSeries{
	{name: "invoices", what: "invoice", label: "number", k1: "id", total: "t.ttc"},
	{name: "invoice_lines", what: "line of invoice id", label: "invoice_id", k1: "invoice_id", k2: "seq", total: "t.amount_ht"},
	{name: "credit_notes", what: "credit note", label: "number", k1: "id", total: "t.amount"},
	{name: "payments", what: "payment", label: "number", k1: "id", total: "t.amount"},
	{name: "allocations", what: "allocation", label: "id", k1: "id", total: "t.amount"},
	{name: "unpaids", what: "unpaid or void", label: "id", k1: "id",
		total: "COALESCE((SELECT amount FROM payments WHERE id = t.payment_id), 0)"},
	{name: "refunds", what: "refund", label: "id", k1: "id", total: "t.amount"},
	{name: "notifications", what: "notification", label: "id", k1: "id", total: "t.amount"},
	{name: "attempt_outcomes", what: "attempt version", label: "reference", k1: "id", total: "0"},
	{name: "tariff_history", what: "tariff version", label: "id", k1: "id", total: "0"},
}

// auditSeries is the audit log's entry in chain_heads: its rows carry
// their own chain (audit.go).
const auditSeries = "audit_log"

func init() {
	// Registered once for the process: every connection the "sqlite"
	// driver opens afterwards has it, so every insert path of every
	// command is chained by the triggers, and so does a test that opens
	// the file itself. The sqlite3 shell does not have it: an insert
	// there fails until the trigger is dropped, which db check sees.
	sqlite.MustRegisterDeterministicScalarFunction("inpctl_chain", -1, chainSQL)
}

// chainSQL is inpctl_chain(prev, series, n, name, value, …): the hash of
// link n of series, after prev, over the row given as name/value pairs.
func chainSQL(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
	if len(args) < 3 || len(args)%2 == 0 {
		return nil, errors.New("inpctl_chain(prev, series, n, name, value, …)")
	}
	prev, _ := args[0].(string)
	series, _ := args[1].(string)
	n, _ := args[2].(int64)
	h := newChainHasher(prev, series, n)
	for i := 3; i < len(args); i += 2 {
		name, _ := args[i].(string)
		h.add(name, args[i+1])
	}
	return h.sum(), nil
}

// chainHasher is SHA-256 over a link: the format, the previous hash, the
// series, the position, then each column as name and typed value, every
// part length-prefixed so that no two rows encode alike. NULL, empty text and 0
// are left out (see 0010_chains.sql: a column added later with such a
// default leaves older hashes as they were).
type chainHasher struct {
	h   hash.Hash
	buf []byte
}

func newChainHasher(prev, series string, n int64) *chainHasher {
	c := &chainHasher{h: sha256.New(), buf: make([]byte, 0, 512)}
	c.str(chainFormat)
	c.str(prev)
	c.str(series)
	c.buf = strconv.AppendInt(c.buf, n, 10)
	c.buf = append(c.buf, ';')
	return c
}

func (c *chainHasher) str(s string) {
	c.buf = strconv.AppendInt(c.buf, int64(len(s)), 10)
	c.buf = append(c.buf, ':')
	c.buf = append(c.buf, s...)
	c.buf = append(c.buf, ';')
}

// add encodes one column.
func (c *chainHasher) add(name string, v any) {
	switch x := v.(type) {
	case nil:
		return
	case int64:
		if x == 0 {
			return
		}
		c.str(name)
		c.buf = append(c.buf, 'i')
		c.buf = strconv.AppendInt(c.buf, x, 10)
		c.buf = append(c.buf, ';')
	case float64:
		if x == 0 {
			return
		}
		c.str(name)
		c.buf = append(c.buf, 'f')
		c.buf = strconv.AppendUint(c.buf, math.Float64bits(x), 16)
		c.buf = append(c.buf, ';')
	case string:
		if x == "" {
			return
		}
		c.str(name)
		c.buf = append(c.buf, 's')
		c.str(x)
	case []byte:
		if len(x) == 0 {
			return
		}
		c.str(name)
		c.buf = append(c.buf, 'b')
		c.str(string(x))
	default:
		// Not a value SQLite gives; encoded so that it never matches.
		c.str(name)
		c.str(fmt.Sprintf("?%T:%v", v, v))
	}
	if len(c.buf) > 4096 {
		c.h.Write(c.buf)
		c.buf = c.buf[:0]
	}
}

func (c *chainHasher) sum() string {
	c.h.Write(c.buf)
	return hex.EncodeToString(c.h.Sum(nil))
}

// rowHash is the hash of link n after prev over a row's columns.
func rowHash(prev, series string, n int64, cols []string, vals []any) string {
	h := newChainHasher(prev, series, n)
	for i, c := range cols {
		h.add(c, vals[i])
	}
	return h.sum()
}

// chainDB is what the chain code reads and writes through: a transaction, a
// connection or the database.
type chainDB interface {
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

// tablesQuery and columnsQuery read SQLite's catalogue: the tables of the
// books, and a table's columns in their order. PostgreSQL gets its own
// text for each (dialect.go's pgStatements, keyed by these constants).
const (
	tablesQuery  = `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`
	columnsQuery = `SELECT name FROM pragma_table_info(?)`
)

// tableNames lists the tables of the books, by name.
func tableNames(ctx context.Context, q chainDB) ([]string, error) {
	return queryStrings(ctx, q, tablesQuery)
}

// tableColumns lists a table's columns in their order.
func tableColumns(ctx context.Context, q chainDB, table string) ([]string, error) {
	return queryStrings(ctx, q, columnsQuery, table)
}

// chainedColumns are the columns of a chained table that its links hash:
// all but school. A link's school is its chain's (chain_links.school),
// and no guard lets a document's row change school; the rows chained
// before schools existed (migration 0013) keep their hashes.
func chainedColumns(ctx context.Context, q chainDB, table string) ([]string, error) {
	cols, err := tableColumns(ctx, q, table)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(cols, func(c string) bool { return c == "school" }), nil
}

// quoted is cols as SQL identifiers of t.
func quoted(cols []string) string {
	q := make([]string, len(cols))
	for i, c := range cols {
		q[i] = `t."` + c + `"`
	}
	return strings.Join(q, ", ")
}

// backfillChains is the Go half of migration 0010: it chains the rows
// written before it, in the order of their keys (the order they were
// written in), and records every series' head. Attempts and tariffs get
// their first version copied, which their triggers chain.
func backfillChains(ctx context.Context, q chainDB) error {
	for _, s := range chainedSeries {
		if s.name == "attempt_outcomes" || s.name == "tariff_history" {
			if _, err := q.ExecContext(ctx, `INSERT INTO chain_heads(series, n, head) VALUES (?, 0, '')`, s.name); err != nil {
				return err
			}
			continue
		}
		if err := backfillSeries(ctx, q, s); err != nil {
			return fmt.Errorf("chain %s: %w", s.name, err)
		}
	}
	for _, stmt := range []string{
		`INSERT INTO attempt_outcomes(attempt_id, kind, reference, numquestion, instalment_id, refund_id, card_id,
			amount, state, code, text, numtrans, numappel, created_at, resolved_at, payment_id, note)
		SELECT id, kind, reference, numquestion, instalment_id, refund_id, card_id,
			amount, state, code, text, numtrans, numappel, created_at, resolved_at, payment_id, note FROM attempts ORDER BY id`,
		`INSERT INTO tariff_history(programme, year, code, amount) SELECT programme, year, code, amount FROM tariffs
			ORDER BY programme, year, code`,
		`INSERT INTO chain_heads(series, n, head) SELECT 'audit_log', COUNT(*),
			COALESCE((SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1), '') FROM audit_log`,
	} {
		if _, err := q.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	return nil
}

type backfillLink struct {
	k1, k2 int64
	hash   string
}

func backfillSeries(ctx context.Context, q chainDB, s chainSeries) error {
	cols, err := chainedColumns(ctx, q, s.name)
	if err != nil {
		return err
	}
	order, k2 := `t."`+s.k1+`"`, "0"
	if s.k2 != "" {
		k2 = `t."` + s.k2 + `"`
		order += ", " + k2
	}
	rows, err := q.QueryContext(ctx, `SELECT t."`+s.k1+`", `+k2+`, `+s.total+`, `+quoted(cols)+` FROM "`+s.name+`" t ORDER BY `+order)
	if err != nil {
		return err
	}
	var links []backfillLink
	var total int64
	head := ""
	vals := make([]any, len(cols))
	dest := make([]any, len(cols)+3)
	var l backfillLink
	var amount int64
	dest[0], dest[1], dest[2] = &l.k1, &l.k2, &amount
	for i := range vals {
		dest[i+3] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			rows.Close()
			return err
		}
		head = rowHash(head, s.name, int64(len(links)+1), cols, vals)
		l.hash = head
		links = append(links, l)
		total += amount
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for i, l := range links {
		if _, err := q.ExecContext(ctx, `INSERT INTO chain_links(series, n, k1, k2, hash) VALUES (?, ?, ?, ?, ?)`,
			s.name, i+1, l.k1, l.k2, l.hash); err != nil {
			return err
		}
	}
	_, err = q.ExecContext(ctx, `INSERT INTO chain_heads(series, n, head, total) VALUES (?, ?, ?, ?)`, s.name, len(links), head, total)
	return err
}
