package store

import (
	"context"
	"fmt"

	"github.com/inpctl/inpctl/internal/clock"
)

// JournalLast is the last number recorded in a journal by the exports of
// closed periods, and the latest date of the entries they numbered.
type JournalLast struct {
	Seq  int
	Date string
}

// JournalExport is one export of the journal under way (ExportJournal):
// its movements, the numbers recorded before it, and, for a closed
// period, the recording of the numbers it gives.
type JournalExport struct {
	// Last is, per journal code, what the exports before this one recorded.
	Last map[string]JournalLast
	// Exported are the periods of the exports before this one that
	// recorded numbers (closed periods), first and last day.
	Exported [][2]string
	// Record is set for a closed period: Number records.
	Record bool
	// Numbered counts the numbers this export recorded.
	Numbered int

	from, to clock.Date
	db       *DB
	tx       *Tx // record only
	id       int64
	// pending are the numbers given while the period streams, on
	// PostgreSQL: one connection cannot write while it streams a query
	// (SQLite's can), so they are written when the stream ends, in the
	// same transaction.
	pending [][]any
}

// ExportJournal runs fn with an export of the movements dated from from to
// to. With record (a closed period), it is one write transaction that
// records the export and every number fn gives with Number, committed only
// when fn returns nil, with an audit row: numbers are recorded for what was
// written, and a failed export records nothing. Without record, nothing is
// written: the numbers fn gives are provisional.
//
// A recording export holds the write lock while it streams the period;
// the other writers wait for it (busy timeout).
func (db *DB) ExportJournal(ctx context.Context, from, to clock.Date, record bool, fn func(*JournalExport) error) error {
	x := &JournalExport{Record: record, from: from, to: to, db: db}
	if !record {
		if err := x.readRecorded(ctx, db.sql); err != nil {
			return err
		}
		return fn(x)
	}
	return db.inTx(ctx, func(tx *Tx) error {
		x.tx = tx
		if err := x.readRecorded(ctx, cached{tx}); err != nil {
			return err
		}
		res, err := tx.exec(ctx, `INSERT INTO journal_exports(date_from, date_to, at, operator) VALUES (?, ?, ?, ?)`,
			from.String(), to.String(), ts(tx.Now), tx.db.actor.Operator)
		if err != nil {
			return fmt.Errorf("record the export: %w", err)
		}
		if x.id, err = res.LastInsertId(); err != nil {
			return err
		}
		if err := fn(x); err != nil {
			return err
		}
		for _, args := range x.pending {
			if _, err := tx.exec(ctx, insertJournalNumber, args...); err != nil {
				return fmt.Errorf("record the number of %s %v: %w", args[0], args[1], err)
			}
		}
		return tx.audit(ctx, fmt.Sprintf("journal:%s..%s", from, to),
			fmt.Sprintf("journal exported from %s to %s (export %d): %d new entry numbers recorded", from, to, x.id, x.Numbered))
	})
}

// Each streams the period's movements to fn, each with the number recorded
// for it, by date, then kind, then order of issue.
func (x *JournalExport) Each(ctx context.Context, fn func(JournalMovement) error) error {
	if x.tx == nil {
		return x.db.EachJournalMovement(ctx, x.from, x.to, fn)
	}
	rs, err := x.tx.query(ctx, journalSelect, x.from.String(), x.to.String())
	return eachJournalRow(rs, err, fn)
}

// Number records that movement m, which had no number, was exported as
// entry seq of journal code (label lib), dated date. A provisional export
// records nothing.
func (x *JournalExport) Number(ctx context.Context, m JournalMovement, code, lib string, seq int, date string) error {
	if x.tx == nil {
		return nil
	}
	if m.Seq != 0 {
		return fmt.Errorf("journal: %s %d already has number %d of %s", m.Kind, m.ID, m.Seq, m.Numbered)
	}
	if x.db.pg {
		x.pending = append(x.pending, []any{m.Kind, m.ID, code, lib, seq, date, x.id})
		x.Numbered++
		return nil
	}
	_, err := x.tx.exec(ctx, insertJournalNumber, m.Kind, m.ID, code, lib, seq, date, x.id)
	if err != nil {
		return fmt.Errorf("record the number of %s %s: %w", m.Kind, m.Number, err)
	}
	x.Numbered++
	return nil
}

const insertJournalNumber = `INSERT INTO journal_numbers(kind, movement_id, journal, journal_lib, seq, date, export_id)
		VALUES (?, ?, ?, ?, ?, ?, ?)`

// InExported reports whether date (YYYY-MM-DD) is in a period an earlier
// export recorded.
func (x *JournalExport) InExported(date string) bool {
	for _, p := range x.Exported {
		if p[0] <= date && date <= p[1] {
			return true
		}
	}
	return false
}

// readRecorded reads what the exports before this one recorded.
func (x *JournalExport) readRecorded(ctx context.Context, q rowsQueryer) error {
	rs, err := q.QueryContext(ctx, `SELECT journal, MAX(seq), MAX(date) FROM journal_numbers GROUP BY journal`)
	if err != nil {
		return mapErr(fmt.Errorf("recorded journal numbers: %w", err))
	}
	defer rs.Close()
	x.Last = map[string]JournalLast{}
	for rs.Next() {
		var code string
		var l JournalLast
		if err := rs.Scan(&code, &l.Seq, &l.Date); err != nil {
			return mapErr(err)
		}
		x.Last[code] = l
	}
	if err := rs.Err(); err != nil {
		return mapErr(err)
	}
	ps, err := q.QueryContext(ctx, `SELECT DISTINCT e.date_from, e.date_to FROM journal_exports e
		WHERE EXISTS (SELECT 1 FROM journal_numbers n WHERE n.export_id = e.id) ORDER BY 1, 2`)
	if err != nil {
		return mapErr(fmt.Errorf("journal exports: %w", err))
	}
	defer ps.Close()
	for ps.Next() {
		var p [2]string
		if err := ps.Scan(&p[0], &p[1]); err != nil {
			return mapErr(err)
		}
		x.Exported = append(x.Exported, p)
	}
	return mapErr(ps.Err())
}
