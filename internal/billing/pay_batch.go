package billing

import (
	"context"
	"crypto/rsa"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/gateway/paybox"
	"github.com/inpctl/inpctl/internal/store"
)

// payBatch is how many students SimulatePayments handles per transaction.
const payBatch = 256

// HostedPage pays a hosted-page request (its URL) with a card and returns
// the raw notification Paybox would send: the sandbox's hosted page.
type HostedPage func(url, card string) (string, error)

// SimulatePayments is "pay simulate" for many students: each pays their
// next amount on the (sandbox) hosted page with card, and the notification
// is applied, exactly as MakePayLink then ApplyIPN would, one student after
// the other. It works in batches so that a batch's links are recorded in
// one transaction and its notifications applied in another: one commit,
// one fsync, for many students instead of two for each. When a link or a
// notification fails, that step is done again one student at a time, so
// what comes before the failure is applied and the error is returned, as
// the one-by-one loop would have done (a hosted page that fails stops the
// run after the pages already paid are applied). progress gets the results
// so far.
func (s *Service) SimulatePayments(ctx context.Context, ids []string, card string, lc paybox.LinkConfig, now func() time.Time,
	page HostedPage, keys []*rsa.PublicKey, progress func([]IPNResult)) ([]IPNResult, error) {
	var out []IPNResult
	for start := 0; start < len(ids); start += payBatch {
		chunk := ids[start:min(start+payBatch, len(ids))]
		links, err := s.makePayLinks(ctx, chunk, lc, now())
		raws, perr := payAll(links, card, page)
		if perr != nil {
			err = perr
		}
		res, aerr := s.ApplyIPNs(ctx, raws, keys)
		out = append(out, res...)
		if progress != nil {
			progress(out)
		}
		if aerr != nil {
			return out, aerr
		}
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// payAll pays the links on the hosted page, on every core at once (the
// page signs each notification with RSA, the costly part). It returns the
// notification of every link that was paid, in the links' order, and the
// first failure: a page paid while another failed is still applied, so no
// payment the page took is left without its notification.
func payAll(links []PayLink, card string, page HostedPage) ([]string, error) {
	raws := make([]string, len(links))
	errs := make([]error, len(links))
	next := atomic.Int64{}
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(links)) {
		wg.Go(func() {
			for k := int(next.Add(1) - 1); k < len(links); k = int(next.Add(1) - 1) {
				raws[k], errs[k] = page(links[k].URL, card)
			}
		})
	}
	wg.Wait()
	var paid []string
	var first error
	for k, err := range errs {
		switch {
		case err == nil:
			paid = append(paid, raws[k])
		case first == nil:
			first = fault.Wrap(fault.Failure, err, "sandbox hosted page for %s", links[k].StudentID)
		}
	}
	return paid, first
}

// makePayLinks records the links of ids in one transaction; when one
// fails, they are made one at a time, up to the one that fails.
func (s *Service) makePayLinks(ctx context.Context, ids []string, lc paybox.LinkConfig, when time.Time) ([]PayLink, error) {
	var links []PayLink
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		links = links[:0]
		for _, id := range ids {
			pl, err := s.makePayLink(ctx, tx, id, lc, when)
			if err != nil {
				return err
			}
			links = append(links, pl)
		}
		return nil
	})
	if err == nil {
		return links, nil
	}
	links = links[:0]
	for _, id := range ids {
		pl, err := s.MakePayLink(ctx, id, lc, when)
		if err != nil {
			return links, err
		}
		links = append(links, pl)
	}
	return links, nil
}

// ApplyIPNs applies notifications in order, as ApplyIPN would one after
// the other, in one transaction; when one is refused, they are applied one
// at a time, up to the refused one, whose error is returned.
func (s *Service) ApplyIPNs(ctx context.Context, raws []string, keys []*rsa.PublicKey) ([]IPNResult, error) {
	ns := make([]paybox.Notification, 0, len(raws))
	var verr error
	for _, raw := range raws {
		n, err := verifyIPN(raw, keys)
		if err != nil {
			verr = err
			break
		}
		ns = append(ns, n)
	}
	var out []IPNResult
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		out = out[:0]
		for _, n := range ns {
			res, err := s.applyIPN(ctx, tx, n)
			if err != nil {
				return err
			}
			out = append(out, res)
		}
		return nil
	})
	if err != nil {
		out = out[:0]
		for _, n := range ns {
			res, err := s.applyOne(ctx, n)
			if err != nil {
				return out, err
			}
			out = append(out, res)
		}
	}
	return out, verr
}

// VerifyIPN checks a notification's signature (RSA-SHA1 over the raw
// bytes) and reads it, writing nothing: the first half of ApplyIPN, for a
// caller that applies checked notifications in batches (serve's group
// commit). A refusal is a usage error wrapping paybox.ErrBadSignature or
// paybox.ErrUnsigned.
func VerifyIPN(raw string, keys []*rsa.PublicKey) (paybox.Notification, error) {
	return verifyIPN(raw, keys)
}

// ApplyCheckedIPNs applies notifications that VerifyIPN accepted, in
// order, in one transaction (one commit for all), and answers each: errs[k]
// is the error of ns[k], as ApplyIPN would have returned it. The same
// notification twice in ns is applied once, the second being a replay (the
// first's row is visible inside the transaction). When one is refused or
// the transaction fails, nothing of it stays and every notification is
// applied again in its own transaction, one after the other, so each gets
// its own answer and the good ones are still applied.
func (s *Service) ApplyCheckedIPNs(ctx context.Context, ns []paybox.Notification) ([]IPNResult, []error) {
	out := make([]IPNResult, len(ns))
	errs := make([]error, len(ns))
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		for k, n := range ns {
			res, err := s.applyIPN(ctx, tx, n)
			if err != nil {
				return err
			}
			out[k] = res
		}
		return nil
	})
	if err == nil {
		return out, errs
	}
	for k, n := range ns {
		out[k], errs[k] = s.applyOne(ctx, n)
	}
	return out, errs
}
