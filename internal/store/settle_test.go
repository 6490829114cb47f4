package store

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// TestWritesShareOneConnection: writers share one connection, from many
// goroutines at once.
func TestWritesShareOneConnection(t *testing.T) {
	db := newTestDB(t)
	ctx := context.Background()
	inTx(t, db, func(ctx context.Context, tx *Tx) error {
		_, err := tx.tx.ExecContext(ctx, `CREATE TEMP TABLE conn_mark(x INTEGER)`)
		return err
	})
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- db.InTx(ctx, func(tx *Tx) error {
				_, err := tx.tx.ExecContext(ctx, `INSERT INTO `+tempSchema(db)+`.conn_mark VALUES (1)`)
				return err
			})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("a write transaction ran on another connection: %v", err)
		}
	}
}

// A caller waiting for the write connection gives up when its context
// ends, and the connection is handed back after a failed transaction.
func TestWriterWaitHonoursContext(t *testing.T) {
	db := newTestDB(t)
	hold := make(chan struct{})
	inside := make(chan struct{})
	go func() {
		_ = db.InTx(context.Background(), func(tx *Tx) error {
			close(inside)
			<-hold
			return errors.New("rolled back on purpose")
		})
	}()
	<-inside
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := db.InTx(ctx, func(tx *Tx) error { return nil })
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("waiting writer: err = %v, want the context's deadline", err)
	}
	close(hold)
	if err := db.InTx(context.Background(), func(tx *Tx) error { return nil }); err != nil {
		t.Fatalf("after a failed transaction the writer is not handed back: %v", err)
	}
}

// Several audit rows in one transaction chain to each other (the last hash
// is kept in the transaction) and the chain verifies.
func TestAuditChainWithinOneTransaction(t *testing.T) {
	db := newTestDB(t)
	ctx := context.Background()
	for range 2 {
		inTx(t, db, func(ctx context.Context, tx *Tx) error {
			for _, e := range []string{"a", "b", "c"} {
				if err := tx.Audit(ctx, "test:"+e, "row "+e); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if bad, err := db.VerifyAudit(ctx); err != nil || bad != 0 {
		t.Fatalf("VerifyAudit = %d, %v", bad, err)
	}
	rows, err := db.sql.QueryContext(ctx, `SELECT prev_hash, hash FROM audit_log ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	prev, n := "", 0
	for rows.Next() {
		var p, h string
		if err := rows.Scan(&p, &h); err != nil {
			t.Fatal(err)
		}
		if n > 0 && p != prev {
			t.Fatalf("row %d links to %q, want %q", n+1, p, prev)
		}
		prev, n = h, n+1
	}
	if n < 6 {
		t.Fatalf("%d audit rows, want at least 6", n)
	}
}

// A batch of intents takes one block of references and of NUMQUESTIONs:
// consecutive, unique, NUMQUESTION wrapping from 2147483647 back to 1, and
// nothing taken when the batch fails.
func TestCreateAttemptsTakesBlocks(t *testing.T) {
	db := newTestDB(t)
	ctx := context.Background()
	inTx(t, db, func(ctx context.Context, tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE sequences SET next = ? WHERE name = ?`, maxNumQuestion-1, SeqNumQuestion)
		return err
	})
	var as []Attempt
	inTx(t, db, func(ctx context.Context, tx *Tx) (err error) {
		as, err = tx.CreateAttempts(ctx, []Attempt{{Kind: "refund", Amount: 100}, {Kind: "refund", Amount: 200}, {Kind: "refund", Amount: 300}})
		return err
	})
	wantQ := []int64{maxNumQuestion - 1, maxNumQuestion, 1}
	for k, a := range as {
		if a.ID == 0 || a.NumQuestion != wantQ[k] || a.State != "sent" {
			t.Errorf("attempt %d = %+v, want NUMQUESTION %d", k, a, wantQ[k])
		}
		if k > 0 && a.Reference <= as[k-1].Reference {
			t.Errorf("references not consecutive: %q after %q", a.Reference, as[k-1].Reference)
		}
	}
	// A failed batch gives its numbers back: the next one follows on.
	_ = db.InTx(ctx, func(tx *Tx) error {
		if _, err := tx.CreateAttempts(ctx, []Attempt{{Kind: "refund", Amount: 1}}); err != nil {
			return err
		}
		return errors.New("rolled back")
	})
	var next Attempt
	inTx(t, db, func(ctx context.Context, tx *Tx) (err error) {
		next, err = tx.CreateAttempt(ctx, Attempt{Kind: "refund", Amount: 400})
		return err
	})
	if next.NumQuestion != 2 {
		t.Errorf("after a rolled-back batch NUMQUESTION = %d, want 2 (no gap)", next.NumQuestion)
	}
}

// tempSchema is the schema of the connection's temporary tables.
func tempSchema(db *DB) string {
	if db.pg {
		return "pg_temp"
	}
	return "temp"
}

// dropTrigger is the statement that drops trigger name of table.
func dropTrigger(db *DB, name, table string) string {
	if db.pg {
		return "DROP TRIGGER " + name + " ON " + table
	}
	return "DROP TRIGGER " + name
}
