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

// Run sends the notices that are due, one message at a time over one
// connection opened at the first message, while the next messages (their
// templates and PDFs) are made ahead on another goroutine. A notice is marked sent only
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
	s := &sendRun{r: r}
	defer s.close()
	items, err := s.run(ctx, due, &sum)
	if err != nil {
		return items, sum, err
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
