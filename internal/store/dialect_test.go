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
		{`SELECT /* a ? and MIN(a, b) */ ? -- ?`, `SELECT /* a ? and MIN(a, b) */ $1 -- ?`},
		{`SELECT 'x''' || ?`, `SELECT 'x''' || $1`},
		{`SELECT 'x'' || ?`, `SELECT 'x'' || ?`}, // unterminated: all literal
		{`SELECT '?`, `SELECT '?`},
		{`SELECT ? /* ?`, `SELECT $1 /* ?`},
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
		if quotedParts(out) != quotedParts(in) {
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
		if end := quotedEnd(q, i); end > i {
			qb.WriteString(q[i:end])
			i = end
			continue
		}
		rb.WriteByte(q[i])
		i++
	}
	return qb.String(), rb.String()
}
