package journal

import "github.com/inpctl/inpctl/internal/money"

// BookTx is a card payment or a card refund as the books record it.
type BookTx struct {
	Refund    bool
	Number    string // the payment's number (a refund: the refunded payment's)
	StudentID string
	Date      string // YYYY-MM-DD
	Amount    money.Cents
	NumTrans  string
	NumAppel  string
	Reference string // the REFERENCE Paybox was sent (PBX_CMD of the hosted page, the attempt's)
}

// The kinds of Difference between the books and Paybox.
const (
	// NotInBooks: Paybox took the money, the books have no payment for it
	// (a notification never applied, a lost answer never reconciled).
	NotInBooks = "not_in_books"
	// NotAtPaybox: the books record a card payment Paybox does not know.
	NotAtPaybox = "not_at_paybox"
	// RefundNotInBooks: Paybox gave money back that the books do not
	// record (a refund made twice, or from the back office).
	RefundNotInBooks = "refund_not_in_books"
	// RefundNotAtPaybox: the books record a card refund Paybox did not make.
	RefundNotAtPaybox = "refund_not_at_paybox"
	// AmountDiffers and DateDiffers: the same transaction on both sides,
	// with another amount or on another day.
	AmountDiffers = "amount_differs"
	DateDiffers   = "date_differs"
)

// Difference is one thing the books and Paybox do not agree on. Paybox
// or Book is nil when that side has nothing.
type Difference struct {
	Kind   string
	Paybox *PayboxTx
	Book   *BookTx
}

// Match reconciles Paybox's transactions with the books': a transaction
// is the books' one with its NUMTRANS, else with its REFERENCE (payments
// with payments, refunds with refunds), each book transaction matched
// once; matched pairs must have the same amount and day. A book
// transaction nobody matched is reported only when dated from from to to
// (the period of the export: the books hold other months). Differences
// come in the order of the export, then of the books.
func Match(paybox []PayboxTx, books []BookTx, from, to string) (diffs []Difference, matched int) {
	type key struct {
		refund bool
		v      string
	}
	byTrans, byRef := map[key][]int{}, map[key][]int{}
	for i, b := range books {
		if b.NumTrans != "" {
			byTrans[key{b.Refund, b.NumTrans}] = append(byTrans[key{b.Refund, b.NumTrans}], i)
		}
		if b.Reference != "" {
			byRef[key{b.Refund, b.Reference}] = append(byRef[key{b.Refund, b.Reference}], i)
		}
	}
	used := make([]bool, len(books))
	take := func(idx []int) int {
		for _, i := range idx {
			if !used[i] {
				used[i] = true
				return i
			}
		}
		return -1
	}
	for i := range paybox {
		p := &paybox[i]
		b := -1
		if p.NumTrans != "" {
			b = take(byTrans[key{p.Refund, p.NumTrans}])
		}
		if b < 0 && p.Reference != "" {
			b = take(byRef[key{p.Refund, p.Reference}])
		}
		switch {
		case b < 0 && p.Refund:
			diffs = append(diffs, Difference{Kind: RefundNotInBooks, Paybox: p})
		case b < 0:
			diffs = append(diffs, Difference{Kind: NotInBooks, Paybox: p})
		case books[b].Amount != p.Amount:
			diffs = append(diffs, Difference{Kind: AmountDiffers, Paybox: p, Book: &books[b]})
		case books[b].Date != p.Date:
			diffs = append(diffs, Difference{Kind: DateDiffers, Paybox: p, Book: &books[b]})
		default:
			matched++
		}
	}
	for i := range books {
		b := &books[i]
		if used[i] || b.Date < from || b.Date > to {
			continue
		}
		kind := NotAtPaybox
		if b.Refund {
			kind = RefundNotAtPaybox
		}
		diffs = append(diffs, Difference{Kind: kind, Book: b})
	}
	return diffs, matched
}
