package cli

import (
	"testing"

	"github.com/inpctl/inpctl/internal/billing"
	"github.com/inpctl/inpctl/internal/store"
)

// TestMethodWordsAreOne: report refunds names a payment's method with the
// word payment list uses (billing.MethodFR), not a copy of its own.
func TestMethodWordsAreOne(t *testing.T) {
	mode := func(heads []string) int {
		for i, h := range heads {
			if h == "Mode" {
				return i
			}
		}
		t.Fatal("no Mode column")
		return -1
	}
	var refundHeads, paymentHeads []string
	refundCols := reportRefundCols()
	for _, c := range refundCols {
		refundHeads = append(refundHeads, c.Head)
	}
	for _, c := range paymentCols {
		paymentHeads = append(paymentHeads, c.Head)
	}
	rc, pc := refundCols[mode(refundHeads)], paymentCols[mode(paymentHeads)]
	for _, m := range []string{"card", "cheque", "transfer", "cash"} {
		got, want := rc.Cell(billing.ReportRefundRow{Method: m}), pc.Cell(store.Payment{Method: m})
		if got != want || want != billing.MethodFR(m) {
			t.Errorf("%s: report refunds says %q, payment list %q", m, got, want)
		}
	}
}
