package billing

import (
	"context"
	"crypto/rsa"
	"fmt"
	"time"

	"github.com/inpctl/inpctl/internal/gateway/paybox"
	"github.com/inpctl/inpctl/internal/money"
	"github.com/inpctl/inpctl/internal/store"
)

// PayHosted is the first half of SimulatePayments, for when the hosted
// page notifies inpctl serve (PBX_REPONDRE_A): each student's link is
// recorded and paid with card, and the notifications are NOT applied here
// — serve applies them, as it would Paybox's. It returns the notification
// of every page paid, in the students' order (AwaitIPNs waits for them),
// and stops at the first link or page that fails, with that error.
// progress gets how many were paid so far.
func (s *Service) PayHosted(ctx context.Context, ids []string, card string, lc paybox.LinkConfig, now func() time.Time,
	page HostedPage, progress func(int)) ([]string, error) {
	var out []string
	for start := 0; start < len(ids); start += payBatch {
		chunk := ids[start:min(start+payBatch, len(ids))]
		links, err := s.makePayLinks(ctx, chunk, lc, now())
		raws, perr := payAll(links, card, page)
		out = append(out, raws...)
		if progress != nil {
			progress(len(out))
		}
		if perr != nil {
			return out, perr
		}
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// AwaitIPNs waits until the books hold every notification of raws,
// applied by another process (inpctl serve), looking them up by their
// transaction every poll until timeout. It returns what was recorded for
// those applied, in raws' order, as ApplyIPN would have answered, and how
// many are still missing when it gives up (0: all applied).
func (s *Service) AwaitIPNs(ctx context.Context, raws []string, keys []*rsa.PublicKey, timeout, poll time.Duration) ([]IPNResult, int, error) {
	ns := make([]paybox.Notification, len(raws))
	ids := make([]store.Notification, len(raws))
	for k, raw := range raws {
		n, err := verifyIPN(raw, keys)
		if err != nil {
			return nil, len(raws), err
		}
		ns[k] = n
		ids[k] = store.Notification{Cmd: n.Cmd, NumTrans: n.NumTrans, NumAppel: n.NumAppel, Auth: n.Auth, Code: n.Code}
	}
	found := make([]store.AppliedNotice, len(raws))
	left := make([]int, len(raws)) // the indexes not yet applied
	for k := range left {
		left[k] = k
	}
	tick := time.NewTicker(poll)
	defer tick.Stop()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for len(left) > 0 {
		q := make([]store.Notification, len(left))
		for j, k := range left {
			q[j] = ids[k]
		}
		got, err := s.DB.NotificationsApplied(ctx, q)
		if err != nil {
			return nil, len(left), err
		}
		still := left[:0]
		for j, k := range left {
			if found[k] = got[j]; !got[j].Applied {
				still = append(still, k)
			}
		}
		if left = still; len(left) == 0 {
			break
		}
		select {
		case <-ctx.Done():
			return appliedResults(ns, found), len(left), ctx.Err()
		case <-deadline.C:
			return appliedResults(ns, found), len(left), nil
		case <-tick.C:
		}
	}
	return appliedResults(ns, found), 0, nil
}

// appliedResults is what ApplyIPN answered for the notifications the books
// hold, rebuilt from them.
func appliedResults(ns []paybox.Notification, found []store.AppliedNotice) []IPNResult {
	out := []IPNResult{}
	for k, n := range ns {
		a := found[k]
		if !a.Applied {
			continue
		}
		res := IPNResult{StudentID: a.StudentID, Cmd: n.Cmd, Code: n.Code, Outcome: a.Outcome, Amount: n.Amount, Currency: money.Currency,
			Payment: a.Payment, CardSaved: a.CardSaved, NumTrans: n.NumTrans, Excess: a.Outcome == "excess"}
		if a.Outcome == "paid" {
			res.Invoice = a.Invoice
		}
		res.Warning = appliedWarning(n, a)
		out = append(out, res)
	}
	return out
}

// appliedWarning rebuilds the warning ApplyIPN gave where the books say
// it: a second payment on a link, an amount other than the one asked for,
// a card that was not stored (inpctl serve's log says why).
func appliedWarning(n paybox.Notification, a store.AppliedNotice) string {
	switch {
	case a.Outcome == "excess":
		return excessWarning(n, a.Payment, a.StudentID)
	case a.Outcome != "paid":
		return ""
	case n.Amount != a.Asked:
		return amountWarning(n, a.Asked)
	case n.Token != "" && !a.CardSaved:
		return fmt.Sprintf("the payment %s is recorded, but the card was not stored for later debits (inpctl serve's log says why)", a.Payment)
	}
	return ""
}

// excessWarning says what to do with a second payment on a link, recorded
// as payment number of student.
func excessWarning(n paybox.Notification, number, student string) string {
	return fmt.Sprintf("%s was already paid: this second payment (NUMTRANS %s) of %s is recorded as %s and kept as a credit of student %s; refund it (inpctl refund %s --payment %s) or apply it (inpctl payment allocate %s)",
		n.Cmd, n.NumTrans, n.Amount, number, student, student, number, student)
}

// amountWarning: Paybox took another amount than the link asked for.
func amountWarning(n paybox.Notification, asked money.Cents) string {
	return fmt.Sprintf("Paybox took %s on %s, which asked for %s: the payment is recorded as it was made", n.Amount, n.Cmd, asked)
}
