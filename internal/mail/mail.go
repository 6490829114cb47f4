// Package mail owns the e-mail notices inpctl sends to students: their
// kinds, the data each one carries, the built-in French templates (text and
// HTML, overridable from a folder), the Message-ID derived from the
// outbox key, and the send loop over the outbox (Run). The SMTP transport
// itself is in mail/smtp, the only user of go-mail.
//
// A notice is written by billing in the transaction of its event
// (store.Tx.QueueNotice) and sent later by Run: nothing is sent inside a
// billing command. mail imports store, money, clock and fault.
package mail

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/money"
)

// Kind is the kind of a notice.
type Kind string

// The kinds of notice (issue 19), each can be turned off in mail.notices.
const (
	PlanApproved    Kind = "plan_approved"
	PlanRejected    Kind = "plan_rejected"
	DebitUpcoming   Kind = "debit_upcoming"
	DebitFailed     Kind = "debit_failed"
	OrderBlocked    Kind = "order_blocked"
	PaymentReceived Kind = "payment_received"
	CreditNote      Kind = "credit_note"
	Refund          Kind = "refund"
	Exemption       Kind = "exemption"
)

// Kinds lists every kind, in the order of the issue.
var Kinds = []Kind{PlanApproved, PlanRejected, DebitUpcoming, DebitFailed, OrderBlocked, PaymentReceived, CreditNote, Refund, Exemption}

// ParseKind checks a kind given on the command line.
func ParseKind(s string) (Kind, error) {
	for _, k := range Kinds {
		if string(k) == s {
			return k, nil
		}
	}
	names := make([]string, len(Kinds))
	for i, k := range Kinds {
		names[i] = string(k)
	}
	return "", fault.New(fault.Usage, "%q is not a kind of notice", s).WithHint("kinds: %s", strings.Join(names, ", "))
}

// Doc is a document attached to a notice, rendered when it is sent: an
// invoice as of a date (the bytes of `invoice render N --as-of D`), a
// credit note, or the student's account statement as of a date (the bytes
// of `account statement ID --as-of D`).
type Doc struct {
	Kind   string `json:"kind"` // invoice, credit_note or statement
	Number string `json:"number"`
	AsOf   string `json:"as_of,omitempty"`
}

// Document kinds.
const (
	DocInvoice    = "invoice"
	DocCreditNote = "credit_note"
	DocStatement  = "statement"
)

// Instalment is one échéance as a notice shows it.
type Instalment struct {
	Seq    int         `json:"seq"`
	Amount money.Cents `json:"amount_cents"`
	Due    string      `json:"due_date,omitempty"` // "" until the first payment fixes the dates
}

// Data is what a notice's message needs, written as JSON in the outbox
// when the event happens. Each kind sets its own fields (see the
// templates); the rest stay empty.
type Data struct {
	Order  string      `json:"order,omitempty"`
	Date   string      `json:"date,omitempty"` // the event's date, YYYY-MM-DD
	Amount money.Cents `json:"amount_cents,omitempty"`

	// plan_approved, plan_rejected
	Plan        string       `json:"plan,omitempty"`
	Total       money.Cents  `json:"total_cents,omitempty"`
	Instalments []Instalment `json:"instalments,omitempty"`
	DebitDay    int          `json:"debit_day,omitempty"`
	// NeedsLink asks for a payment link (the hosted page, which also
	// registers a card), made when the notice is first sent.
	NeedsLink bool `json:"needs_link,omitempty"`

	// debit_upcoming, debit_failed
	Seq     int    `json:"seq,omitempty"`
	Due     string `json:"due_date,omitempty"`
	Card    string `json:"card,omitempty"` // "CB expirant fin 12/2027": never a card number
	Code    string `json:"code,omitempty"`
	Decline string `json:"decline,omitempty"` // the decline in plain French
	Retry   bool   `json:"retry,omitempty"`
	NextTry string `json:"next_try,omitempty"`
	Blocked bool   `json:"blocked,omitempty"`

	// plan_rejected, order_blocked, credit_note, refund
	Reason string `json:"reason,omitempty"`

	// payment_received, refund
	Payment   string      `json:"payment,omitempty"`
	Method    string      `json:"method,omitempty"` // in French: carte, chèque, virement, espèces
	Remaining money.Cents `json:"remaining_cents,omitempty"`
	Credit    money.Cents `json:"credit_cents,omitempty"`

	// credit_note, exemption
	Invoice    string      `json:"invoice,omitempty"`
	CreditNote string      `json:"credit_note,omitempty"`
	Decision   string      `json:"decision,omitempty"`
	Tariff     money.Cents `json:"tariff_cents,omitempty"`
	Cancelled  int         `json:"cancelled_instalments,omitempty"`

	Docs []Doc `json:"docs,omitempty"`
}

// Encode is the JSON written in the outbox.
func (d Data) Encode() (string, error) {
	b, err := json.Marshal(d)
	return string(b), err
}

// DecodeData reads a notice's data back.
func DecodeData(s string) (Data, error) {
	var d Data
	if err := json.Unmarshal([]byte(s), &d); err != nil {
		return d, fmt.Errorf("notice data: %w", err)
	}
	return d, nil
}
