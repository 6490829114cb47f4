package mail

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/inpctl/inpctl/internal/store"
)

// Outcomes are committed in batches: at most batchMax of them, and none
// older than batchWait, in one transaction (one fsync for many messages).
const (
	batchMax  = 64
	batchWait = 200 * time.Millisecond
)

// lookahead is how many notices are made ready ahead of the one being
// sent: enough to keep the sender busy while the next PDF renders.
const lookahead = 4

// sendRun is one run's state: the connection, and the outcomes the
// server gave that are not committed yet.
type sendRun struct {
	r     *Runner
	conn  Conn
	outs  []store.NoticeOutcome
	since time.Time // when the oldest of outs was given
}

// run handles the due notices in order and counts their outcomes in sum.
// Until a connection is open, one notice at a time, as they come: a run
// whose server is down makes no message (no payment link) beyond the
// first. Then the next notices are made ready ahead (prepareAhead) while
// the sender waits for the server's answers.
func (s *sendRun) run(ctx context.Context, due []store.Notice, sum *Summary) ([]Item, error) {
	items := []Item{}
	handle := func(st *step) (done bool, err error) {
		stop, err := s.apply(ctx, st)
		if err != nil || stop {
			sum.Unreachable = stop
			return true, err
		}
		items = append(items, st.it)
		sum.count(st.it.Outcome)
		return false, nil
	}
	i := 0
	for ; i < len(due) && (s.conn == nil || s.r.DryRun); i++ {
		if ctx.Err() != nil {
			return items, nil
		}
		st := s.r.decide(ctx, due[i])
		if done, err := handle(&st); done {
			return items, err
		}
	}
	if i == len(due) {
		return items, nil
	}
	steps, stop := s.r.prepareAhead(ctx, due[i:])
	defer stop()
	for st := range steps {
		if ctx.Err() != nil {
			break
		}
		if done, err := handle(&st); done {
			return items, err
		}
	}
	return items, nil
}

// prepareAhead makes the notices ready on one goroutine, in order, at
// most lookahead ahead of the sender. stop ends it: what was made ready
// and not sent is dropped, its notice left as it was.
func (r *Runner) prepareAhead(ctx context.Context, due []store.Notice) (steps <-chan step, stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	ch := make(chan step, lookahead)
	go func() {
		defer close(ch)
		for _, n := range due {
			if ctx.Err() != nil {
				return
			}
			select {
			case ch <- r.decide(ctx, n):
			case <-ctx.Done():
				return
			}
		}
	}()
	return ch, func() {
		cancel()
		for range ch {
		}
	}
}

func (s *sendRun) close() {
	if s.conn != nil {
		s.conn.Close()
	}
}

// record adds an outcome to the batch and commits the batch when it is
// full or old enough.
func (s *sendRun) record(ctx context.Context, o store.NoticeOutcome) error {
	if len(s.outs) == 0 {
		s.since = time.Now() // wall time: how long an answer waits for its commit
	}
	s.outs = append(s.outs, o)
	return s.flushIf(ctx, len(s.outs) >= batchMax)
}

// flushIf commits the batch when asked, or when its oldest outcome has
// waited batchWait.
func (s *sendRun) flushIf(ctx context.Context, full bool) error {
	if len(s.outs) > 0 && (full || time.Since(s.since) >= batchWait) {
		return s.flush(ctx)
	}
	return nil
}

// flush commits the batch, even when the run is being interrupted: the
// server has answered for each of them.
func (s *sendRun) flush(ctx context.Context) error {
	if len(s.outs) == 0 {
		return nil
	}
	err := s.r.DB.RecordNotices(context.WithoutCancel(ctx), s.outs)
	s.outs = s.outs[:0]
	return err
}

// step is a notice made ready for the sender: decided without the
// server (out: skipped, no usable address; or a dry run's outcome), its
// message made (msg), or not made now (err: retried later).
type step struct {
	n   store.Notice
	it  Item
	out *store.NoticeOutcome
	msg *Message
	err error
}

// decide makes a notice ready: everything but talking to the server and
// writing the outcome. It runs on the preparing goroutine once a
// connection is open.
func (r *Runner) decide(ctx context.Context, n store.Notice) step {
	st := step{n: n, it: Item{ID: n.ID, StudentID: n.StudentID, Kind: n.Kind, Recipient: n.Email, MessageID: "<" + MessageID(n.Key, r.From) + ">"}}
	it := &st.it
	if r.Enabled != nil && !r.Enabled(Kind(n.Kind)) {
		it.Outcome, it.Answer = "skipped", fmt.Sprintf("not sent: notices %s are off (mail.notices.%s)", n.Kind, n.Kind)
		if r.DryRun {
			it.Outcome = "would skip"
			return st
		}
		st.out = &store.NoticeOutcome{ID: n.ID, Status: "skipped", Answer: it.Answer}
		return st
	}
	if aerr := CheckAddress(n.Email); aerr != nil {
		it.Outcome, it.Answer = "failed", "no usable e-mail address: "+aerr.Error()
		if r.DryRun {
			it.Outcome = "would fail"
			return st
		}
		st.out = &store.NoticeOutcome{ID: n.ID, Status: "failed", Recipient: n.Email, Answer: it.Answer}
		return st
	}
	if r.DryRun {
		it.Outcome = "would send"
		return st
	}
	st.msg, st.err = r.prepare(ctx, &st.n)
	return st
}

// apply sends a step's message, or records what was decided; stop says
// the server cannot be reached (this notice and the rest are left as they
// are).
func (s *sendRun) apply(ctx context.Context, st *step) (stop bool, err error) {
	switch {
	case st.err != nil:
		// A document or a link that could not be made now: try later.
		return false, s.retry(ctx, st.n, &st.it, st.err.Error())
	case st.msg == nil:
		if st.out != nil {
			return false, s.record(ctx, *st.out)
		}
		return false, nil
	}
	return s.send(ctx, st.n, &st.it, st.msg)
}

// send sends one prepared message and records the server's answer.
func (s *sendRun) send(ctx context.Context, n store.Notice, it *Item, msg *Message) (stop bool, err error) {
	// Answers already given are not held while this one is awaited.
	if err := s.flushIf(ctx, false); err != nil {
		return false, err
	}
	if s.conn == nil {
		c, err := s.r.Transport.Open(ctx)
		if err != nil {
			it.Answer = err.Error()
			return true, nil
		}
		s.conn = c
	}
	answer, err := s.conn.Send(ctx, msg)
	var se *SendError
	switch {
	case err == nil:
		it.Outcome, it.Answer = "sent", answer
		return false, s.record(ctx, store.NoticeOutcome{ID: n.ID, Status: "sent", Recipient: n.Email, MessageID: it.MessageID, Answer: answer})
	case errors.As(err, &se) && !se.Temporary:
		it.Outcome, it.Answer = "failed", se.Answer
		return false, s.record(ctx, store.NoticeOutcome{ID: n.ID, Status: "failed", Recipient: n.Email, MessageID: it.MessageID, Answer: se.Answer, Tried: true})
	}
	if errors.As(err, &se) && se.ConnLost {
		s.conn.Close()
		s.conn = nil
	}
	return false, s.retry(ctx, n, it, err.Error())
}

// retry leaves the notice pending until its next try, or fails it once
// MaxAttempts temporary failures have been seen.
func (s *sendRun) retry(ctx context.Context, n store.Notice, it *Item, reason string) error {
	r := s.r
	it.Answer = reason
	tries := n.Attempts + 1
	if max := r.MaxAttempts; max > 0 && tries >= max {
		it.Outcome, it.Answer = "failed", fmt.Sprintf("gave up after %d temporary failures; last: %s", tries, reason)
		return s.record(ctx, store.NoticeOutcome{ID: n.ID, Status: "failed", Recipient: n.Email, MessageID: it.MessageID, Answer: it.Answer, Tried: true})
	}
	backoff := r.Backoff
	if len(backoff) == 0 {
		backoff = DefaultBackoff
	}
	wait := backoff[min(tries, len(backoff))-1]
	it.Outcome = "retry"
	return s.record(ctx, store.NoticeOutcome{ID: n.ID, Status: "retry", NextTry: r.now().Add(wait), Recipient: n.Email, MessageID: it.MessageID, Answer: reason})
}
