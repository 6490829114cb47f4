package store

import (
	"context"
	"fmt"
)

// SeriesState is a chain as db check recomputes it from the rows: how many
// links, the hash of the last one and the total of the series' amounts.
type SeriesState struct {
	Name       string `json:"name"`
	Count      int64  `json:"count"`
	Head       string `json:"head"`
	TotalCents int64  `json:"total_cents"`
}

// maxChainFindings bounds the findings of one series: one changed row
// is enough to know, a thousand would hide the others.
const maxChainFindings = 20

// chainWalk is the result of walking one series.
type chainWalk struct {
	now    SeriesState // recomputed, all links
	stored string      // the hash the last link stores
	mark   int64       // the position asked for (a seal's count), 0 for none
	atMark SeriesState // recomputed at mark
	broken bool        // the recomputed chain could not reach mark (a row is gone)
}

// findings collects the findings of one series, up to maxChainFindings.
type findings struct {
	code, series string
	out          []Finding
	more         int
}

func (f *findings) add(format string, args ...any) {
	if len(f.out) >= maxChainFindings {
		f.more++
		return
	}
	f.out = append(f.out, Finding{Code: f.code, Message: f.series + ": " + fmt.Sprintf(format, args...)})
}

func (f *findings) done() []Finding {
	if f.more > 0 {
		f.out = append(f.out, Finding{Code: f.code, Message: fmt.Sprintf("%s: and %d more", f.series, f.more)})
	}
	return f.out
}

// walkSeries recomputes every link of s from its row and reports (E018)
// each link whose row is gone or changed, each row without a link and
// each gap. Every link is checked against the hash its predecessor
// stores, so each changed row is named; the chain recomputed from the
// first row is kept apart, for heads and seals. visit, when set, sees
// every row in chain order.
func (db *DB) walkSeries(ctx context.Context, s chainSeries, mark int64, visit func(cols []string, vals []any)) (chainWalk, []Finding, error) {
	w := chainWalk{now: SeriesState{Name: s.name}, mark: mark}
	f := &findings{code: "E018", series: s.name}
	cols, err := chainedColumns(ctx, db.sql, s.name)
	if err != nil {
		return w, nil, err
	}
	on := `t."` + s.k1 + `" = l.k1`
	if s.k2 != "" {
		on += ` AND t."` + s.k2 + `" = l.k2`
	}
	rows, err := db.sql.QueryContext(ctx, `SELECT l.n, l.k1, l.k2, l.hash, t."`+s.k1+`" IS NOT NULL, COALESCE(`+s.total+`, 0), `+quoted(cols)+`
		FROM chain_links l LEFT JOIN "`+s.name+`" t ON `+on+` WHERE l.series = ? ORDER BY l.n`, s.name)
	if err != nil {
		return w, nil, err
	}
	defer rows.Close()
	var n, k1, k2v, amount int64
	var stored string
	var present bool
	vals := make([]any, len(cols))
	dest := append([]any{&n, &k1, &k2v, &stored, &present, &amount}, make([]any, len(cols))...)
	for i := range vals {
		dest[6+i] = &vals[i]
	}
	seen := map[[2]int64]int64{}
	label := columnIndex(cols, s.label)
	rec, prev := "", ""
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return w, nil, err
		}
		if n != w.now.Count+1 {
			f.add("chain link %d is missing (the last before it is %d): links were removed", w.now.Count+1, w.now.Count)
		}
		key := [2]int64{k1, k2v}
		if first, dup := seen[key]; dup {
			f.add("links %d and %d name the same row (%s): a row was removed and another written in its place", first, n, keyText(s, key))
		}
		seen[key] = n
		w.now.Count = n
		switch {
		case !present:
			f.add("the %s %s of link %d is missing: removed after it was written", s.what, keyText(s, key), n)
			w.broken = true
		default:
			local := rowHash(prev, s.name, n, cols, vals)
			if local != stored {
				f.add("the %s %v (link %d) is not what was written: changed after it was written", s.what, vals[label], n)
			}
			// rec is the chain recomputed from the first row: while it
			// agrees with the stored links, it is the local hash.
			if rec == prev {
				rec = local
			} else {
				rec = rowHash(rec, s.name, n, cols, vals)
			}
			w.now.TotalCents += amount
			if visit != nil {
				visit(cols, vals)
			}
		}
		prev = stored
		if n == mark {
			w.atMark = SeriesState{Name: s.name, Count: n, Head: rec, TotalCents: w.now.TotalCents}
			if w.broken {
				w.atMark.Head = ""
			}
		}
	}
	if err := rows.Err(); err != nil {
		return w, nil, err
	}
	rows.Close()
	w.now.Head, w.stored = rec, prev
	if w.broken {
		w.now.Head = ""
	}
	if err := db.unlinkedRows(ctx, s, seen, f); err != nil {
		return w, nil, err
	}
	return w, f.done(), nil
}

// unlinkedRows reports the rows of s that no link names: written with its
// trigger out of the way.
func (db *DB) unlinkedRows(ctx context.Context, s chainSeries, seen map[[2]int64]int64, f *findings) error {
	var count int64
	if err := db.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM "`+s.name+`"`).Scan(&count); err != nil {
		return err
	}
	if count == int64(len(seen)) {
		return nil // every row has one link (a link whose row is gone was reported)
	}
	k2 := "0"
	if s.k2 != "" {
		k2 = `"` + s.k2 + `"`
	}
	rows, err := db.sql.QueryContext(ctx, `SELECT "`+s.k1+`", `+k2+`, CAST("`+s.label+`" AS TEXT) FROM "`+s.name+`" ORDER BY 1, 2`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var key [2]int64
		var label string
		if err := rows.Scan(&key[0], &key[1], &label); err != nil {
			return err
		}
		if _, ok := seen[key]; !ok {
			f.add("the %s %s has no chain link: written outside inpctl (with its trigger removed)", s.what, label)
		}
	}
	return rows.Err()
}

func keyText(s chainSeries, key [2]int64) string {
	if s.k2 != "" {
		return fmt.Sprintf("%s %d %s %d", s.k1, key[0], s.k2, key[1])
	}
	return fmt.Sprintf("%s %d", s.k1, key[0])
}

func columnIndex(cols []string, name string) int {
	for i, c := range cols {
		if c == name {
			return i
		}
	}
	return 0
}

// walkAudit recomputes the audit log's chain (audit.go), for its head
// and a seal's mark; VerifyAudit (E010) names a broken row.
func (db *DB) walkAudit(ctx context.Context, mark int64) (chainWalk, error) {
	w := chainWalk{now: SeriesState{Name: auditSeries}, mark: mark}
	rows, err := db.sql.QueryContext(ctx, `SELECT at, operator, command, args, entity, summary, hash FROM audit_log ORDER BY id`)
	if err != nil {
		return w, err
	}
	defer rows.Close()
	var r AuditRow
	var args, stored string
	for rows.Next() {
		if err := rows.Scan(&r.At, &r.Operator, &r.Command, &args, &r.Entity, &r.Summary, &stored); err != nil {
			return w, err
		}
		w.now.Count++
		w.now.Head = auditHash(w.now.Head, r.At, r.Operator, r.Command, args, r.Entity, r.Summary)
		w.stored = stored
		if w.now.Count == mark {
			w.atMark = w.now
		}
	}
	return w, rows.Err()
}
