package mail

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/store"
)

// Transport opens connections to the mail server (mail/smtp is the real
// one).
type Transport interface {
	Open(ctx context.Context) (Conn, error)
}

// Conn is one open connection: it sends messages one at a time and gives
// the server's answer.
type Conn interface {
	Send(ctx context.Context, m *Message) (answer string, err error)
	Close() error
}

// SendError is the server's refusal of one message. A temporary one (a 4xx
// answer, a connection lost mid-way) is tried again later; a permanent one
// (5xx, an address the server refuses) marks the notice failed.
type SendError struct {
	Temporary bool
	// ConnLost: the connection is gone; the run stops after this message.
	ConnLost bool
	Answer   string
}

func (e *SendError) Error() string { return e.Answer }

// Hooks are what the runner cannot do alone: make a payment link for a
// student (billing, the hosted-page request) and render an attached
// document (invoice).
type Hooks struct {
	Link   func(ctx context.Context, studentID string) (string, error)
	Attach func(ctx context.Context, d Doc) (Attachment, error)
}

// Options tune a run.
type Options struct {
	From   string
	School School
	// Enabled reports whether notices of a kind are sent (mail.notices);
	// nil sends every kind.
	Enabled func(Kind) bool
	Limit   int
	DryRun  bool
	Now     func() time.Time
	// Backoff is the wait after the n-th temporary failure (the last one
	// repeats); MaxAttempts ends the retries: the notice is failed.
	Backoff     []time.Duration
	MaxAttempts int
}

// DefaultBackoff is the wait after each temporary failure.
var DefaultBackoff = []time.Duration{5 * time.Minute, 15 * time.Minute, time.Hour, 4 * time.Hour, 12 * time.Hour}

// Runner sends the due notices of the outbox.
type Runner struct {
	DB        *store.DB
	Templates *Templates
	Transport Transport
	Hooks     Hooks
	Options
}

// Item is what a run did with one notice.
type Item struct {
	ID        int64  `json:"id"`
	StudentID string `json:"student_id"`
	Kind      string `json:"kind"`
	Recipient string `json:"recipient"`
	Outcome   string `json:"outcome"` // sent, retry, failed, skipped, would send, would fail, would skip
	Answer    string `json:"answer"`
	MessageID string `json:"message_id"`
}

// Summary counts a run's outcomes.
type Summary struct {
	Due         int  `json:"due"`
	Sent        int  `json:"sent"`
	Retry       int  `json:"retry"`
	Failed      int  `json:"failed"`
	Skipped     int  `json:"skipped"`
	Unreachable bool `json:"server_unreachable"`
	DryRun      bool `json:"dry_run"`
}

// ErrUnreachable is returned when the mail server cannot be reached: the
// notices stay pending, untouched, for the next run.
var ErrUnreachable = errors.New("mail server unreachable")

// Outcomes are committed in batches: at most batchMax of them, and none
// older than batchWait, in one transaction (one fsync for many messages).
const (
	batchMax  = 64
	batchWait = 200 * time.Millisecond
)

// Run sends the notices that are due, one message at a time over one
// connection opened at the first message. A notice is marked sent only
// after the server accepted it; the outcomes are committed in batches
// (batchMax, batchWait), so a crash between the server's answer and the
// commit leaves up to a batch of accepted notices pending, and the next
// run sends them again with the same Message-ID (a duplicate, never a
// different message).
func (r *Runner) Run(ctx context.Context) ([]Item, Summary, error) {
	sum := Summary{DryRun: r.DryRun}
	due, err := r.DB.DueNotices(ctx, r.now(), r.Limit)
	if err != nil {
		return nil, sum, err
	}
	sum.Due = len(due)
	items := []Item{}
	s := &sendRun{r: r}
	defer s.close()
	for _, n := range due {
		if ctx.Err() != nil {
			break
		}
		it := Item{ID: n.ID, StudentID: n.StudentID, Kind: n.Kind, Recipient: n.Email, MessageID: "<" + MessageID(n.Key, r.From) + ">"}
		stop, err := s.one(ctx, n, &it)
		if err != nil {
			return items, sum, err
		}
		if stop {
			sum.Unreachable = true
			break
		}
		items = append(items, it)
		sum.count(it.Outcome)
	}
	if err := s.flush(ctx); err != nil {
		return items, sum, err
	}
	if err := r.audit(ctx, sum); err != nil {
		return items, sum, err
	}
	if sum.Unreachable {
		return items, sum, fault.Wrap(fault.Unavailable, ErrUnreachable, "the mail server could not be reached: %d notice(s) left pending", sum.Due-sum.Sent-sum.Failed-sum.Skipped).
			WithHint("check mail.host and mail.port; the next mail send tries again")
	}
	return items, sum, nil
}

func (s *Summary) count(outcome string) {
	switch outcome {
	case "sent":
		s.Sent++
	case "retry":
		s.Retry++
	case "failed":
		s.Failed++
	case "skipped":
		s.Skipped++
	}
}

// sendRun is one run's state: the connection, and the outcomes the
// server gave that are not committed yet.
type sendRun struct {
	r     *Runner
	conn  Conn
	outs  []store.NoticeOutcome
	since time.Time // when the oldest of outs was given
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

// one handles one notice; stop says the server cannot be reached (this
// notice and the rest are left as they are).
func (s *sendRun) one(ctx context.Context, n store.Notice, it *Item) (stop bool, err error) {
	r := s.r
	if r.Enabled != nil && !r.Enabled(Kind(n.Kind)) {
		it.Outcome, it.Answer = "skipped", fmt.Sprintf("not sent: notices %s are off (mail.notices.%s)", n.Kind, n.Kind)
		if r.DryRun {
			it.Outcome = "would skip"
			return false, nil
		}
		return false, s.record(ctx, store.NoticeOutcome{ID: n.ID, Status: "skipped", Answer: it.Answer})
	}
	if aerr := CheckAddress(n.Email); aerr != nil {
		it.Outcome, it.Answer = "failed", "no usable e-mail address: "+aerr.Error()
		if r.DryRun {
			it.Outcome = "would fail"
			return false, nil
		}
		return false, s.record(ctx, store.NoticeOutcome{ID: n.ID, Status: "failed", Recipient: n.Email, Answer: it.Answer})
	}
	if r.DryRun {
		it.Outcome = "would send"
		return false, nil
	}
	msg, err := r.prepare(ctx, &n)
	if err != nil {
		// A document or a link that could not be made now: try later.
		return false, s.retry(ctx, n, it, err.Error())
	}
	return s.send(ctx, n, it, msg)
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

// prepare makes the notice's payment link once (kept on the row, so a
// retry or a duplicate carries the same one) and builds the message with
// its documents.
func (r *Runner) prepare(ctx context.Context, n *store.Notice) (*Message, error) {
	d, err := DecodeData(n.Data)
	if err != nil {
		return nil, err
	}
	if d.NeedsLink && n.Link == "" && r.Hooks.Link != nil {
		link, err := r.Hooks.Link(ctx, n.StudentID)
		switch k := fault.KindOf(err); {
		case err == nil:
			if err := r.DB.SetNoticeLink(ctx, n.ID, link); err != nil {
				return nil, err
			}
			n.Link = link
		case k == fault.Conflict || k == fault.NotFound:
			// Nothing left to pay by card (paid meanwhile): no link.
		default:
			return nil, fmt.Errorf("payment link: %w", err)
		}
	}
	return r.Build(ctx, *n, d, true)
}

// Build renders a notice into a message, with its documents when attach
// is set (mail show and mail preview leave them out).
func (r *Runner) Build(ctx context.Context, n store.Notice, d Data, attach bool) (*Message, error) {
	out, err := r.Templates.Render(View{Kind: Kind(n.Kind), D: d, Link: n.Link, School: r.School,
		Student: Student{ID: n.StudentID, FirstName: n.FirstName, LastName: n.LastName}})
	if err != nil {
		return nil, err
	}
	m := &Message{From: r.From, To: n.Email, ToName: n.FirstName + " " + n.LastName, Subject: out.Subject,
		Text: out.Text, HTML: out.HTML, MessageID: MessageID(n.Key, r.From), Date: r.now()}
	if !attach {
		return m, nil
	}
	for _, doc := range d.Docs {
		if r.Hooks.Attach == nil {
			break
		}
		a, err := r.Hooks.Attach(ctx, doc)
		if err != nil {
			return nil, fmt.Errorf("attach %s %s: %w", doc.Kind, doc.Number, err)
		}
		m.Attachments = append(m.Attachments, a)
	}
	return m, nil
}

func (r *Runner) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

// audit writes one audit row for a run that changed something.
func (r *Runner) audit(ctx context.Context, s Summary) error {
	if s.DryRun || s.Sent+s.Retry+s.Failed+s.Skipped == 0 {
		return nil
	}
	ctx = context.WithoutCancel(ctx)
	return r.DB.InTx(ctx, func(tx *store.Tx) error {
		return tx.Audit(ctx, "outbox", fmt.Sprintf("mail send: %d sent, %d to retry, %d failed, %d skipped", s.Sent, s.Retry, s.Failed, s.Skipped))
	})
}
