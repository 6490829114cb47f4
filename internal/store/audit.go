package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
)

// AuditRow is one row of the append-only, hash-chained audit log.
type AuditRow struct {
	ID       int64    `json:"id"`
	At       string   `json:"at"`
	Operator string   `json:"operator"`
	Command  string   `json:"command"`
	Args     []string `json:"args"`
	Entity   string   `json:"entity"`
	Summary  string   `json:"summary"`
	PrevHash string   `json:"prev_hash"`
	Hash     string   `json:"hash"`
}

// auditHash is SHA-256 over the previous row's hash and this row's content.
func auditHash(prev, at, operator, command, args, entity, summary string) string {
	h := sha256.New()
	for _, s := range []string{prev, at, operator, command, args, entity, summary} {
		fmt.Fprintf(h, "%d:%s\n", len(s), s)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// audit appends a row for entity with summary, as the DB's Actor.
func (tx *Tx) audit(ctx context.Context, entity, summary string) error {
	a := tx.db.actor
	if a.Command == "" {
		a.Command = "inpctl"
	}
	if a.Operator == "" {
		a.Operator = "unknown"
	}
	args, _ := json.Marshal(append([]string{}, a.Args...))
	// The chain's last hash is read once per transaction: rows appended
	// here are the only ones (a write transaction holds SQLite's write
	// lock), so the last one written is the next row's link.
	prev := tx.auditPrev
	if !tx.auditRead {
		err := tx.queryRow(ctx, `SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1`).Scan(&prev)
		if err != nil && !strings.Contains(err.Error(), "no rows") {
			return fmt.Errorf("read audit chain: %w", err)
		}
	}
	at := ts(tx.Now)
	h := auditHash(prev, at, a.Operator, a.Command, string(args), entity, summary)
	_, err := tx.exec(ctx, `INSERT INTO audit_log(at, operator, command, args, entity, summary, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, at, a.Operator, a.Command, string(args), entity, summary, prev, h)
	if err != nil {
		return fmt.Errorf("append audit row: %w", err)
	}
	tx.auditPrev, tx.auditRead = h, true
	return nil
}

// VerifyAudit walks the chain and returns the id of the first row whose
// hash or link does not match, or 0 when the chain is intact.
func (db *DB) VerifyAudit(ctx context.Context) (badID int64, err error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT id, at, operator, command, args, entity, summary, prev_hash, hash FROM audit_log ORDER BY id`)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	prev := ""
	for rows.Next() {
		var r AuditRow
		var args string
		if err := rows.Scan(&r.ID, &r.At, &r.Operator, &r.Command, &args, &r.Entity, &r.Summary, &r.PrevHash, &r.Hash); err != nil {
			return 0, err
		}
		if r.PrevHash != prev || auditHash(prev, r.At, r.Operator, r.Command, args, r.Entity, r.Summary) != r.Hash {
			return r.ID, nil
		}
		prev = r.Hash
	}
	return 0, rows.Err()
}

// AuditLog returns the last n audit rows, newest last.
func (db *DB) AuditLog(ctx context.Context, n int) ([]AuditRow, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT id, at, operator, command, args, entity, summary, prev_hash, hash
		FROM (SELECT * FROM audit_log ORDER BY id DESC LIMIT ?) last ORDER BY id`, n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []AuditRow{}
	for rows.Next() {
		var r AuditRow
		var args string
		if err := rows.Scan(&r.ID, &r.At, &r.Operator, &r.Command, &args, &r.Entity, &r.Summary, &r.PrevHash, &r.Hash); err != nil {
			return nil, err
		}
		_ = json.Unmarshal([]byte(args), &r.Args)
		out = append(out, r)
	}
	return out, rows.Err()
}
