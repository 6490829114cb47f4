//go:build bench

// This file holds what only the benchmarks use (cmd/benchfloor and the
// raw-limit benchmarks, built with -tags bench by scripts/bench.sh): the
// raw open, the raw insert, the raw journal read and the replication of
// a year. None of it is part of inpctl's binary.

package store

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/inpctl/inpctl/internal/clock"
)

// UserVersion opens nothing new: it runs PRAGMA user_version on the open
// database. It is the whole work of the process-start floor the benchmarks
// compare a CLI invocation with (cmd/benchfloor).
func (db *DB) UserVersion(ctx context.Context) (int, error) {
	var v int
	err := db.sql.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&v)
	return v, mapErr(err)
}

// OpenRaw opens path with the DSN of Open (the same pragmas) and nothing
// else: no migration, no check. It exists for benchmarks that measure the
// raw limit of the driver, and for the process-start floor.
func OpenRaw(path string) (*DB, error) {
	sqldb, err := sql.Open("sqlite", DSN(path))
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	return newDB(sqldb, path, clock.System{}, false), nil
}

// RawStudent is one row of the raw-insert benchmark.
type RawStudent struct {
	ID, LastName, FirstName, Email, Programme string
	Apprentice, ExtraEU, Exchange             bool
	Address, Postcode, City, Country          string
}

// RawInsertStudents inserts rows (students and their dossiers for year)
// with two prepared statements in one transaction: the raw limit that
// ImportStudents is compared with. The database must be migrated and the
// programmes loaded.
func (db *DB) RawInsertStudents(ctx context.Context, year, now string, rows []RawStudent) error {
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	ins, err := tx.PrepareContext(ctx, `INSERT INTO students(id, last_name, first_name, email, programme, apprentice, extra_eu, exchange, address, postcode, city, country, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	dos, err := tx.PrepareContext(ctx, `INSERT INTO dossiers(student_id, year, programme, status, updated_at) VALUES (?, ?, ?, 'pending', ?)`)
	if err != nil {
		return err
	}
	for _, r := range rows {
		if _, err := ins.ExecContext(ctx, r.ID, r.LastName, r.FirstName, r.Email, r.Programme, r.Apprentice, r.ExtraEU, r.Exchange,
			r.Address, r.Postcode, r.City, r.Country, now, now); err != nil {
			return err
		}
		if _, err := dos.ExecContext(ctx, r.ID, year, r.Programme, now); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// replicaCols says how a copied row's columns change, per table, in the
// order the tables are copied: "id" (+ the table's offset), a table name
// (a reference: + that table's offset), "sid" (a student number: suffix),
// "uniq" (a unique document number or key: suffix), "seq" (+ the table's
// largest seq), "late:" and a table (a reference set to NULL, then to its
// copy once every table is copied: attempts and payments name each other,
// and an order the order that replaced it). Columns not named are copied
// as they are.
var replicaCols = []struct {
	table string
	cols  map[string]string
}{
	{"students", map[string]string{"id": "sid"}},
	{"dossiers", map[string]string{"id": "id", "student_id": "sid"}},
	{"orders", map[string]string{"id": "id", "number": "uniq", "dossier_id": "dossiers", "superseded_by": "late:orders"}},
	{"order_lines", map[string]string{"order_id": "orders"}},
	{"invoices", map[string]string{"id": "id", "number": "uniq", "seq": "seq", "order_id": "orders", "student_id": "sid"}},
	{"invoice_lines", map[string]string{"invoice_id": "invoices"}},
	{"credit_notes", map[string]string{"id": "id", "number": "uniq", "seq": "seq", "invoice_id": "invoices"}},
	{"plans", map[string]string{"id": "id", "order_id": "orders"}},
	{"instalments", map[string]string{"id": "id", "plan_id": "plans"}},
	{"cards", map[string]string{"id": "id", "student_id": "sid", "refabonne": "uniq"}},
	{"pay_requests", map[string]string{"id": "id", "cmd": "uniq", "student_id": "sid", "order_id": "orders", "instalment_id": "instalments"}},
	{"attempts", map[string]string{"id": "id", "reference": "uniq", "instalment_id": "instalments", "refund_id": "refunds", "card_id": "cards", "payment_id": "late:payments"}},
	{"payments", map[string]string{"id": "id", "number": "uniq", "student_id": "sid", "attempt_id": "attempts", "pay_request_id": "pay_requests"}},
	{"allocations", map[string]string{"id": "id", "payment_id": "payments", "invoice_id": "invoices"}},
	{"unpaids", map[string]string{"id": "id", "payment_id": "payments"}},
	{"refunds", map[string]string{"id": "id", "student_id": "sid", "payment_id": "payments"}},
}

// ReplicateForBench makes the database copies times as large: every
// student, with all their documents, plans, cards, charges and payments, is
// copied copies-1 times under new numbers (student 22100000 becomes
// 22100000-1, -2 …). It is for benchmarks of reads on a large database (a
// year of 100 000 students from a rehearsal of 20 000). The audit log and
// the document series are not copied: db check reports the copies.
func (db *DB) ReplicateForBench(ctx context.Context, copies int) error {
	return db.inTx(ctx, func(tx *Tx) error {
		top, seqs := map[string]int64{}, map[string]int64{}
		for _, t := range replicaCols {
			var n, q int64
			if err := tx.tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(rowid), 0) FROM `+t.table).Scan(&n); err != nil {
				return fmt.Errorf("replicate %s: %w", t.table, err)
			}
			if t.cols["seq"] == "seq" {
				if err := tx.tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM `+t.table).Scan(&q); err != nil {
					return fmt.Errorf("replicate %s: %w", t.table, err)
				}
			}
			top[t.table], seqs[t.table] = n, q
		}
		for k := int64(1); k < int64(copies); k++ {
			for _, t := range replicaCols {
				if err := tx.replicate(ctx, t.table, t.cols, k, top, seqs[t.table]); err != nil {
					return fmt.Errorf("replicate %s: %w", t.table, err)
				}
			}
			for _, t := range replicaCols {
				if err := tx.relink(ctx, t.table, t.cols, k, top); err != nil {
					return fmt.Errorf("replicate %s: %w", t.table, err)
				}
			}
		}
		return nil
	})
}

// replicate inserts copy k of the original rows of table.
func (tx *Tx) replicate(ctx context.Context, table string, rules map[string]string, k int64, top map[string]int64, seq int64) error {
	cols, err := tableColumns(ctx, tx.tx, table)
	if err != nil {
		return err
	}
	exprs := make([]string, len(cols))
	for i, c := range cols {
		switch rule := rules[c]; rule {
		case "":
			exprs[i] = c
		case "late:orders", "late:payments":
			exprs[i] = "NULL"
		case "sid", "uniq":
			exprs[i] = fmt.Sprintf("%s || '-%d'", c, k)
		case "seq":
			exprs[i] = fmt.Sprintf("%s + %d", c, k*seq)
		case "id":
			exprs[i] = fmt.Sprintf("%s + %d", c, k*top[table])
		default:
			exprs[i] = fmt.Sprintf("%s + %d", c, k*top[rule])
		}
	}
	q := fmt.Sprintf("INSERT INTO %s(%s) SELECT %s FROM %s WHERE rowid <= %d",
		table, strings.Join(cols, ", "), strings.Join(exprs, ", "), table, top[table])
	_, err = tx.tx.ExecContext(ctx, q)
	return err
}

// relink sets the "late:" references of copy k, from the original rows.
func (tx *Tx) relink(ctx context.Context, table string, rules map[string]string, k int64, top map[string]int64) error {
	for col, rule := range rules {
		ref, ok := strings.CutPrefix(rule, "late:")
		if !ok {
			continue
		}
		q := fmt.Sprintf(`UPDATE %[1]s SET %[2]s = (SELECT o.%[2]s + %[3]d FROM %[1]s o WHERE o.rowid = %[1]s.rowid - %[4]d)
			WHERE rowid > %[4]d AND rowid <= %[5]d`, table, col, k*top[ref], k*top[table], (k+1)*top[table])
		if _, err := tx.tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

// BusiestStudent returns the student with the most payments (the last
// such student number): the account a read benchmark shows.
func (db *DB) BusiestStudent(ctx context.Context) (string, error) {
	var id string
	err := db.sql.QueryRowContext(ctx, `SELECT student_id FROM payments GROUP BY student_id
		ORDER BY COUNT(*) DESC, student_id DESC LIMIT 1`).Scan(&id)
	return id, mapErr(err)
}

// RawJournal is the raw limit of inpctl journal (scripts/bench.d/10-journal.sh):
// the one SELECT the journal streams (journalSelect, the same rows and
// columns) for the movements dated from from to to, each row's columns
// scanned into the types the journal scans them into and written
// |-separated, one line per row, to a bufio.Writer on w. No booking, no
// numbering, no FEC layout. It returns the rows written.
func (db *DB) RawJournal(ctx context.Context, from, to string, w io.Writer) (int, error) {
	rs, err := db.sql.QueryContext(ctx, journalSelect, from, to)
	if err != nil {
		return 0, mapErr(err)
	}
	defer rs.Close()
	bw := bufio.NewWriterSize(w, 64<<10)
	var (
		s     [13]string // d kind num sid last first psiret pname code method ref journal lib
		id    int64
		n     [5]int64 // ht tva ttc amount seq
		line  []byte
		count int
	)
	for rs.Next() {
		if err := rs.Scan(&s[0], &s[1], &s[2], &id, &s[3], &s[4], &s[5], &s[6], &s[7],
			&s[8], &n[0], &n[1], &n[2], &n[3], &s[9], &s[10], &s[11], &s[12], &n[4]); err != nil {
			return count, mapErr(err)
		}
		line = strconv.AppendInt(line[:0], id, 10)
		for _, v := range s {
			line = append(append(line, '|'), v...)
		}
		for _, v := range n {
			line = strconv.AppendInt(append(line, '|'), v, 10)
		}
		if _, err := bw.Write(append(line, '\n')); err != nil {
			return count, err
		}
		count++
	}
	if err := rs.Err(); err != nil {
		return count, mapErr(err)
	}
	return count, bw.Flush()
}
