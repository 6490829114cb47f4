package billing

import (
	"context"
	"time"

	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/store"
)

// DefaultChargeWait is how long a command that changes a plan waits for a
// card debit of the same student to come back from Paybox before refusing.
const DefaultChargeWait = 10 * time.Second

// waitForCharges waits, up to ChargeWait, until no card debit of the
// student is on its way to Paybox (issue 17): a debit takes a few seconds,
// so a clerk's command during the cron run usually just waits. It writes
// nothing; guardCharges, in the command's own transaction, decides.
func (s *Service) waitForCharges(ctx context.Context, studentID string) {
	wait := s.ChargeWait
	if wait == 0 {
		wait = DefaultChargeWait
	}
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) {
		busy, err := s.DB.HasChargeInFlight(ctx, studentID)
		if err != nil || !busy {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// unguardedKey marks a context whose plan changes get through while a
// debit is in flight. Only billing's tests make one (export_test.go's
// unguarded), to test what a charge run does when it meets such a change;
// no caller outside the package can.
type unguardedKey struct{}

// guardCharges refuses, inside the transaction of a command that changes
// a plan (code, cancellation, exemption, manual payment, void, unpaid,
// payer, credit applied), while a card debit of the same student is on its
// way to Paybox: the plan must not change under it. The refusal (exit 11)
// names the run that holds the charge lock. Writers are serialised by
// SQLite, so a charge run either commits its intent before (and this
// refuses) or after (and its intent sees the new plan).
func (s *Service) guardCharges(ctx context.Context, tx *store.Tx, studentID string) error {
	if ctx.Value(unguardedKey{}) != nil {
		return nil
	}
	a, holder, busy, err := tx.ChargeInFlight(ctx, studentID)
	if err != nil || !busy {
		return err
	}
	if holder == "" {
		return fault.New(fault.Locked, "student %s: card debit %s of %s (sent %s) has no known outcome yet; nothing was changed", studentID, a.Reference, a.Amount, a.CreatedAt).
			WithHint("run inpctl reconcile (it asks Paybox what became of it), then this command again")
	}
	return fault.New(fault.Locked, "student %s: card debit %s of %s is on its way to Paybox, sent by %s; nothing was changed", studentID, a.Reference, a.Amount, holder).
		WithHint("wait for that run to finish, then run this command again")
}
