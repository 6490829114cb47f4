package billing

import (
	"context"

	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/money"
	"github.com/inpctl/inpctl/internal/store"
)

// The rules of a credit note (issue 21: they were in store/ledger.go;
// store/credit_notes.go now only writes the row): its bounds, and what it
// gives back of the payments of its invoice.

// checkCreditNote refuses a credit note of amount on inv that is not for
// more than zero (a usage error) or is for more than what the invoice still
// has to cancel (a conflict).
func checkCreditNote(inv store.Invoice, amount money.Cents) error {
	if amount <= 0 {
		return fault.New(fault.Usage, "a credit note must be for more than 0,00 €")
	}
	if left := Creditable(inv); amount > left {
		return fault.New(fault.Conflict, "invoice %s has %s left to credit; a credit note of %s is refused",
			inv.Number, left, amount)
	}
	return nil
}

// paidBeyond is what of inv's allocated payments a credit note of amount
// leaves paid beyond what the invoice then owes (0 if nothing).
func paidBeyond(inv store.Invoice, amount money.Cents) money.Cents {
	return max(0, inv.Allocated-(Creditable(inv)-amount))
}

// issueCreditNote issues a credit note of amount on inv, dated date, in
// tx, within checkCreditNote's bounds; what was paid beyond what the
// invoice now owes is released as the student's credit (releaseAllocations).
func (s *Service) issueCreditNote(ctx context.Context, tx *store.Tx, inv store.Invoice, amount money.Cents, reason, date string) (store.CreditNote, error) {
	if err := checkCreditNote(inv, amount); err != nil {
		return store.CreditNote{}, err
	}
	cn, err := tx.IssueCreditNote(ctx, inv, amount, reason, date, s.docIssuer())
	if err != nil {
		return cn, err
	}
	if over := paidBeyond(inv, amount); over > 0 {
		if err := releaseAllocations(ctx, tx, inv.ID, over); err != nil {
			return cn, err
		}
	}
	return cn, nil
}

// releaseAllocations takes back amount of what is allocated to an invoice,
// newest payment first, with negative allocation rows (append-only).
func releaseAllocations(ctx context.Context, tx *store.Tx, invoiceID int64, amount money.Cents) error {
	allocs, err := tx.AllocationsOf(ctx, invoiceID)
	if err != nil {
		return err
	}
	for i := len(allocs) - 1; i >= 0 && amount > 0; i-- {
		take := min(allocs[i].Amount, amount)
		if err := tx.Allocate(ctx, allocs[i].PaymentID, invoiceID, -take); err != nil {
			return err
		}
		amount -= take
	}
	return nil
}
