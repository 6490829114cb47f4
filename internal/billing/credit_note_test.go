package billing

import (
	"context"
	"strings"
	"testing"

	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/money"
	"github.com/inpctl/inpctl/internal/store"
)

// TestCreditNoteBounds: billing refuses a credit note not above zero
// (usage) or above what the invoice has left to credit (conflict); the
// store only writes the row.
func TestCreditNoteBounds(t *testing.T) {
	inv := store.Invoice{Number: "9200", TTC: 80000, Credited: 30000}
	for _, c := range []struct {
		amount money.Cents
		kind   fault.Kind
		msg    string
	}{
		{0, fault.Usage, "a credit note must be for more than 0,00 €"},
		{-1, fault.Usage, "a credit note must be for more than 0,00 €"},
		{50001, fault.Conflict, "invoice 9200 has 500,00 € left to credit; a credit note of 500,01 € is refused"},
		{50000, 0, ""},
		{1, 0, ""},
	} {
		err := checkCreditNote(inv, c.amount)
		if c.msg == "" {
			if err != nil {
				t.Errorf("%s: %v", c.amount, err)
			}
			continue
		}
		if err == nil || fault.KindOf(err) != c.kind || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: %v (%v), want %q (%v)", c.amount, err, fault.KindOf(err), c.msg, c.kind)
		}
	}
}

// TestCreditNoteReleasesWhatIsPaidBeyond: a credit note gives back, as the
// student's credit, what was paid of the invoice beyond what it then owes,
// and nothing while the payments stay under it.
func TestCreditNoteReleasesWhatIsPaidBeyond(t *testing.T) {
	for _, c := range []struct {
		ttc, credited, allocated, amount, want money.Cents
	}{
		{80000, 0, 62800, 10000, 0},
		{80000, 0, 62800, 20000, 2800},
		{80000, 0, 80000, 80000, 80000},
		{80000, 30000, 50000, 50000, 50000},
	} {
		inv := store.Invoice{TTC: c.ttc, Credited: c.credited, Allocated: c.allocated}
		if got := paidBeyond(inv, c.amount); got != c.want {
			t.Errorf("%+v, credit note %s: releases %s, want %s", c, c.amount, got, c.want)
		}
	}
	s := activeWithCard(t) // invoice 9200, 62 800 paid
	ctx := context.Background()
	var inv store.Invoice
	credit := func() money.Cents {
		var v money.Cents
		if err := s.DB.InTx(ctx, func(tx *store.Tx) error {
			var err error
			if inv, err = tx.InvoiceByNumber(ctx, "9200"); err != nil {
				return err
			}
			v, err = tx.StudentCredit(ctx, "22100002")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return v
	}
	credit()
	left := inv.TTC - inv.Allocated
	if _, err := s.IssueCreditNote(ctx, "9200", left, "remise"); err != nil {
		t.Fatal(err)
	}
	if got := credit(); got != 0 || inv.Allocated != 62800 {
		t.Fatalf("a credit note of what is unpaid: credit %s, allocated %s; want 0, 628,00 €", got, inv.Allocated)
	}
	if _, err := s.IssueCreditNote(ctx, "9200", 1000, "geste"); err != nil {
		t.Fatal(err)
	}
	if got := credit(); got != 1000 || inv.Allocated != 61800 {
		t.Fatalf("a credit note into what is paid: credit %s, allocated %s; want 10,00 €, 618,00 €", got, inv.Allocated)
	}
	if _, err := s.IssueCreditNote(ctx, "9200", Creditable(inv)+1, "trop"); fault.KindOf(err) != fault.Conflict {
		t.Fatalf("over the bound: %v, want a conflict", err)
	}
}
