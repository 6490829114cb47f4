package cli

// The checks of the reliability suite: the database's books against the
// gateway's own records.

import (
	"context"
	"strings"
	"testing"

	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/gateway/sandbox"
	"github.com/inpctl/inpctl/internal/store"
)

// books is what the database says about card charges.
type books struct {
	attempts map[string]store.Attempt // by REFERENCE
	paid     map[int64]int            // card payments per instalment
	open     int                      // attempts still sent or unknown
	left     int                      // instalments still due at the rig's date
}

// readBooks reads the books at the rig's date.
func (r *rig) readBooks() books {
	r.t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, r.db(), clock.Fixed(r.clock()), store.MustExist)
	if err != nil {
		r.t.Fatal(err)
	}
	defer db.Close()
	var b books
	if b.attempts, err = db.AttemptInstalments(ctx); err != nil {
		r.t.Fatal(err)
	}
	if b.paid, err = db.PaidByCard(ctx); err != nil {
		r.t.Fatal(err)
	}
	open, err := db.OpenAttempts(ctx)
	if err != nil {
		r.t.Fatal(err)
	}
	left, err := db.DueInstalments(ctx, r.clock().Format("2006-01-02"), "")
	if err != nil {
		r.t.Fatal(err)
	}
	b.open, b.left = len(open), len(left)
	return b
}

// checkExactly asserts, from the gateway's own records, that every card
// charge Paybox approved belongs to an attempt of this database that is
// recorded approved, that each instalment was approved at most once and
// has exactly one card payment per approval, and that want charges were
// approved in all. It returns the number of approved charges.
func checkExactly(t testing.TB, recs []sandbox.Transaction, b books, want int) int {
	t.Helper()
	approvedAt := map[int64]int{}
	charges := 0
	for _, rec := range recs {
		if rec.Type != sandbox.TypeCharge {
			continue // first payments on the hosted page
		}
		a, ok := b.attempts[rec.Reference]
		if !ok {
			t.Errorf("Paybox approved %s (%d cents) but the database has no attempt with that reference: a lost payment", rec.Reference, rec.Amount)
			continue
		}
		charges++
		approvedAt[a.InstalmentID]++
		if a.State != "approved" {
			t.Errorf("reference %s approved at Paybox but %s in the database: a lost payment", rec.Reference, a.State)
		}
		if a.Amount != rec.Amount {
			t.Errorf("reference %s: Paybox charged %d cents, the attempt says %d", rec.Reference, rec.Amount, a.Amount)
		}
	}
	for inst, n := range approvedAt {
		if n != 1 {
			t.Errorf("instalment %d was charged %d times at Paybox: a double charge", inst, n)
		}
		if b.paid[inst] != n {
			t.Errorf("instalment %d: approved %d times at Paybox, %d card payments recorded", inst, n, b.paid[inst])
		}
	}
	for inst, n := range b.paid {
		if approvedAt[inst] != n {
			t.Errorf("instalment %d: %d card payments recorded, %d approved at Paybox", inst, n, approvedAt[inst])
		}
	}
	for ref, a := range b.attempts {
		if a.State == "approved" && approvedAt[a.InstalmentID] == 0 {
			t.Errorf("attempt %s is approved in the database but Paybox has no such charge", ref)
		}
	}
	if b.open != 0 {
		t.Errorf("%d attempts are still sent or unknown after the runs settled", b.open)
	}
	if want >= 0 && charges != want {
		t.Errorf("Paybox approved %d charges, want %d (every due instalment once)", charges, want)
	}
	return charges
}

// dbCheck runs inpctl db check, which must find nothing.
func (r *rig) dbCheck() {
	r.t.Helper()
	res := r.run(0, nil, "db", "check")
	if res.code != 0 || !strings.Contains(res.stderr, "the books are consistent") {
		r.t.Errorf("db check: %s", res)
	}
}
