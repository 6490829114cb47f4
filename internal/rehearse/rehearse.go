// Package rehearse plays a whole academic year of billing at any scale, in
// one process, with the clock moved forward step by step: a fictitious
// intake (synth), its import, fee codes, validation, plans, first payments
// on the sandbox's hosted page, the monthly card debits with their retries,
// an exemption, a bourse with its refund, a cheque, the invoices as PDF, and
// db check. It drives the same billing.Service methods and store functions
// as the commands (never the binary), times each step, and reads the
// end-of-year figures back from the books.
//
// It is orchestration only and holds no business rule. It imports billing,
// store, gateway, gateway/paybox and gateway/sandbox (the in-process
// sandbox only), invoice, synth, money, clock and fault; never cli or
// config: the caller builds the Kit.
package rehearse

import (
	"context"
	"crypto/rsa"
	"fmt"
	"sync"
	"time"

	"github.com/inpctl/inpctl/internal/billing"
	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/gateway"
	"github.com/inpctl/inpctl/internal/gateway/paybox"
	"github.com/inpctl/inpctl/internal/gateway/sandbox"
	"github.com/inpctl/inpctl/internal/money"
	"github.com/inpctl/inpctl/internal/store"
	"github.com/inpctl/inpctl/internal/synth"
)

// Clock is a clock the rehearsal moves: the store and the sandbox read it,
// Run sets it before each step. Safe for concurrent use.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a Clock showing t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the time last set.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// Kit is what a rehearsal runs against: a billing service whose store was
// opened with Clock, and the in-process sandbox (its client, its hosted
// page, the link settings and the notification keys).
type Kit struct {
	Svc     *billing.Service
	Clock   *Clock
	Gateway gateway.Gateway
	Sandbox *sandbox.Sandbox
	Link    paybox.LinkConfig
	Keys    []*rsa.PublicKey
}

// Options says what to rehearse.
type Options struct {
	Students    int
	Seed        uint64
	Dir         string // invoices go to Dir/invoices when Render is set
	Render      bool
	NoCharges   bool // stop after the first payments: instalments stay due
	Concurrency int  // charges in flight (as charge --concurrency; 4 if 0)
	Workers     int  // PDF writers (2 if 0)
	// Wall times the steps (clock.System if nil); the books use Kit.Clock.
	Wall clock.Clock
	// Progress, if set, is called when a step starts.
	Progress func(step, date string)
}

// Step is one line of the timing table.
type Step struct {
	Name     string        `json:"step"`
	Date     string        `json:"date"`
	Items    int           `json:"items"`
	Duration time.Duration `json:"duration_ns"`
}

// Rate is the items per second of the step (0 when it took no time).
func (s Step) Rate() float64 {
	if s.Duration <= 0 {
		return 0
	}
	return float64(s.Items) / s.Duration.Seconds()
}

// Counts is what the rehearsal saw itself do, to compare with the books.
type Counts struct {
	Students     int         `json:"students"`
	FirstPaid    int         `json:"first_payments"`
	FirstRefused int         `json:"first_payments_refused"`
	Transfers    int         `json:"transfers"`
	Cheques      int         `json:"cheques"`
	Charged      int         `json:"charges"`
	Approved     int         `json:"charges_approved"`
	Declined     int         `json:"charges_declined"`
	Failed       int         `json:"charges_failed"`
	Blocked      int         `json:"orders_blocked"`
	Exempted     int         `json:"exemptions"`
	Payments     int         `json:"payments"`
	Paid         money.Cents `json:"paid_cents"`
	Refunded     money.Cents `json:"refunded_cents"`
	Collected    money.Cents `json:"collected_cents"`
}

// Report is what a rehearsal did and how long it took.
type Report struct {
	Steps    []Step            `json:"steps"`
	Counts   Counts            `json:"counts"`
	Figures  store.YearFigures `json:"figures"`
	Findings []store.Finding   `json:"findings"`
	Total    time.Duration     `json:"total_ns"`
}

// run is one rehearsal in progress.
type run struct {
	k        Kit
	opt      Options
	rep      *Report
	students []synth.Student
	cards    map[string]string // student → sandbox card of the first payment
	blocked  map[string]bool   // students whose order a decline blocked
	picks    picks
	// received and refunded are the amounts the rehearsal saw paid and
	// given back, summed into Counts by tally.
	received, refunded []money.Cents
}

// tally sums what the rehearsal saw paid and refunded into its counts.
func (r *run) tally() {
	c := &r.rep.Counts
	id := func(c money.Cents) money.Cents { return c }
	c.Paid, c.Refunded = money.Sum(r.received, id), money.Sum(r.refunded, id)
	c.Collected = billing.Kept(c.Paid, c.Refunded)
}

// Run rehearses the year and returns the timing table, the counts, the
// figures of the books and the findings of db check. The clock ends on
// 30 June.
func Run(ctx context.Context, k Kit, opt Options) (*Report, error) {
	if opt.Students < 1 {
		return nil, fmt.Errorf("rehearse: %d students", opt.Students)
	}
	if opt.Wall == nil {
		opt.Wall = clock.System{}
	}
	opt.Concurrency = max(opt.Concurrency, 1)
	if opt.Workers <= 0 {
		opt.Workers = 2
	}
	r := &run{k: k, opt: opt, rep: &Report{Findings: []store.Finding{}}, cards: map[string]string{}, blocked: map[string]bool{}}
	defer r.tally()
	start := opt.Wall.Now()
	for _, s := range r.plan() {
		if err := r.step(ctx, s); err != nil {
			return r.rep, err
		}
	}
	r.rep.Total = opt.Wall.Now().Sub(start)
	return r.rep, nil
}

// stepFn does one step on its date and returns how many items it handled.
type stepFn func(ctx context.Context, day clock.Date) (int, error)

// planned is a step of the year: what, when, and whether it gets its own
// line in the table (charge runs are summed per month instead).
type planned struct {
	name string
	day  clock.Date
	fn   stepFn
}

// step sets the clock to 09:00 on the step's day, runs it and times it.
func (r *run) step(ctx context.Context, s planned) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r.k.Clock.Set(r.at(s.day))
	if r.opt.Progress != nil {
		r.opt.Progress(s.name, s.day.String())
	}
	t0 := r.opt.Wall.Now()
	n, err := s.fn(ctx, s.day)
	if err != nil {
		return fmt.Errorf("%s (%s): %w", s.name, s.day, err)
	}
	r.add(Step{Name: s.name, Date: s.day.String(), Items: n, Duration: r.opt.Wall.Now().Sub(t0)})
	return nil
}

// add appends a line to the table; charge runs of one month share a line.
func (r *run) add(s Step) {
	if s.Name == stepCharge {
		s.Date = s.Date[:7]
		for i := range r.rep.Steps {
			if prev := &r.rep.Steps[i]; prev.Name == stepCharge && prev.Date == s.Date {
				prev.Items += s.Items
				prev.Duration += s.Duration
				return
			}
		}
	}
	r.rep.Steps = append(r.rep.Steps, s)
}

// at is 09:00 on day in the school's time zone.
func (r *run) at(day clock.Date) time.Time {
	loc := r.k.Svc.Location
	if loc == nil {
		loc = time.UTC
	}
	return time.Date(day.Year, day.Month, day.Day, 9, 0, 0, 0, loc)
}
