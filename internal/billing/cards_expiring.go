package billing

import (
	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/gateway"
	"github.com/inpctl/inpctl/internal/money"
	"github.com/inpctl/inpctl/internal/store"
)

// CardExpiring is a stored card that will not last a debit still to come
// (issue 18: account list --cards-expiring).
type CardExpiring struct {
	StudentID string      `json:"student_id"`
	LastName  string      `json:"last_name"`
	FirstName string      `json:"first_name"`
	ValidTo   string      `json:"card_valid_to"` // the card's last day
	FirstDue  string      `json:"first_due_after"`
	Seq       int         `json:"seq"`
	Amount    money.Cents `json:"amount_cents"`
	Currency  string      `json:"currency"`
	Debits    int         `json:"debits_after"` // how many debits fall after the card's last day
}

// CardsExpiring keeps, from the debits to come on each student's card
// (store.CardDues, by student then due date), the students whose card
// expires before one of them: the first such debit and how many there
// are. A zero before keeps them all; else only cards whose last day is
// before it.
func CardsExpiring(dues []store.CardDue, before clock.Date) []CardExpiring {
	out := []CardExpiring{}
	at := map[string]int{}
	for _, d := range dues {
		last := gateway.StoredExpiry(d.CardExpiry).LastDay()
		due, err := clock.ParseDate(d.Due)
		if err != nil || last.IsZero() || !due.After(last) || (!before.IsZero() && !last.Before(before)) {
			continue
		}
		if i, ok := at[d.StudentID]; ok {
			out[i].Debits++
			continue
		}
		at[d.StudentID] = len(out)
		out = append(out, CardExpiring{StudentID: d.StudentID, LastName: d.LastName, FirstName: d.FirstName, ValidTo: last.String(),
			FirstDue: d.Due, Seq: d.Seq, Amount: d.Amount, Currency: money.Currency, Debits: 1})
	}
	return out
}
