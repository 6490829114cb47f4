package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/fees"
	"github.com/inpctl/inpctl/internal/store/storetest"
)

var testNow = clock.Fixed(time.Date(2025, 9, 1, 7, 0, 0, 0, time.UTC))

// newTestDB opens a fresh database in a temp dir with the example catalogue.
func newTestDB(t *testing.T) *DB {
	t.Helper()
	db, err := Open(context.Background(), storetest.DB(t), testNow, Create)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetActor(Actor{Operator: "tester", Command: "inpctl test", Args: []string{"a"}})
	if _, err := db.LoadCatalogue(context.Background(), fees.ExampleCatalogue(), testNumbering); err != nil {
		t.Fatal(err)
	}
	return db
}

var testNumbering = Numbering{OrderPrefix: "CMD", OrderStart: 1, InvoiceStart: 9200, CreditNotePrefix: "AV", CreditNoteStart: 1, PaymentPrefix: "REG", PaymentStart: 1}

func TestMigrations(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "m.db")
	if _, err := Open(ctx, path, testNow, MustExist); !fault.Is(err, fault.NoDB) {
		t.Fatalf("missing database: want NoDB, got %v", err)
	}
	db, err := Open(ctx, path, testNow, Create)
	if err != nil {
		t.Fatal(err)
	}
	if len(db.Migrated()) == 0 {
		t.Fatal("fresh database: want migrations applied")
	}
	db.Close()
	db, err = Open(ctx, path, testNow, MustExist)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(db.Migrated()); n != 0 {
		t.Fatalf("second open applied %d migrations, want 0", n)
	}
	if _, err := db.sql.Exec(`INSERT INTO schema_migrations(name, applied_at) VALUES ('9999_future.sql', 'x')`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err = Open(ctx, path, testNow, MustExist)
	if !fault.Is(err, fault.NoDB) || !strings.Contains(err.Error(), "newer inpctl") {
		t.Fatalf("newer database: want NoDB refusal, got %v", err)
	}
}

func TestPragmasOnEveryConnection(t *testing.T) {
	db := newTestDB(t)
	if db.pg {
		t.Skip("SQLite's pragmas")
	}
	ctx := context.Background()
	conns := make([]*sqlConn, 3)
	for i := range conns {
		c, err := db.sql.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns[i] = c
	}
	for _, c := range conns {
		var fk, sync int
		var mode string
		c.QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&fk)
		c.QueryRowContext(ctx, `PRAGMA synchronous`).Scan(&sync)
		c.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode)
		if fk != 1 || sync != 2 || mode != "wal" {
			t.Errorf("connection pragmas: foreign_keys=%d synchronous=%d journal_mode=%s", fk, sync, mode)
		}
		c.Close()
	}
}

func TestAuditAppendOnlyAndChained(t *testing.T) {
	db := newTestDB(t)
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		if err := db.inTx(ctx, func(tx *Tx) error { return tx.audit(ctx, "x", "row") }); err != nil {
			t.Fatal(err)
		}
	}
	if bad, err := db.VerifyAudit(ctx); err != nil || bad != 0 {
		t.Fatalf("fresh chain: bad=%d err=%v", bad, err)
	}
	for _, q := range []string{`UPDATE audit_log SET summary='forged' WHERE id=2`, `DELETE FROM audit_log WHERE id=2`} {
		if _, err := db.sql.Exec(q); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: want refusal, got %v", q, err)
		}
	}
	// Tamper with the triggers out of the way: VerifyAudit must find the row.
	db.sql.Exec(dropTrigger(db, "audit_no_update", "audit_log"))
	if _, err := db.sql.Exec(`UPDATE audit_log SET summary='forged' WHERE id=3`); err != nil {
		t.Fatal(err)
	}
	if bad, _ := db.VerifyAudit(ctx); bad != 3 {
		t.Fatalf("tampered row 3: VerifyAudit says %d", bad)
	}
}

func TestSequenceNoGapOnRollback(t *testing.T) {
	db := newTestDB(t)
	ctx := context.Background()
	take := func(fail bool) int64 {
		var n int64
		err := db.inTx(ctx, func(tx *Tx) error {
			var err error
			_, n, err = tx.next(ctx, SeqInvoice)
			if fail {
				return fault.New(fault.Conflict, "boom")
			}
			return err
		})
		if fail != (err != nil) {
			t.Fatalf("fail=%v err=%v", fail, err)
		}
		return n
	}
	a := take(false)
	take(true)
	b := take(false)
	if a != 9200 || b != 9201 {
		t.Fatalf("series %d, %d: want 9200, 9201 with no gap", a, b)
	}
}

func TestImmutableTablesRefuseRawSQL(t *testing.T) {
	db := newTestDB(t)
	for _, tbl := range []string{"invoices", "invoice_lines", "credit_notes", "payments", "allocations", "unpaids", "refunds"} {
		for _, q := range []string{"UPDATE " + tbl + " SET id = id", "DELETE FROM " + tbl} {
			// The triggers fire per row; make sure they exist even with no row
			// (the guards: the _chain trigger of 0010 and invoices_parts of
			// 0012 fire on INSERT).
			var n int
			count := `SELECT COUNT(*) FROM sqlite_master WHERE type='trigger' AND tbl_name=?
				AND (sql LIKE '%BEFORE UPDATE%' OR sql LIKE '%BEFORE DELETE%')`
			if db.pg {
				count = `SELECT COUNT(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
					WHERE NOT t.tgisinternal AND c.relname = ?
					AND (pg_get_triggerdef(t.oid) LIKE '%BEFORE UPDATE%' OR pg_get_triggerdef(t.oid) LIKE '%BEFORE DELETE%')`
			}
			db.sql.QueryRow(count, tbl).Scan(&n)
			if n != 2 {
				t.Fatalf("%s: %d triggers, want 2 (%s)", tbl, n, q)
			}
		}
	}
}
