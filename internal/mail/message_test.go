package mail

import (
	"fmt"
	"testing"

	"github.com/inpctl/inpctl/internal/pan"
)

// TestMessageIDHoldsNoCardNumber: a Message-ID is stored with its notice,
// and db check refuses any stored text that reads as a card number. Its
// hex digest holds a 13-digit Luhn-valid run about once in a thousand keys
// (make demo's year had one): the card detector reads a long hex token as
// a digest (pan.MinDigestLen), so none of these is a card number.
func TestMessageIDHoldsNoCardNumber(t *testing.T) {
	for i := range 20000 {
		id := MessageID(fmt.Sprintf("payment_received:REG%06d", i), "Service <affaires-financieres@example.org>")
		if len(pan.Find(id)) > 0 {
			t.Fatalf("key %d: %s reads as a card number", i, id)
		}
	}
}
