package billing

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/gateway"
	"github.com/inpctl/inpctl/internal/money"
	"github.com/inpctl/inpctl/internal/schedule"
	"github.com/inpctl/inpctl/internal/store"
)

// countingGateway approves every charge, remembers it for lookups, and
// counts the calls that reached it.
type countingGateway struct {
	mu       sync.Mutex
	charges  []gateway.ChargeRequest
	approved map[string]gateway.Result // by REFERENCE
	lookups  int
}

func newCountingGateway() *countingGateway {
	return &countingGateway{approved: map[string]gateway.Result{}}
}

func (g *countingGateway) Charge(_ context.Context, r gateway.ChargeRequest) (gateway.Result, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.charges = append(g.charges, r)
	n := len(g.charges)
	res := gateway.Result{Outcome: gateway.Approved, Code: "00000", Text: "ok",
		NumTrans: fmt.Sprintf("%010d", n), NumAppel: fmt.Sprintf("%010d", 1_000_000_000+n)}
	g.approved[r.Reference] = res
	return res, nil
}

func (g *countingGateway) Lookup(_ context.Context, r gateway.LookupRequest) (gateway.Result, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.lookups++
	if res, ok := g.approved[r.Reference]; ok {
		return res, nil
	}
	return gateway.Result{Outcome: gateway.Declined, Hard: true, Code: gateway.CodeNotFound}, nil
}

func (g *countingGateway) Refund(context.Context, gateway.RefundRequest) (gateway.Result, error) {
	return gateway.Result{}, errors.New("refund: not used by these tests")
}

func (g *countingGateway) Register(context.Context, gateway.RegisterRequest) (gateway.Result, error) {
	return gateway.Result{}, errors.New("register: not used by these tests")
}

func (g *countingGateway) Delete(context.Context, string, int64, time.Time) (gateway.Result, error) {
	return gateway.Result{}, errors.New("delete: not used by these tests")
}

func (g *countingGateway) calls() []gateway.ChargeRequest {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]gateway.ChargeRequest(nil), g.charges...)
}

// chargeYard is n students on 5x plans whose first instalment was paid on
// 05/09/2025 with a stored card; on 10/10/2025 n instalments are due.
func chargeYard(t *testing.T, n int) *posYard {
	t.Helper()
	y := newPosYard(t)
	var rows []store.Student
	for i := range n {
		rows = append(rows, store.Student{ID: fmt.Sprintf("S%02d", i), LastName: "Nom", FirstName: "Prénom", Programme: "ING-GC-3A", ExtraEU: true})
	}
	y.students(rows...)
	y.at("2025-09-05")
	for _, s := range rows {
		r := y.setCode(s.ID, "05", "", "")
		amounts, err := schedule.Split(r.Order.TTC, schedule.Plan5x, y.svc.Rules)
		y.must(err)
		var pl store.Plan
		y.tx(func(tx *store.Tx) error {
			if pl, err = tx.CreatePlan(y.ctx, r.Order.ID, schedule.Plan5x, schedule.PlanRequested, nil); err != nil {
				return err
			}
			pl, err = tx.ApprovePlan(y.ctx, pl.ID, amounts)
			return err
		})
		y.pay(s.ID, y.invoice(s.ID), amounts[0])
		y.tx(func(tx *store.Tx) error {
			if _, err := tx.SaveCard(y.ctx, store.Card{StudentID: s.ID, RefAbonne: "AB-" + s.ID, Token: "tok-" + s.ID, Expiry: "2712"}); err != nil {
				return err
			}
			return y.svc.followForTest(y.ctx, tx, pl.OrderID, tx.Today(y.loc))
		})
	}
	y.at("2025-10-10")
	return y
}

func (y *posYard) charge(gw gateway.Gateway, batch int) ([]ChargeItem, ChargeSummary, error) {
	return y.svc.Charge(y.ctx, gw, ChargeOptions{Today: posDay("2025-10-10"), Now: y.clk.Now, Concurrency: 2, BatchSize: batch})
}

// errDiskFull is what a failed COMMIT looks like to billing (store maps
// SQLITE_FULL to it).
var errDiskFull = fault.New(fault.Failure, "disk is full")

// TestChargeSendsNothingWhenIntentsCannotBeWritten: when the attempt rows
// cannot be committed (full disk, read-only database), no charge reaches
// the gateway and nothing is written.
func TestChargeSendsNothingWhenIntentsCannotBeWritten(t *testing.T) {
	for _, fail := range []error{errDiskFull, fault.New(fault.Failure, "database is read-only")} {
		t.Run(fail.Error(), func(t *testing.T) {
			y := chargeYard(t, 5)
			before := y.due()
			gw := newCountingGateway()
			var commits atomic.Int64
			y.failCommits(func() error { commits.Add(1); return fail })
			items, sum, err := y.charge(gw, 2)
			y.failCommits(nil)
			if err == nil || !errors.Is(err, fail) {
				t.Errorf("Charge with a failing commit: err = %v, want %v", err, fail)
			}
			if n := len(gw.calls()); n != 0 {
				t.Errorf("%d charges reached the gateway although no intent could be written", n)
			}
			if commits.Load() == 0 {
				t.Errorf("no write transaction was attempted: the hook did not run")
			}
			if sum.Approved != 0 || sum.Collected != 0 {
				t.Errorf("summary %+v after a run that could write nothing", sum)
			}
			for _, it := range items {
				if it.Outcome == "approved" {
					t.Errorf("item reported approved: %+v", it)
				}
			}
			attempts, err := y.db.AttemptInstalments(y.ctx)
			y.must(err)
			if len(attempts) != 0 {
				t.Errorf("%d attempt rows written by a run whose commits failed", len(attempts))
			}
			if after := y.due(); after != before {
				t.Errorf("%d instalments due before, %d after: the failed run changed the books", before, after)
			}
			y.clean()
			// Once the disk has room again, the next run charges each
			// instalment once.
			if _, _, err := y.charge(gw, 2); err != nil {
				t.Fatal(err)
			}
			y.exactlyOnce(gw, before)
		})
	}
}

// TestChargeDiskFillsMidRun lets the first k commits of a run through and
// fails every later one (the disk fills while the run goes on), for every
// k. Whatever reached the gateway must have a durable attempt row first;
// once the disk has room, the next run resolves the attempts left in
// doubt by lookup and charges the rest: each instalment exactly once.
func TestChargeDiskFillsMidRun(t *testing.T) {
	const n, batch = 7, 2
	for k := range 9 {
		t.Run(fmt.Sprintf("commits=%d", k), func(t *testing.T) {
			y := chargeYard(t, n)
			gw := newCountingGateway()
			var commits atomic.Int64
			y.failCommits(func() error {
				if commits.Add(1) > int64(k) {
					return errDiskFull
				}
				return nil
			})
			_, _, err := y.charge(gw, batch)
			y.failCommits(nil)
			attempts, aerr := y.db.AttemptInstalments(y.ctx)
			y.must(aerr)
			for _, c := range gw.calls() {
				if _, ok := attempts[c.Reference]; !ok {
					t.Errorf("charge %s reached the gateway without a committed attempt row", c.Reference)
				}
			}
			if err == nil && int(commits.Load()) > k {
				t.Errorf("commit %d failed but Charge reported no error", k+1)
			}
			if _, _, err := y.charge(gw, batch); err != nil {
				t.Fatal(err)
			}
			y.exactlyOnce(gw, n)
		})
	}
}

func (y *posYard) due() int {
	y.t.Helper()
	due, err := y.db.DueInstalments(y.ctx, "2025-10-10", "")
	y.must(err)
	return len(due)
}

// clean asserts db check finds nothing.
func (y *posYard) clean() {
	y.t.Helper()
	findings, err := y.db.Check(y.ctx, y.clk.Now())
	y.must(err)
	for _, f := range findings {
		y.t.Errorf("db check: %s", f)
	}
}

// exactlyOnce asserts that want instalments were charged once each at the
// gateway, each recorded as one approved attempt and one card payment,
// that nothing is left in doubt or due, and that db check is clean.
func (y *posYard) exactlyOnce(gw *countingGateway, want int) {
	y.t.Helper()
	attempts, err := y.db.AttemptInstalments(y.ctx)
	y.must(err)
	paid, err := y.db.PaidByCard(y.ctx)
	y.must(err)
	perInstalment := map[int64]int{}
	var total money.Cents
	for _, c := range gw.calls() {
		a, ok := attempts[c.Reference]
		if !ok {
			y.t.Errorf("charge %s at the gateway has no attempt row", c.Reference)
			continue
		}
		perInstalment[a.InstalmentID]++
		total += c.Amount
		if a.State != "approved" {
			y.t.Errorf("charge %s approved at the gateway is %s in the database", c.Reference, a.State)
		}
	}
	if len(perInstalment) != want {
		y.t.Errorf("%d instalments charged, want %d", len(perInstalment), want)
	}
	for inst, n := range perInstalment {
		if n != 1 || paid[inst] != 1 {
			y.t.Errorf("instalment %d: charged %d times at the gateway, %d payments recorded", inst, n, paid[inst])
		}
	}
	open, err := y.db.OpenAttempts(y.ctx)
	y.must(err)
	if len(open) != 0 {
		y.t.Errorf("%d attempts left in doubt", len(open))
	}
	if d := y.due(); d != 0 {
		y.t.Errorf("%d instalments still due", d)
	}
	y.clean()
}
