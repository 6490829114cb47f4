package store

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/money"
	"github.com/inpctl/inpctl/internal/schedule"
)

// SettleInstalment returns the plan as it stands after the payment, worked
// out in memory: it must be exactly what reading the plan again gives, for
// the activation, a middle instalment and the last one (completion).
func TestSettleInstalmentReturnsThePlanAsStored(t *testing.T) {
	for _, tc := range []struct {
		name    string
		plan    schedule.Plan
		amounts []money.Cents
	}{
		{"1x", schedule.Plan1x, []money.Cents{394100}},
		{"3x", schedule.Plan3x, []money.Cents{131400, 131350, 131350}},
		{"5x", schedule.Plan5x, split5x},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := newTestDB(t)
			orderID := orderFor(t, db, "22100001", "ING-INFO-3A", "05")
			var p Plan
			inTx(t, db, func(ctx context.Context, tx *Tx) (err error) {
				if tc.plan == schedule.Plan1x { // approved at once
					p, err = tx.CreatePlan(ctx, orderID, tc.plan, tc.amounts)
					return err
				}
				if p, err = tx.CreatePlan(ctx, orderID, tc.plan, nil); err != nil {
					return err
				}
				p, err = tx.ApprovePlan(ctx, p.ID, tc.amounts)
				return err
			})
			day := clock.Date{Year: 2025, Month: 9, Day: 5}
			for k, in := range p.Instalments {
				var got, want Plan
				inTx(t, db, func(ctx context.Context, tx *Tx) (err error) {
					if got, err = tx.SettleInstalment(ctx, in.ID, day.AddDays(40*k), 10); err != nil {
						return err
					}
					want, err = tx.Plan(ctx, p.ID)
					return err
				})
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("after instalment %d:\nreturned %+v\nstored   %+v", in.Seq, got, want)
				}
			}
			inTx(t, db, func(ctx context.Context, tx *Tx) (err error) { p, err = tx.Plan(ctx, p.ID); return err })
			if p.Status != "completed" || p.Unpaid() != 0 || p.NextDue != "" {
				t.Fatalf("plan after the last instalment = %+v", p)
			}
			// Paying again is refused and changes nothing.
			err := db.InTx(context.Background(), func(tx *Tx) error {
				_, err := tx.SettleInstalment(context.Background(), p.Instalments[0].ID, day, 10)
				return err
			})
			if err == nil {
				t.Fatal("settling a paid instalment of a completed plan was accepted")
			}
		})
	}
}

// Every write transaction of a process runs on one connection, so its
// page cache stays warm: a TEMP table (private to a connection) made in one
// transaction is seen by the next ones, also when they come from several
// goroutines at once.
func TestWritesShareOneConnection(t *testing.T) {
	db := newTestDB(t)
	ctx := context.Background()
	inTx(t, db, func(ctx context.Context, tx *Tx) error {
		_, err := tx.tx.ExecContext(ctx, `CREATE TEMP TABLE conn_mark(x)`)
		return err
	})
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- db.InTx(ctx, func(tx *Tx) error {
				_, err := tx.tx.ExecContext(ctx, `INSERT INTO temp.conn_mark VALUES (1)`)
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
