package store

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"strings"
)

// BooksState is what db check recomputed from the rows: every series as
// it is now, and at the counts it was asked for (a seal's), by name.
type BooksState struct {
	Series []SeriesState
	At     map[string]SeriesState
}

// versioned is a table whose rows change in place, and the chained table
// that keeps each of their versions (0010_chains.sql).
type versioned struct {
	table, history string
	what           string
	keys           []string // the table's key columns
	idCol          string   // the history column that holds the table's id
	label          string   // the column a finding shows
}

var versionedTables = []versioned{
	{table: "attempts", history: "attempt_outcomes", what: "attempt", keys: []string{"id"}, idCol: "attempt_id", label: "reference"},
	{table: "tariffs", history: "tariff_history", what: "tariff", keys: []string{"programme", "year", "code"}, label: "programme"},
}

// finalStates are the attempt outcomes that never change (the trigger
// attempts_outcome_final refuses it; a version saying so is a forgery).
var finalStates = map[string]bool{"approved": true, "declined": true, "failed": true}

// checkChains walks every chain (E018), compares every head with what its
// links give (E019) and every attempt and tariff with its last version
// (E020). marks asks for the recomputed state at a count per series.
func (db *DB) checkChains(ctx context.Context, marks map[string]int64) ([]Finding, BooksState, error) {
	st := BooksState{At: map[string]SeriesState{}}
	heads, err := db.chainHeads(ctx)
	if err != nil {
		return nil, st, err
	}
	var out []Finding
	versions := map[string]*versionLog{}
	for _, v := range versionedTables {
		versions[v.history] = newVersionLog(v)
	}
	for _, s := range chainedSeries {
		var visit func([]string, []any)
		if vl := versions[s.name]; vl != nil {
			visit = vl.visit
		}
		w, fs, err := db.walkSeries(ctx, s, marks[s.name], visit)
		if err != nil {
			return nil, st, fmt.Errorf("chain %s: %w", s.name, err)
		}
		out = append(out, fs...)
		out = append(out, headFindings(heads, w)...)
		st.add(w)
	}
	w, err := db.walkAudit(ctx, marks[auditSeries])
	if err != nil {
		return nil, st, err
	}
	out = append(out, headFindings(heads, w)...)
	st.add(w)
	for _, v := range versionedTables {
		fs, err := db.compareVersions(ctx, versions[v.history])
		if err != nil {
			return nil, st, err
		}
		out = append(out, fs...)
	}
	return out, st, nil
}

func (st *BooksState) add(w chainWalk) {
	st.Series = append(st.Series, w.now)
	if w.mark > 0 && w.atMark.Count == w.mark {
		st.At[w.now.Name] = w.atMark
	}
}

func (db *DB) chainHeads(ctx context.Context) (map[string]SeriesState, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT series, n, head, total FROM chain_heads`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	heads := map[string]SeriesState{}
	for rows.Next() {
		var h SeriesState
		if err := rows.Scan(&h.Name, &h.Count, &h.Head, &h.TotalCents); err != nil {
			return nil, err
		}
		heads[h.Name] = h
	}
	return heads, rows.Err()
}

// headFindings compares the head kept by the triggers with the links: a
// series whose last rows went with their links, or whose links were all
// written again, no longer ends where its head says (E019).
func headFindings(heads map[string]SeriesState, w chainWalk) []Finding {
	h, ok := heads[w.now.Name]
	if !ok {
		return []Finding{{Code: "E019", Message: w.now.Name + ": the chain has no head (chain_heads row removed)"}}
	}
	var why []string
	switch {
	case h.Count > w.now.Count:
		why = append(why, fmt.Sprintf("%d rows were written, %d are there: rows were removed from its end", h.Count, w.now.Count))
	case h.Count < w.now.Count:
		why = append(why, fmt.Sprintf("%d rows were written, %d are linked: links were added outside inpctl", h.Count, w.now.Count))
	case h.Head != w.stored:
		why = append(why, fmt.Sprintf("its last link is %.12s…, the head recorded %.12s…: the chain was written again", w.stored, h.Head))
	}
	if h.TotalCents != w.now.TotalCents && w.now.Name != auditSeries {
		why = append(why, fmt.Sprintf("its rows total %d cents, %d were recorded", w.now.TotalCents, h.TotalCents))
	}
	if len(why) == 0 {
		return nil
	}
	return []Finding{{Code: "E019", Message: w.now.Name + ": " + strings.Join(why, "; ")}}
}

// versionLog collects, from a history walk, the last version of every
// row of a versioned table.
type versionLog struct {
	v        versioned
	cols     []string // the table's columns
	at       []int    // where each is in the history's columns
	last     map[string][]any
	findings findings
}

func newVersionLog(v versioned) *versionLog {
	return &versionLog{v: v, last: map[string][]any{}, findings: findings{code: "E020", series: v.table}}
}

func (vl *versionLog) visit(hcols []string, vals []any) {
	if vl.at == nil {
		for i, c := range hcols {
			if c == "id" {
				continue
			}
			if c == vl.v.idCol {
				c = "id"
			}
			vl.cols = append(vl.cols, c)
			vl.at = append(vl.at, i)
		}
	}
	row := make([]any, len(vl.at))
	for i, j := range vl.at {
		row[i] = cloneValue(vals[j])
	}
	key := vl.key(row)
	if prev, ok := vl.last[key]; ok && vl.v.table == "attempts" {
		was, now := stateOf(vl.cols, prev), stateOf(vl.cols, row)
		if finalStates[was] && now != was {
			vl.findings.add("attempt %v was %s, then a later version says %s: an outcome is final", vl.labelOf(row), was, now)
		}
	}
	vl.last[key] = row
}

func stateOf(cols []string, row []any) string {
	s, _ := row[columnIndex(cols, "state")].(string)
	return s
}

func (vl *versionLog) key(row []any) string {
	var b strings.Builder
	for _, k := range vl.v.keys {
		fmt.Fprintf(&b, "%v\x00", row[columnIndex(vl.cols, k)])
	}
	return b.String()
}

func (vl *versionLog) labelOf(row []any) string {
	if vl.v.table == "tariffs" {
		return fmt.Sprintf("%v %v code %v", row[columnIndex(vl.cols, "programme")], row[columnIndex(vl.cols, "year")], row[columnIndex(vl.cols, "code")])
	}
	return fmt.Sprint(row[columnIndex(vl.cols, vl.v.label)])
}

// compareVersions reports every row that is not its last version: changed,
// written or removed outside inpctl.
func (db *DB) compareVersions(ctx context.Context, vl *versionLog) ([]Finding, error) {
	cols, err := tableColumns(ctx, db.sql, vl.v.table)
	if err != nil {
		return nil, err
	}
	if vl.cols == nil {
		vl.cols = cols
	}
	rows, err := db.sql.QueryContext(ctx, `SELECT `+quoted(cols)+` FROM "`+vl.v.table+`" t`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	vals := make([]any, len(cols))
	dest := make([]any, len(cols))
	for i := range vals {
		dest[i] = &vals[i]
	}
	seen := map[string]bool{}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		row := make([]any, len(vl.cols))
		for i, c := range vl.cols {
			if j := indexOf(cols, c); j >= 0 {
				row[i] = vals[j]
			}
		}
		key := vl.key(row)
		seen[key] = true
		last, ok := vl.last[key]
		if !ok {
			vl.findings.add("the %s %s has no recorded version: written outside inpctl", vl.v.what, vl.labelOf(row))
			continue
		}
		for i, c := range vl.cols {
			if !sameValue(row[i], last[i]) {
				vl.findings.add("the %s %s has %s = %v, its last recorded version %v: changed outside inpctl",
					vl.v.what, vl.labelOf(row), c, row[i], last[i])
				break
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var gone []string
	for key := range vl.last {
		if !seen[key] {
			gone = append(gone, key)
		}
	}
	sort.Strings(gone)
	for _, key := range gone {
		vl.findings.add("the %s %s is gone (its versions are kept): removed outside inpctl", vl.v.what, vl.labelOf(vl.last[key]))
	}
	return vl.findings.done(), nil
}

func indexOf(cols []string, name string) int {
	for i, c := range cols {
		if c == name {
			return i
		}
	}
	return -1
}

func cloneValue(v any) any {
	if b, ok := v.([]byte); ok {
		return bytes.Clone(b)
	}
	return v
}

func sameValue(a, b any) bool {
	if x, ok := a.([]byte); ok {
		y, ok := b.([]byte)
		return ok && bytes.Equal(x, y)
	}
	if _, ok := b.([]byte); ok {
		return false
	}
	return a == b
}
