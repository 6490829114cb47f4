package store

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/store/storetest"
)

// TestPostgresNumbersGaplessUnderConcurrentWriters (issue 22): four
// "machines" (four DB handles, each its own connections) take invoice
// numbers at once, one in five transactions failing after taking its
// number. The numbers committed are one series with no gap and no
// duplicate: the counter row is locked by the issuing transaction, a
// failed one gives its number back, and a transaction PostgreSQL refuses
// to serialize runs again.
func TestPostgresNumbersGaplessUnderConcurrentWriters(t *testing.T) {
	if !storetest.Postgres() {
		t.Skip("PostgreSQL only (INPCTL_TEST_PG)")
	}
	ctx := context.Background()
	first := newTestDB(t)
	name := first.url
	const machines, each = 4, 25
	var mu sync.Mutex
	var got []int64
	var wg sync.WaitGroup
	errs := make(chan error, machines)
	for m := range machines {
		db, err := Open(ctx, name, testNow, MustExist)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range each {
				var n int64
				fail := (m+k)%5 == 0
				err := db.inTx(ctx, func(tx *Tx) error {
					var err error
					if _, n, err = tx.next(ctx, SeqInvoice); err != nil {
						return err
					}
					if fail {
						return fault.New(fault.Conflict, "the invoice could not be issued")
					}
					return nil
				})
				switch {
				case fail && fault.Is(err, fault.Conflict):
				case err != nil:
					errs <- err
					return
				default:
					mu.Lock()
					got = append(got, n)
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	slices.Sort(got)
	if len(got) != machines*each*4/5 {
		t.Fatalf("%d numbers committed, want %d", len(got), machines*each*4/5)
	}
	for i, n := range got {
		if n != 9200+int64(i) {
			t.Fatalf("number %d is %d: the series has a gap or a duplicate (%v)", i, n, got)
		}
	}
}
