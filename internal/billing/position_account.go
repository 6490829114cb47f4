package billing

import (
	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/money"
	"github.com/inpctl/inpctl/internal/store"
)

// Account is a student's account position as of a date: the sections of
// the seed's "Ma position de compte" screen, their totals, the four figures,
// the plan, the coming debits and the failed charge attempts.
type Account struct {
	AsOf        string                               `json:"as_of"`
	Orders      Section[OrderLine, OrderTotals]      `json:"orders"`
	Invoices    Section[InvoiceLine, InvoiceTotals]  `json:"invoices"`
	Payments    Section[PaymentLine, PaymentTotals]  `json:"payments"`
	CreditNotes Section[CreditNoteLine, AmountTotal] `json:"credit_notes"`
	Refunds     Section[RefundLine, AmountTotal]     `json:"refunds"`
	Summary     Summary                              `json:"summary"`
	Blocked     string                               `json:"blocked_reason"`
	Plan        *PlanLine                            `json:"plan"`
	Coming      []ComingDebit                        `json:"coming_debits"`
	Failed      []FailedAttempt                      `json:"failed_attempts"`
	Notices     []NoticeLine                         `json:"notices"`
}

// NoticeLine is an e-mail notice to the student: queued with its event,
// then sent (or failed) by mail send (issue 19).
type NoticeLine struct {
	ID        int64  `json:"id"`
	Date      string `json:"date"`
	Kind      string `json:"kind"`
	Status    string `json:"status"`
	SentAt    string `json:"sent_at"`
	Recipient string `json:"recipient"`
	Error     string `json:"error,omitempty"`
}

// Section is one table of the position: its rows and its total row.
type Section[L, T any] struct {
	Items []L `json:"items"`
	Total T   `json:"total"`
}

// AmountTotal is the total row of a section with one amount column.
type AmountTotal struct {
	Amount money.Cents `json:"amount_cents"`
}

// OrderLine is a row of Commandes. SettledDate is the day the order was
// fully settled ("" while open).
type OrderLine struct {
	Date          string      `json:"date"`
	Number        string      `json:"number"`
	Year          string      `json:"academic_year"`
	Code          string      `json:"code"`
	SettledDate   string      `json:"settled_date"`
	BlockedReason string      `json:"blocked_reason"`
	Superseded    bool        `json:"superseded"`
	HT            money.Cents `json:"ht_cents"`
	TVA           money.Cents `json:"tva_cents"`
	TTC           money.Cents `json:"ttc_cents"`
	Financed      money.Cents `json:"financed_ttc_cents"`
	Invoiced      money.Cents `json:"invoiced_ttc_cents"`
}

// OrderTotals is the total row of Commandes.
type OrderTotals struct {
	HT       money.Cents `json:"ht_cents"`
	TVA      money.Cents `json:"tva_cents"`
	TTC      money.Cents `json:"ttc_cents"`
	Financed money.Cents `json:"financed_ttc_cents"`
	Invoiced money.Cents `json:"invoiced_ttc_cents"`
}

// InvoiceLine is a row of Factures: what was credited, paid (allocated)
// and refunded on it as of the date, and what is still due.
type InvoiceLine struct {
	Date        string      `json:"date"`
	Number      string      `json:"number"`
	OrderNumber string      `json:"order_number"`
	SettledDate string      `json:"settled_date"`
	HT          money.Cents `json:"ht_cents"`
	TVA         money.Cents `json:"tva_cents"`
	TTC         money.Cents `json:"ttc_cents"`
	Credited    money.Cents `json:"credited_ttc_cents"`
	Paid        money.Cents `json:"paid_ttc_cents"`
	Refunded    money.Cents `json:"refunded_ttc_cents"`
	Due         money.Cents `json:"due_cents"`
	// Payer: the payer's invoice for its share of the order (set-payer
	// --share), listed here but no part of the student's figures.
	Payer bool `json:"payer,omitempty"`
}

// InvoiceTotals is the total row of Factures.
type InvoiceTotals struct {
	HT       money.Cents `json:"ht_cents"`
	TVA      money.Cents `json:"tva_cents"`
	TTC      money.Cents `json:"ttc_cents"`
	Credited money.Cents `json:"credited_ttc_cents"`
	Paid     money.Cents `json:"paid_ttc_cents"`
	Refunded money.Cents `json:"refunded_ttc_cents"`
	Due      money.Cents `json:"due_cents"`
}

func (t InvoiceTotals) add(i InvoiceLine) InvoiceTotals {
	return InvoiceTotals{t.HT + i.HT, t.TVA + i.TVA, t.TTC + i.TTC, t.Credited + i.Credited, t.Paid + i.Paid, t.Refunded + i.Refunded, t.Due + i.Due}
}

// PaymentLine is a row of Règlements. A payment reversed as unpaid by the
// date has Unpaid = its amount and nothing allocated.
type PaymentLine struct {
	Date       string      `json:"date"`
	Number     string      `json:"number"`
	Method     string      `json:"method"`
	Ref        string      `json:"ref"`
	Amount     money.Cents `json:"amount_cents"`
	Allocated  money.Cents `json:"allocated_cents"`
	Unpaid     money.Cents `json:"unpaid_cents"`
	UnpaidDate string      `json:"unpaid_date"`
	// Voided: the reversal is a void (entered by mistake), not an impayé;
	// Unpaid and UnpaidDate then say how much and when.
	Voided bool `json:"voided,omitempty"`
	// Payer: the payer's transfer for its share of the order, listed here
	// but no part of the student's figures.
	Payer bool `json:"payer,omitempty"`
}

// PaymentTotals is the total row of Règlements.
type PaymentTotals struct {
	Amount    money.Cents `json:"amount_cents"`
	Allocated money.Cents `json:"allocated_cents"`
	Unpaid    money.Cents `json:"unpaid_cents"`
}

// CreditNoteLine is a row of Avoirs.
type CreditNoteLine struct {
	Date          string      `json:"date"`
	Number        string      `json:"number"`
	InvoiceNumber string      `json:"invoice_number"`
	Amount        money.Cents `json:"amount_cents"`
	Reason        string      `json:"reason"`
}

// RefundLine is a row of Remboursements.
type RefundLine struct {
	Date          string      `json:"date"`
	Amount        money.Cents `json:"amount_cents"`
	Method        string      `json:"method"`
	Reason        string      `json:"reason"`
	PaymentNumber string      `json:"payment_number"`
}

// PlanLine is the student's current plan: the last one asked for on a
// current (not superseded) order, whatever its status.
type PlanLine struct {
	Plan        string `json:"plan"`
	Status      string `json:"status"`
	OrderNumber string `json:"order_number"`
	Count       int    `json:"instalments"`
	PaidCount   int    `json:"paid_instalments"`
	// PaidAmount is the money received on the plan by the as-of day (after
	// its approval, net of reversals), partial payments of an instalment
	// included; PaidCount counts the instalments paid in full.
	PaidAmount  money.Cents      `json:"paid_cents"`
	Remaining   money.Cents      `json:"remaining_cents"`
	Instalments []InstalmentLine `json:"schedule"`
}

// InstalmentLine is one échéance of the current plan as of the date.
type InstalmentLine struct {
	Seq      int         `json:"seq"`
	Due      string      `json:"due_date"`
	Amount   money.Cents `json:"amount_cents"`
	Status   string      `json:"status"`
	PaidDate string      `json:"paid_date"`
}

// ComingDebit is an instalment still to be debited from the stored card:
// Overdue when its date has passed (a failed debit waiting for a retry).
// CardExpires is the card's last valid day; CardOK is false when there is
// no usable card or it expires before the debit date.
type ComingDebit struct {
	Due         string      `json:"due_date"`
	Seq         int         `json:"seq"`
	Amount      money.Cents `json:"amount_cents"`
	Status      string      `json:"status"`
	Overdue     bool        `json:"overdue"`
	Blocked     bool        `json:"blocked"` // the order is blocked: nothing is debited until staff lift it
	NextTry     string      `json:"next_try"`
	CardExpires string      `json:"card_expires"`
	CardOK      bool        `json:"card_ok"`
}

// FailedAttempt is a charge attempt that was declined, failed, or whose
// outcome is unknown, with the gateway's code.
type FailedAttempt struct {
	Date        string      `json:"date"`
	Reference   string      `json:"reference"`
	OrderNumber string      `json:"order_number"`
	Seq         int         `json:"seq"`
	Amount      money.Cents `json:"amount_cents"`
	State       string      `json:"state"`
	Code        string      `json:"code"`
	Text        string      `json:"message"`
}

// BuildAccount computes a student's account position as of asOf from the
// ledger rows. It is pure: the same rows and date give the same Account.
func BuildAccount(r store.AccountRows, asOf clock.Date) Account {
	day := asOf.String()
	l := newLedger(r, day)
	a := Account{AsOf: day, Summary: Position(r, asOf), Coming: []ComingDebit{}, Failed: []FailedAttempt{}, Notices: []NoticeLine{}}
	a.Invoices = l.invoiceLines()
	a.Orders, a.Blocked = l.orderLines(a.Invoices.Items)
	a.Payments = l.paymentLines()
	a.CreditNotes.Items = []CreditNoteLine{}
	for _, c := range r.CreditNotes {
		if c.Date <= day {
			a.CreditNotes.Items = append(a.CreditNotes.Items, CreditNoteLine{c.Date, c.Number, c.InvoiceNumber, c.Amount, c.Reason})
			a.CreditNotes.Total.Amount += c.Amount
		}
	}
	a.Refunds.Items = []RefundLine{}
	for _, f := range r.Refunds {
		if f.Date <= day {
			a.Refunds.Items = append(a.Refunds.Items, RefundLine{f.Date, f.Amount, f.Method, f.Reason, l.paymentNumber[f.PaymentID]})
			a.Refunds.Total.Amount += f.Amount
		}
	}
	a.Plan, a.Coming = l.plan()
	for _, t := range r.Attempts {
		if t.Date <= day {
			a.Failed = append(a.Failed, FailedAttempt{t.Date, t.Reference, t.OrderNumber, t.Seq, t.Amount, t.State, t.Code, t.Text})
		}
	}
	for _, n := range r.Notices {
		if n.Date <= day {
			// What is known of it as of day: sent later is still pending then.
			line := NoticeLine{ID: n.ID, Date: n.Date, Kind: n.Kind, Status: n.Status, Recipient: n.Recipient, Error: n.LastError}
			if n.Status == "sent" {
				if n.SentAt > day {
					line.Status, line.Recipient = "pending", ""
				} else {
					line.SentAt = n.SentAt
				}
			}
			a.Notices = append(a.Notices, line)
		}
	}
	return a
}
