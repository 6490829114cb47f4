package store

import (
	"context"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/fees"
	"github.com/inpctl/inpctl/internal/store/storetest"
)

// sqliteTestDB is newTestDB on SQLite whatever INPCTL_TEST_PG says: the
// source of a copy, the reference of the schema comparison.
func sqliteTestDB(t *testing.T) *DB {
	t.Helper()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "t.db"), testNow, Create)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetActor(Actor{Operator: "tester", Command: "inpctl test"})
	if _, err := db.LoadCatalogue(context.Background(), fees.ExampleCatalogue(), testNumbering); err != nil {
		t.Fatal(err)
	}
	return db
}

// TestPostgresSchemaMatchesSQLite: the two dialects' migrations make the
// same tables with the same columns in the same order, and the same
// triggers and indexes, so that a migration written for one dialect and
// not the other fails here (and db copy can copy every column).
func TestPostgresSchemaMatchesSQLite(t *testing.T) {
	if !storetest.Postgres() {
		t.Skip("PostgreSQL only (INPCTL_TEST_PG)")
	}
	ctx := context.Background()
	lite, pg := sqliteTestDB(t), newTestDB(t)
	tables, err := copyTables(ctx, lite.sql)
	if err != nil {
		t.Fatal(err)
	}
	var pgTables []string
	rows, err := pg.sql.Query(tablesQuery)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n string
		rows.Scan(&n)
		pgTables = append(pgTables, n)
	}
	rows.Close()
	var names []string
	for _, tb := range tables {
		names = append(names, tb.name)
		cols, err := tableColumns(ctx, pg.sql, tb.name)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(cols, tb.cols) {
			t.Errorf("table %s: SQLite columns %v, PostgreSQL %v", tb.name, tb.cols, cols)
		}
	}
	if !slices.Equal(names, pgTables) {
		t.Errorf("tables: SQLite %v, PostgreSQL %v", names, pgTables)
	}
	lo, err := schemaObjects(ctx, lite.sql)
	if err != nil {
		t.Fatal(err)
	}
	po, err := pg.currentSchemaObjects(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, typ := range []string{"trigger", "index"} {
		var a, b []string
		for _, o := range lo {
			if o.typ == typ && o.sql != "" { // SQLite's automatic indexes have no SQL
				a = append(a, o.name)
			}
		}
		for _, o := range po {
			if o.typ == typ && !(typ == "index" && isConstraintIndex(o.name)) {
				b = append(b, o.name)
			}
		}
		slices.Sort(a)
		slices.Sort(b)
		if !slices.Equal(a, b) {
			t.Errorf("%ss: SQLite %v, PostgreSQL %v", typ, a, b)
		}
	}
}

// isConstraintIndex: the index PostgreSQL makes for a PRIMARY KEY or a
// UNIQUE constraint (SQLite's have no SQL and are not compared).
func isConstraintIndex(name string) bool {
	return len(name) > 5 && (name[len(name)-5:] == "_pkey" || name[len(name)-4:] == "_key")
}

// TestPostgresCopy (issue 22, db copy): a SQLite ledger copied to a new
// PostgreSQL database keeps every row, the chains and the sequences: db
// check on the target is clean, its figures are the source's, the next
// number continues the series, and the guards are on again. A target that
// holds books is refused and left as it was.
func TestPostgresCopy(t *testing.T) {
	if !storetest.Postgres() {
		t.Skip("PostgreSQL only (INPCTL_TEST_PG)")
	}
	ctx := context.Background()
	src := sqliteTestDB(t)
	seedAccountLedger(t, src)
	var a, b int64
	err := src.inTx(ctx, func(tx *Tx) error {
		var err error
		_, a, err = tx.next(ctx, SeqInvoice)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// The hand-written ledger breaks two rules on purpose (E001, E002):
	// the copy must find exactly what the source finds, and nothing of
	// its own (a chain, the schema).
	srcFindings, err := src.Check(ctx, time.Now())
	if err != nil || !hasErrors(srcFindings) {
		t.Fatalf("source: %v %v", srcFindings, err)
	}
	url := storetest.DB(t)
	res, err := src.CopyTo(ctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]int64{}
	for _, c := range res.Tables {
		rows[c.Name] = c.Rows
	}
	if rows["invoices"] != 1 || rows["audit_log"] == 0 || rows["chain_links"] == 0 || rows["tariffs"] == 0 {
		t.Fatalf("copied: %+v", res.Tables)
	}
	tgt, err := Open(ctx, url, testNow, MustExist)
	if err != nil {
		t.Fatal(err)
	}
	defer tgt.Close()
	tgt.SetActor(Actor{Operator: "tester", Command: "inpctl test"})
	fs, err := tgt.Check(ctx, time.Now())
	if err != nil || !reflect.DeepEqual(fs, srcFindings) {
		t.Fatalf("db check of the copy: %v %v; the source's: %v", fs, err, srcFindings)
	}
	asOf, _ := clock.ParseDate("2026-06-30")
	loc := accountLoc(t)
	x, err := src.AccountTotals(ctx, AccountFilter{}, asOf, loc)
	if err != nil {
		t.Fatal(err)
	}
	y, err := tgt.AccountTotals(ctx, AccountFilter{}, asOf, loc)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(x, y) {
		t.Fatalf("account totals: source %+v, copy %+v", x, y)
	}
	err = tgt.inTx(ctx, func(tx *Tx) error {
		var err error
		_, b, err = tx.next(ctx, SeqInvoice)
		return err
	})
	if err != nil || b != a+1 {
		t.Fatalf("next invoice number on the copy: %d (%v), want %d", b, err, a+1)
	}
	if _, err := tgt.sql.Exec(`UPDATE invoices SET ttc = 1`); err == nil {
		t.Fatal("the copy's guards are off")
	}
	if _, err := src.CopyTo(ctx, url, nil); !fault.Is(err, fault.Conflict) {
		t.Fatalf("a second copy into the same database: want a refusal, got %v", err)
	}
}

func hasErrors(fs []Finding) bool {
	for _, f := range fs {
		if !f.Warning {
			return true
		}
	}
	return false
}
