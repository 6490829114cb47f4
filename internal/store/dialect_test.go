package store

import (
	"strings"
	"testing"
)

func TestPgSQL(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`SELECT a FROM t WHERE x = ? AND y = ?`, `SELECT a FROM t WHERE x = $1 AND y = $2`},
		{`SELECT ?1, ?2, ?1`, `SELECT $1, $2, $1`},
		{`SELECT '?', "a?" FROM t WHERE c = ? -- why?` + "\n" + `AND d = ?`, `SELECT '?', "a?" FROM t WHERE c = $1 -- why?` + "\n" + `AND d = $2`},
		{`SELECT 'it''s ?' || ?`, `SELECT 'it''s ?' || $1`},
		{`SELECT MIN(a, b), MAX(c), min(x, (y)), MAX(COALESCE(a, 0))`, `SELECT LEAST(a, b), MAX(c), LEAST(x, (y)), MAX(COALESCE(a, 0))`},
		{`SELECT MAX(0, MIN(i.amount, 5))`, `SELECT GREATEST(0, LEAST(i.amount, 5))`},
		{`SELECT group_concat(code, ',') FROM t`, `SELECT string_agg(code, ',') FROM t`},
		{`FROM a CROSS JOIN b ON b.x = a.x CROSS JOIN c`, `FROM a INNER JOIN b ON b.x = a.x CROSS JOIN c`},
		{`SELECT min_total, maxi FROM t`, `SELECT min_total, maxi FROM t`},
	} {
		if got := pgSQL(c.in); got != c.want {
			t.Errorf("pgSQL(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
	}
}

// FuzzPgSQL: whatever the text, the rewrite leaves no placeholder ? outside
// literals, quoted names and comments, keeps those as they are, and gives
// them in the same order; a text with no ? is a fixed point of the
// placeholder rewrite.
func FuzzPgSQL(f *testing.F) {
	for _, s := range []string{`SELECT ? FROM t`, `'?' "?" -- ?`, `MIN(a, ?)`, `x ?12 y`, `'unterminated ?`, `CROSS JOIN t ON`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := pgSQL(in)
		if strings.Count(quotedParts(out), "?") != strings.Count(quotedParts(in), "?") {
			t.Fatalf("the literals changed: %q → %q", in, out)
		}
		if bare(out) != "" && strings.Contains(bare(out), "?") {
			t.Fatalf("a placeholder was left: %q → %q", in, out)
		}
		if !strings.Contains(in, "?") && pgSQL(out) != out {
			t.Fatalf("not a fixed point: %q → %q → %q", in, out, pgSQL(out))
		}
	})
}

// quotedParts is the text inside literals, quoted names and comments, as
// pgSQL reads them; bare is the rest.
func quotedParts(q string) string { a, _ := split(q); return a }
func bare(q string) string        { _, b := split(q); return b }

func split(q string) (quoted, rest string) {
	var qb, rb strings.Builder
	for i := 0; i < len(q); {
		c := q[i]
		switch {
		case c == '\'' || c == '"':
			j := i + 1
			for j < len(q) {
				if q[j] == c {
					if j+1 < len(q) && q[j+1] == c {
						j += 2
						continue
					}
					break
				}
				j++
			}
			qb.WriteString(q[i:min(j+1, len(q))])
			i = j + 1
		case c == '-' && i+1 < len(q) && q[i+1] == '-':
			j := strings.IndexByte(q[i:], '\n')
			if j < 0 {
				j = len(q) - i
			}
			qb.WriteString(q[i : i+j])
			i += j
		default:
			rb.WriteByte(c)
			i++
		}
	}
	return qb.String(), rb.String()
}

// TestIdentityTables: the tables whose id PostgreSQL generates, read from
// the PostgreSQL migrations, are those whose id SQLite's schema makes an
// INTEGER PRIMARY KEY (the INSERTs that read LastInsertId).
func TestIdentityTables(t *testing.T) {
	got := identityTables()
	for _, want := range []string{"invoices", "payments", "allocations", "refunds", "attempts", "audit_log", "outbox", "orders", "dossiers"} {
		if !got[want] {
			t.Errorf("%s is not an identity table (%v)", want, got)
		}
	}
	for _, not := range []string{"students", "sequences", "chain_links", "chain_heads", "tariffs", "invoice_lines"} {
		if got[not] {
			t.Errorf("%s has no generated id", not)
		}
	}
}
