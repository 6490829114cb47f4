package billing

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/gateway"
	"github.com/inpctl/inpctl/internal/money"
	"github.com/inpctl/inpctl/internal/store"
)

// ChargeOptions configures a charge run.
type ChargeOptions struct {
	Today       clock.Date
	Now         func() time.Time // for DATEQ
	StudentID   string           // charge ID: one student's next instalment, now
	DryRun      bool
	Concurrency int
	BatchSize   int // intents and outcomes committed per transaction
	Progress    func(done, total int)
}

// ChargeItem is one row of a run's report.
type ChargeItem struct {
	StudentID string      `json:"student_id"`
	Name      string      `json:"name"`
	Seq       int         `json:"instalment"`
	Amount    money.Cents `json:"amount_cents"`
	Currency  string      `json:"currency"`
	Due       string      `json:"due_date"`
	Outcome   string      `json:"outcome"` // approved, declined, failed, unknown, would charge, no card, looked up …
	Code      string      `json:"code"`
	Text      string      `json:"text"`
	Payment   string      `json:"payment"`
	Reference string      `json:"reference"`
	Blocked   bool        `json:"blocked"`
}

// ChargeSummary counts a run.
type ChargeSummary struct {
	Items       int         `json:"items"`
	Approved    int         `json:"approved"`
	Declined    int         `json:"declined"`
	Failed      int         `json:"failed"`
	Unknown     int         `json:"unknown"`
	Unavailable int         `json:"unavailable"`
	Blocked     int         `json:"blocked"`
	Reconciled  int         `json:"reconciled"`
	Changed     int         `json:"changed"` // instalments a plan change took away during the run (their money is a credit)
	Collected   money.Cents `json:"collected_cents"`
	Currency    string      `json:"currency"`
	DryRun      bool        `json:"dry_run"`
}

// job is one charge on its way: the due item, its durable intent, and the
// gateway's answer.
type job struct {
	item    store.DueItem
	attempt store.Attempt
	res     gateway.Result
	notSent bool
	changed bool // the instalment was no longer due when the outcome was recorded
	err     error
	// unrecorded is why Paybox's answer could not be written (a full
	// disk…): the attempt stays "sent" and the next run looks it up, so
	// the run must not report it as done.
	unrecorded error
}

// Charge runs a charge: first it resolves attempts whose outcome is
// unknown, then it charges what is due. Intents are durable before their
// calls; outcomes are recorded in batches. ctx cancellation stops new
// charges; calls in flight finish and are recorded.
func (s *Service) Charge(ctx context.Context, gw gateway.Gateway, opt ChargeOptions) ([]ChargeItem, ChargeSummary, error) {
	sum := ChargeSummary{Currency: money.Currency, DryRun: opt.DryRun}
	items, err := s.reconcile(ctx, gw, opt, &sum)
	if err != nil {
		return items, sum, err
	}
	due, err := s.dueItems(ctx, opt)
	if err != nil {
		return items, sum, err
	}
	if opt.DryRun {
		for _, d := range due {
			items = append(items, itemOf(d, "would charge"))
		}
		sum.Items = len(items)
		return items, sum, nil
	}
	done, err := s.pipeline(ctx, gw, opt, due)
	for _, j := range done {
		it := s.itemFor(j)
		sum.count(it, j)
		items = append(items, it)
	}
	sum.Items = len(items)
	if err == nil && ctx.Err() != nil {
		err = fault.Wrap(fault.Interrupted, ctx.Err(), "interrupted: charges in flight were recorded, nothing more was sent")
	}
	return items, sum, err
}

func (s *Service) dueItems(ctx context.Context, opt ChargeOptions) ([]store.DueItem, error) {
	if opt.StudentID == "" {
		return s.DB.DueInstalments(ctx, opt.Today.String(), "")
	}
	// At the desk: the student's next instalment, even before its date.
	due, err := s.DB.DueInstalments(ctx, "9999-12-31", opt.StudentID)
	if err != nil {
		return nil, err
	}
	if len(due) == 0 {
		return nil, s.refuseFinanced(ctx, opt.StudentID)
	}
	return due[:1], nil
}

// refuseFinanced refuses to charge a student for an order a third party
// finances (SPEC §4: the student cannot pay the financed part).
func (s *Service) refuseFinanced(ctx context.Context, studentID string) error {
	d, err := s.DB.Dossier(ctx, studentID, s.Year)
	if err != nil {
		return nil // nothing to charge: the run says so
	}
	o, ok, err := s.DB.OrderOf(ctx, d.ID)
	if err != nil || !ok || !financed(o) {
		return err
	}
	return refuseStudentPays(studentID, o, "the student's card is never charged for it")
}

func itemOf(d store.DueItem, outcome string) ChargeItem {
	return ChargeItem{StudentID: d.StudentID, Name: d.Name, Seq: d.Seq, Amount: d.Amount, Currency: money.Currency, Due: d.Due, Outcome: outcome}
}

func (sum *ChargeSummary) count(it ChargeItem, j job) {
	switch it.Outcome {
	case "approved":
		sum.Approved++
		sum.Collected += it.Amount
	case "declined":
		sum.Declined++
	case "unknown", "not recorded":
		sum.Unknown++
	case "unavailable":
		sum.Unavailable++
	default:
		sum.Failed++
	}
	if it.Blocked {
		sum.Blocked++
	}
	if j.changed {
		sum.Changed++
	}
}

// pipeline: one goroutine commits intents in batches and feeds the
// workers, Concurrency workers call the gateway, and the results are
// recorded in batches as they come.
func (s *Service) pipeline(ctx context.Context, gw gateway.Gateway, opt ChargeOptions, due []store.DueItem) ([]job, error) {
	n := max(opt.Concurrency, 1)
	batch := opt.BatchSize
	if batch <= 0 {
		batch = max(16*n, 256)
	}
	work := make(chan *job, 2*batch)
	results := make(chan *job, 2*batch)
	var feedErr error
	go func() {
		defer close(work)
		feedErr = s.feed(ctx, due, batch, opt, work, results)
	}()
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range work {
				s.call(ctx, gw, opt, j)
				results <- j
			}
		}()
	}
	go func() { wg.Wait(); close(results) }()
	done, recErr := s.record(ctx, opt, batch, len(due), results)
	return done, errors.Join(feedErr, recErr)
}

// feed commits the intents of each batch, then hands the batch to workers.
func (s *Service) feed(ctx context.Context, due []store.DueItem, batch int, opt ChargeOptions, work, results chan<- *job) error {
	for start := 0; start < len(due) && ctx.Err() == nil; start += batch {
		chunk := due[start:min(start+batch, len(due))]
		var jobs []*job
		err := s.DB.InTx(ctx, func(tx *store.Tx) error {
			jobs = jobs[:0]
			var intents []store.Attempt
			var charged []*job
			for _, d := range chunk {
				j := &job{item: d}
				jobs = append(jobs, j)
				// The plan may have changed since the due list was read (a
				// code change committed in between): then nothing is sent.
				still, err := instalmentStillDue(ctx, tx, d.InstalmentID)
				if err != nil {
					return err
				}
				if !still {
					j.notSent, j.changed = true, true
					j.err = fault.New(fault.Conflict, "the plan changed before the debit was sent")
					continue
				}
				if !d.HasCard {
					j.notSent, j.err = true, fault.New(fault.Conflict, "no stored card")
					continue
				}
				intents = append(intents, store.Attempt{InstalmentID: d.InstalmentID, CardID: d.Card.ID, Amount: d.Amount})
				charged = append(charged, j)
			}
			as, err := tx.CreateAttempts(ctx, intents)
			for k, a := range as {
				charged[k].attempt = a
			}
			return err
		})
		if err != nil {
			return fmt.Errorf("record charge intents: %w", err)
		}
		for _, j := range jobs {
			if j.notSent {
				results <- j
				continue
			}
			work <- j
		}
	}
	return nil
}

// call sends one charge. Once its intent is durable a charge is either
// sent or, when the run was interrupted before, marked as never sent.
func (s *Service) call(ctx context.Context, gw gateway.Gateway, opt ChargeOptions, j *job) {
	if ctx.Err() != nil {
		j.notSent = true
		return
	}
	now := time.Now
	if opt.Now != nil {
		now = opt.Now
	}
	c := j.item.Card
	// The call itself is not cancelled by SIGINT: it finishes and is recorded.
	j.res, j.err = gw.Charge(context.WithoutCancel(ctx), gateway.ChargeRequest{
		Reference: j.attempt.Reference, NumQuestion: j.attempt.NumQuestion, Amount: j.item.Amount,
		RefAbonne: c.RefAbonne, Token: c.Token, DateVal: gateway.StoredExpiry(c.Expiry).MMYY(), Recurring: true, When: now(),
	})
	if j.err != nil {
		// A request we built wrong: nothing was sent that Paybox accepted,
		// but stay on the safe side and look it up next run.
		j.res = gateway.Result{Outcome: gateway.Unknown, Detail: j.err.Error()}
	}
}

// Reconcile only resolves the attempts whose outcome is unknown.
func (s *Service) Reconcile(ctx context.Context, gw gateway.Gateway, opt ChargeOptions) ([]ChargeItem, ChargeSummary, error) {
	sum := ChargeSummary{Currency: money.Currency}
	items, err := s.reconcile(ctx, gw, opt, &sum)
	sum.Items = len(items)
	return items, sum, err
}
