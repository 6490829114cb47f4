package billing

import (
	"testing"

	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/store"
)

func TestCardsExpiring(t *testing.T) {
	dues := []store.CardDue{
		// valid to 30/11/2025: the debits of December and January are after it
		{StudentID: "1", CardExpiry: "2511", Due: "2025-11-10", Seq: 3, Amount: 82825},
		{StudentID: "1", CardExpiry: "2511", Due: "2025-12-10", Seq: 4, Amount: 82825},
		{StudentID: "1", CardExpiry: "2511", Due: "2026-01-10", Seq: 5, Amount: 82825},
		// lasts the plan
		{StudentID: "2", CardExpiry: "2812", Due: "2026-01-10", Seq: 5, Amount: 82825},
		// unreadable expiry: not guessed
		{StudentID: "3", CardExpiry: "??", Due: "2026-01-10", Seq: 5, Amount: 82825},
	}
	got := CardsExpiring(dues, clock.Date{})
	if len(got) != 1 || got[0].StudentID != "1" || got[0].ValidTo != "2025-11-30" || got[0].FirstDue != "2025-12-10" || got[0].Seq != 4 || got[0].Debits != 2 {
		t.Fatalf("CardsExpiring: %+v", got)
	}
	if got := CardsExpiring(dues, clock.NewDate(2025, 11, 1)); len(got) != 0 {
		t.Errorf("before 01/11/2025: the card lasts until 30/11: %+v", got)
	}
	if got := CardsExpiring(dues, clock.NewDate(2026, 1, 1)); len(got) != 1 {
		t.Errorf("before 01/01/2026: %+v", got)
	}
}
