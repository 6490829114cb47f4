package serve

import (
	"context"
	"sync"
	"sync/atomic"
)

// MaxBatch bounds how many notifications one commit holds: enough for
// every request in flight behind a proxy, small enough that a batch that
// falls back to one at a time stays short.
const MaxBatch = 64

// IPN is how the server takes notifications; the caller gives billing's.
// Check runs in the request, at once and never writing: the signature and
// that the notification reads. Apply writes checked notifications.
type IPN[N any] struct {
	// Check verifies one notification (its raw query). It returns what
	// Apply is given, the PBX_CMD (for the log) and, when it is refused,
	// the outcome (Unreadable, Forbidden…) and why.
	Check func(raw string) (n N, cmd string, o Outcome, err error)
	// Apply applies checked notifications, in order, in one transaction
	// when it can, and answers each one: len(result) == len(ns). A
	// notification twice in ns is applied once. When one is refused, the
	// others still get their own answer (Apply falls back to one
	// transaction each).
	Apply func(ctx context.Context, ns []N) []Result
}

// Result is how one notification of a batch went.
type Result struct {
	Outcome Outcome
	Err     error
}

// Stats counts the group commits of a server.
type Stats struct {
	Batches       int64 // calls of Apply (commits, unless a batch fell back)
	Notifications int64 // notifications applied through them
	Largest       int64 // the largest batch
}

// job is one queued notification and where its answer goes.
type job[N any] struct {
	n    N
	done chan answer // buffered: the applier never waits for a request
}

type answer struct {
	Result
	batch int // the size of the batch that held it, for the log
}

// batcher is the group commit: one goroutine owns the queue; each batch
// is what was queued when the previous one ended (at most MaxBatch), with
// no waiting window, so a lone notification is applied at once and a
// burst shares one commit (one fsync) per round.
type batcher[N any] struct {
	apply func(context.Context, []N) []Result
	q     chan job[N]

	mu     sync.RWMutex // closed and q's closing, against a late enqueue
	closed bool
	done   chan struct{}

	batches, items, largest atomic.Int64
}

func newBatcher[N any](apply func(context.Context, []N) []Result) *batcher[N] {
	b := &batcher[N]{apply: apply, q: make(chan job[N], MaxBatch), done: make(chan struct{})}
	go b.run()
	return b
}

// submit queues n and waits for the commit that holds it. ok is false
// when the server is stopping and n was not queued.
func (b *batcher[N]) submit(n N) (a answer, ok bool) {
	j := job[N]{n: n, done: make(chan answer, 1)}
	b.mu.RLock()
	if b.closed {
		b.mu.RUnlock()
		return a, false
	}
	b.q <- j // the applier drains q until it is closed: this never stays blocked
	b.mu.RUnlock()
	return <-j.done, true
}

func (b *batcher[N]) run() {
	defer close(b.done)
	// The applier's context is not a request's: a client that goes away
	// must not roll back the others' notifications.
	ctx := context.Background()
	jobs := make([]job[N], 0, MaxBatch)
	ns := make([]N, 0, MaxBatch)
	for j := range b.q {
		jobs, ns = append(jobs[:0], j), append(ns[:0], j.n)
	fill:
		for len(jobs) < MaxBatch {
			select {
			case j, ok := <-b.q:
				if !ok {
					break fill
				}
				jobs, ns = append(jobs, j), append(ns, j.n)
			default:
				break fill
			}
		}
		res := b.apply(ctx, ns)
		b.batches.Add(1)
		b.items.Add(int64(len(jobs)))
		if n := int64(len(jobs)); n > b.largest.Load() {
			b.largest.Store(n) // only this goroutine writes it
		}
		for k, j := range jobs {
			r := Result{Outcome: Failed}
			if k < len(res) {
				r = res[k]
			}
			j.done <- answer{Result: r, batch: len(jobs)}
		}
		clear(ns) // let the notifications go
	}
}

// close stops taking notifications, lets the applier commit and answer
// what is queued, and waits for it.
func (b *batcher[N]) close() {
	b.mu.Lock()
	if !b.closed {
		b.closed = true
		close(b.q)
	}
	b.mu.Unlock()
	<-b.done
}

func (b *batcher[N]) stats() Stats {
	return Stats{Batches: b.batches.Load(), Notifications: b.items.Load(), Largest: b.largest.Load()}
}
