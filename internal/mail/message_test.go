package mail

import (
	"fmt"
	"strings"
	"testing"

	"github.com/inpctl/inpctl/internal/pan"
)

// TestMessageIDHoldsNoCardNumber: a Message-ID is stored with its notice,
// and db check refuses any stored text that reads as a card number. In
// hex, about one key in a thousand gave a 13-digit Luhn-valid run (make
// demo's year had one); the letters form has no digit at all.
func TestMessageIDHoldsNoCardNumber(t *testing.T) {
	for i := range 20000 {
		id := MessageID(fmt.Sprintf("payment_received:REG%06d", i), "Service <affaires-financieres@example.org>")
		local, _, _ := strings.Cut(id, "@")
		if strings.ContainsAny(local, "0123456789") || len(pan.Find(id)) > 0 {
			t.Fatalf("key %d: %s holds digits", i, id)
		}
	}
}
