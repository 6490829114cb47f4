package billing

import (
	"context"
	"fmt"
	"time"

	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/gateway"
	"github.com/inpctl/inpctl/internal/schedule"
	"github.com/inpctl/inpctl/internal/store"
)

// record drains results and commits their outcomes in batches: whatever
// has arrived is written in one transaction, at most batch at a time.
func (s *Service) record(ctx context.Context, opt ChargeOptions, batch, total int, results <-chan *job) ([]job, error) {
	// Outcomes are recorded even after SIGINT: what was sent must be known.
	ctx = context.WithoutCancel(ctx)
	var done []job
	var firstErr error
	pending := make([]*job, 0, batch)
	flush := func() {
		if len(pending) == 0 {
			return
		}
		err := s.DB.InTx(context.WithoutCancel(ctx), func(tx *store.Tx) error {
			for _, j := range pending {
				if err := s.recordOutcome(ctx, tx, opt.Today, j); err != nil {
					return fmt.Errorf("record outcome of %s: %w", j.attempt.Reference, err)
				}
			}
			return nil
		})
		if err != nil {
			// One bad outcome must not leave the others unrecorded: record
			// each alone, so only the faulty one stays "sent" (and is looked
			// up by the next run).
			for _, j := range pending {
				jerr := s.DB.InTx(context.WithoutCancel(ctx), func(tx *store.Tx) error { return s.recordOutcome(ctx, tx, opt.Today, j) })
				if jerr != nil {
					j.unrecorded = jerr
					if firstErr == nil {
						firstErr = fmt.Errorf("record outcome of %s: %w", j.attempt.Reference, jerr)
					}
				}
			}
		}
		for _, j := range pending {
			done = append(done, *j)
		}
		pending = pending[:0]
		if opt.Progress != nil {
			opt.Progress(len(done), total)
		}
	}
	for j := range results {
		pending = append(pending, j)
		if len(pending) >= batch {
			flush()
			continue
		}
		// Commit what has arrived once the channel is momentarily empty.
		select {
		case next, ok := <-results:
			if !ok {
				flush()
				return done, firstErr
			}
			pending = append(pending, next)
		case <-time.After(5 * time.Millisecond):
			flush()
		}
	}
	flush()
	return done, firstErr
}

// recordOutcome writes what one charge did, in the caller's transaction.
func (s *Service) recordOutcome(ctx context.Context, tx *store.Tx, today clock.Date, j *job) error {
	a := j.attempt
	if a.ID == 0 { // never had an intent (no card)
		return nil
	}
	if j.notSent {
		a.State, a.Text = "failed", "interrupted before sending: nothing was charged"
		return tx.ResolveAttempt(ctx, a)
	}
	r := j.res
	a.Code, a.Text, a.NumTrans, a.NumAppel = r.Code, r.Text, r.NumTrans, r.NumAppel
	// A plan change (a code change, a cancellation, an exemption, a cheque)
	// may have taken the instalment away while its debit was on its way:
	// what Paybox did is recorded all the same, the instalment is left as
	// the change made it, and the run reports the item (exit 3).
	still, err := instalmentStillDue(ctx, tx, j.item.InstalmentID)
	if err != nil {
		return err
	}
	j.changed = !still
	switch r.Outcome {
	case gateway.Approved:
		a.State = "approved"
		if err := tx.ResolveAttempt(ctx, a); err != nil {
			return err
		}
		p, err := s.recordCardPayment(ctx, tx, store.Payment{StudentID: j.item.StudentID, Date: today.String(), Amount: a.Amount,
			NumTrans: r.NumTrans, NumAppel: r.NumAppel, AttemptID: a.ID, Ref: a.Reference}, j.item.InstalmentID)
		if err != nil {
			return err
		}
		j.res.Detail = p.Number
		note := ""
		if j.changed {
			note = "; the instalment was changed during the run: what no invoice needs is kept as the student's credit"
		}
		return tx.Audit(ctx, "payment:"+p.Number, fmt.Sprintf("card debit %s of %s for %s (instalment %d), NUMTRANS %s%s",
			a.Reference, a.Amount, j.item.StudentID, j.item.Seq, r.NumTrans, note))
	case gateway.Declined:
		a.State = "declined"
		if err := tx.ResolveAttempt(ctx, a); err != nil {
			return err
		}
		if j.changed {
			// Nothing is owed on it any more: no retry, no block, no notice.
			return tx.Audit(ctx, "instalment:"+j.item.StudentID, fmt.Sprintf("card debit %s of %s for %s declined (%s) on an instalment changed during the run: nothing more to do",
				a.Reference, a.Amount, j.item.StudentID, r.Code))
		}
		return s.recordDecline(ctx, tx, today, j)
	case gateway.Unavailable:
		a.State = "failed"
		switch {
		case r.Code != "":
			a.Text = "Paybox refused our request: " + r.Code + " (" + gateway.Describe(r.Code) + "); nothing was charged: check the gateway configuration"
		case a.Text == "":
			a.Text = "gateway unavailable: nothing was charged (" + r.Detail + ")"
		}
		return tx.ResolveAttempt(ctx, a)
	default:
		a.State = "unknown"
		if a.Text == "" {
			a.Text = "outcome unknown: will be looked up (" + r.Detail + ")"
		}
		return tx.ResolveAttempt(ctx, a)
	}
}

// instalmentStillDue reports whether an instalment is still waiting for its
// debit: pending or failed, in a live plan.
func instalmentStillDue(ctx context.Context, tx *store.Tx, id int64) (bool, error) {
	p, err := tx.PlanOfInstalment(ctx, id)
	if err != nil {
		return false, err
	}
	if !p.Live() {
		return false, nil
	}
	for _, in := range p.Instalments {
		if in.ID == id {
			return in.Status == string(schedule.InstalmentPending) || in.Status == string(schedule.InstalmentFailed), nil
		}
	}
	return false, nil
}

// recordDecline applies the retry policy: a soft decline is tried again
// after the configured gaps; a hard decline, or the last soft one allowed,
// blocks the order.
func (s *Service) recordDecline(ctx context.Context, tx *store.Tx, today clock.Date, j *job) error {
	r, it := j.res, j.item
	attempts := it.Attempts + 1
	var next clock.Date
	reason := ""
	if r.Hard {
		reason = fmt.Sprintf("refus définitif de la carte le %s : %s (%s)", today.French(), r.Code, gateway.DescribeFR(r.Code))
	} else if d, ok := schedule.NextAttempt(s.Retry, attempts, today); ok {
		next = d
	} else {
		reason = fmt.Sprintf("%d refus successifs de la carte, dernier le %s : %s (%s)", attempts, today.French(), r.Code, gateway.DescribeFR(r.Code))
	}
	if err := tx.FailInstalment(ctx, it.InstalmentID, r.Code, next); err != nil {
		return err
	}
	summary := fmt.Sprintf("card debit %s of %s for %s declined: %s, attempt %d", j.attempt.Reference, it.Amount, it.StudentID, r.Code, attempts)
	if reason != "" {
		if err := tx.BlockOrder(ctx, it.OrderID, reason); err != nil {
			return err
		}
		summary += "; order blocked"
	} else {
		summary += "; next try " + next.String()
	}
	// One e-mail: the debit_failed notice says when the order is blocked.
	if err := s.noticeDebitFailed(ctx, tx, Decline{Item: it, Reference: j.attempt.Reference, Code: r.Code, Today: today, NextTry: next, Blocked: reason != ""}); err != nil {
		return err
	}
	return tx.Audit(ctx, "instalment:"+it.StudentID, summary)
}

// itemFor turns a finished job into a report row.
func (s *Service) itemFor(j job) ChargeItem {
	it := itemOf(j.item, "")
	it.Reference, it.Code, it.Text = j.attempt.Reference, j.res.Code, j.res.Text
	switch {
	case j.unrecorded != nil:
		// Nothing of it is in the books: no payment number, no decline.
		it.Outcome, it.Code = "not recorded", ""
		it.Text = fmt.Sprintf("Paybox answered (%s) but the answer could not be written (%v): it stays to be looked up by the next run, never sent again",
			j.res.Outcome, j.unrecorded)
	case j.attempt.ID == 0 && j.changed:
		it.Outcome, it.Text = "not sent", "the plan changed (code change, cancellation…) before the debit was sent: nothing was charged"
	case j.attempt.ID == 0:
		it.Outcome, it.Text = "failed", "no stored card: the student must pay on the hosted page (inpctl pay link)"
	case j.notSent:
		it.Outcome, it.Text = "not sent", "interrupted before sending"
	case j.changed && j.res.Outcome == gateway.Approved:
		it.Outcome, it.Payment = "approved", j.res.Detail
		it.Text = "instalment changed during the run (code change, cancellation…): the money is kept as a credit of the student, refundable"
	case j.changed && j.res.Outcome == gateway.Declined:
		it.Outcome, it.Text = "declined", "instalment changed during the run: nothing more to do"
	default:
		it.Outcome = j.res.Outcome.String()
		if j.res.Outcome == gateway.Approved {
			it.Payment = j.res.Detail
		}
		if j.res.Outcome == gateway.Declined {
			it.Text = gateway.Describe(j.res.Code)
			it.Blocked = s.Retry.Blocks(j.item.Attempts+1, j.res.Hard)
		}
		if j.res.Outcome == gateway.Unknown || j.res.Outcome == gateway.Unavailable {
			it.Text = j.res.Detail
			if j.res.Code != "" {
				it.Text = "Paybox refused our request: " + gateway.Describe(j.res.Code) + "; check the gateway configuration"
			}
		}
	}
	return it
}

// reconcile resolves every attempt (charge or refund) left sent or unknown
// by asking the gateway (TYPE 00011, by REFERENCE and amount), never by
// sending it again:
// found → approved and recorded; not found → failed (a new attempt may
// go); lookup unavailable → left alone this run, and reported.
func (s *Service) reconcile(ctx context.Context, gw gateway.Gateway, opt ChargeOptions, sum *ChargeSummary) ([]ChargeItem, error) {
	open, err := s.DB.OpenAttempts(ctx)
	if err != nil {
		return nil, err
	}
	var items []ChargeItem
	for _, a := range open {
		if ctx.Err() != nil {
			break
		}
		it := ChargeItem{StudentID: a.StudentID, Amount: a.Amount, Currency: "EUR", Reference: a.Reference}
		if opt.DryRun {
			it.Outcome = "would look up"
			items = append(items, it)
			continue
		}
		it.Outcome, it.Payment, it.Text, err = s.resolveOne(ctx, gw, opt, a)
		if err != nil {
			return items, err
		}
		sum.Reconciled++
		items = append(items, it)
	}
	return items, nil
}

// resolveOne looks one attempt up and records what the gateway says.
func (s *Service) resolveOne(ctx context.Context, gw gateway.Gateway, opt ChargeOptions, a store.Attempt) (outcome, payment, text string, err error) {
	var nq int64
	if err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		nq, err = tx.NextNumQuestion(ctx)
		return err
	}); err != nil {
		return "", "", "", err
	}
	now := time.Now
	if opt.Now != nil {
		now = opt.Now
	}
	r, err := gw.Lookup(ctx, gateway.LookupRequest{Reference: a.Reference, NumQuestion: nq, Amount: a.Amount, When: now()})
	if err != nil {
		return "", "", "", err
	}
	if a.Kind == "refund" {
		return s.resolveRefund(ctx, a, r)
	}
	switch {
	case r.Outcome == gateway.Approved:
		err = s.DB.InTx(ctx, func(tx *store.Tx) error {
			a.State, a.NumTrans, a.NumAppel, a.Code, a.Text = "approved", r.NumTrans, r.NumAppel, "00000", "found by lookup"
			if err := tx.ResolveAttempt(ctx, a); err != nil {
				return err
			}
			p, err := s.recordCardPayment(ctx, tx, store.Payment{StudentID: a.StudentID, Date: opt.Today.String(), Amount: a.Amount,
				NumTrans: r.NumTrans, NumAppel: r.NumAppel, AttemptID: a.ID, Ref: a.Reference}, a.InstalmentID)
			payment = p.Number
			if err != nil {
				return err
			}
			return tx.Audit(ctx, "payment:"+p.Number, fmt.Sprintf("attempt %s resolved by lookup: approved, NUMTRANS %s", a.Reference, r.NumTrans))
		})
		return "approved", payment, "found by lookup", err
	case r.NotFound():
		// Paybox has no approved transaction under this reference: nothing
		// was taken. But the debit may have reached Paybox and been declined
		// (a decline whose answer was lost leaves no transaction to find), so
		// it is not sent again the same day: the instalment waits the retry
		// gap a decline would have given it, without counting an attempt or
		// blocking anything (issue 17). An attempt that holds Paybox's own
		// answer 00001/00097/00098 (the authorisation centre was not
		// reached) was never put to the bank: it is charged again at once.
		answered := a.Code != ""
		var next clock.Date
		err = s.DB.InTx(ctx, func(tx *store.Tx) error {
			a.State, a.Code, a.Text = "failed", r.Code, "not found at the gateway: not charged"
			if err := tx.ResolveAttempt(ctx, a); err != nil {
				return err
			}
			if answered {
				return tx.Audit(ctx, "attempt:"+a.Reference, "resolved by lookup: never charged (Paybox had answered that the bank was not reached)")
			}
			if next, err = s.notFoundRetry(ctx, tx, a); err != nil {
				return err
			}
			if err := tx.DeferInstalment(ctx, a.InstalmentID, next); err != nil {
				return err
			}
			return tx.Audit(ctx, "attempt:"+a.Reference, "resolved by lookup: not charged; next try not before "+next.String())
		})
		if answered {
			return "not charged", "", "not found by lookup: the bank was never reached, will be charged again", err
		}
		return "not charged", "", "not found by lookup: nothing was taken; it may have been declined, so the next try waits until " + next.French(), err
	}
	return "lookup unavailable", "", "the lookup failed (" + r.Detail + "): left alone this run, never charged blind", nil
}

// notFoundRetry is the first day an attempt that Paybox does not know may be
// sent again: the retry gap after the attempt's own day, as if it had been
// declined (the gap of the first retry when no retry would be left).
func (s *Service) notFoundRetry(ctx context.Context, tx *store.Tx, a store.Attempt) (clock.Date, error) {
	at, err := time.Parse(time.RFC3339, a.CreatedAt)
	if err != nil {
		return clock.Date{}, fmt.Errorf("attempt %s: created_at %q: %w", a.Reference, a.CreatedAt, err)
	}
	day := clock.DateOf(at, s.Location)
	p, err := tx.PlanOfInstalment(ctx, a.InstalmentID)
	if err != nil {
		return clock.Date{}, err
	}
	tries := 0
	for _, in := range p.Instalments {
		if in.ID == a.InstalmentID {
			tries = in.Attempts
		}
	}
	if next, ok := schedule.NextAttempt(s.Retry, tries+1, day); ok {
		return next, nil
	}
	next, _ := schedule.NextAttempt(s.Retry, 1, day)
	if !next.After(day) {
		next = day.AddDays(1)
	}
	return next, nil
}
