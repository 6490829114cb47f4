// Package gateway is the card-gateway interface the billing code calls, in
// domain words: charge a stored card, refund, look a transaction up,
// register and delete a card. It owns the request and result types and the
// one classification of Paybox result codes (Classify, Describe).
//
// The implementations live below it: gateway/paybox speaks Paybox Direct Plus
// over HTTP, gateway/sandbox simulates Paybox. gateway imports only money,
// clock, pan and the standard library; it never does I/O.
package gateway

import (
	"context"
	"time"

	"github.com/inpctl/inpctl/internal/money"
)

// Outcome says what a gateway call did, as far as the caller can know.
type Outcome int

// The outcomes. The zero value is Unknown, so a Result that was never filled
// in can never be mistaken for an approval or for a safe retry.
const (
	// Unknown: the gateway may have acted (timeout after sending, lost
	// answer, 00001/00097/00098/00099, HTTP 5xx). The operation must be
	// looked up (TYPE 00011), never sent again blindly.
	Unknown Outcome = iota
	// Approved: the gateway accepted the operation.
	Approved
	// Declined: the gateway refused; Result.Hard says whether to stop.
	Declined
	// Unavailable: nothing happened (connection refused, DNS failure before
	// any byte was sent); retrying is safe.
	Unavailable
)

var outcomeNames = [...]string{"unknown", "approved", "declined", "unavailable"}

// String returns the lower-case name of o.
func (o Outcome) String() string {
	if o < 0 || int(o) >= len(outcomeNames) {
		return "unknown"
	}
	return outcomeNames[o]
}

// Result is the answer to one gateway call.
type Result struct {
	Outcome Outcome
	// NumTrans, NumAppel and Authorisation identify the transaction on
	// approval (10-digit Paybox numbers; AUTORISATION is XXXXXX in preprod).
	NumTrans, NumAppel, Authorisation string
	// Code is CODEREPONSE (5 characters, e.g. "00151", "001R1"); Text is
	// COMMENTAIRE decoded to UTF-8. Both are empty when no answer arrived.
	Code, Text string
	// Hard is meaningful for Declined: true means stop retrying and block
	// (hard decline, or our request is wrong); false means retry later.
	Hard bool
	// Token and DateVal are set by Register: the card token Paybox returned
	// in PORTEUR (spaces trimmed) and its expiry as MMYY.
	Token, DateVal string
	// Detail says, for Unknown and Unavailable, what went wrong on the way
	// (e.g. "timeout after sending the request"). It never holds secrets.
	Detail string
}

// NotFound reports whether r is a lookup's "transaction not found" (00018).
func (r Result) NotFound() bool { return r.Outcome == Declined && r.Code == CodeNotFound }

// CodeNotFound is the CODEREPONSE of a lookup that found nothing.
const CodeNotFound = "00018"

// ChargeRequest charges a registered card (Paybox TYPE 00053).
type ChargeRequest struct {
	Reference   string      // REFERENCE, unique per attempt (1–250 characters)
	NumQuestion int64       // NUMQUESTION, 1..2147483647, unique per day
	Amount      money.Cents // MONTANT, > 0
	RefAbonne   string      // REFABONNE of the registered card
	Token       string      // PORTEUR: the token Paybox returned at registration
	DateVal     string      // DATEVAL of the card, MMYY
	Recurring   bool        // ACTIVITE=027 (merchant-initiated recurring payment)
	When        time.Time   // DATEQ
}

// RefundRequest refunds (part of) a captured transaction (TYPE 00014).
type RefundRequest struct {
	Reference          string // optional REFERENCE
	NumQuestion        int64
	Amount             money.Cents
	NumTrans, NumAppel string // of the transaction to refund
	When               time.Time
}

// LookupRequest asks whether a transaction with this REFERENCE and amount
// exists (TYPE 00011).
type LookupRequest struct {
	Reference   string
	NumQuestion int64
	Amount      money.Cents
	When        time.Time
}

// RegisterRequest registers a card as a Direct Plus subscriber (TYPE 00056).
// It is used only by tests and sandbox flows: inpctl never takes a card
// number from its users.
type RegisterRequest struct {
	RefAbonne   string
	NumQuestion int64
	Amount      money.Cents // amount of the authorization made at registration
	PAN         string
	DateVal     string // MMYY
	CVV         string
	When        time.Time
}

// Gateway is what billing needs from a card gateway. The error return is
// only for programming and configuration mistakes (a request we built
// wrong); everything that happens on the network is a Result.Outcome.
type Gateway interface {
	// Charge debits a registered card (TYPE 00053).
	Charge(ctx context.Context, r ChargeRequest) (Result, error)
	// Refund refunds a captured transaction (TYPE 00014).
	Refund(ctx context.Context, r RefundRequest) (Result, error)
	// Lookup finds a transaction by reference and amount (TYPE 00011):
	// Approved with NumTrans/NumAppel if found, Declined with Code 00018 if
	// not. A lookup never acts, so it never answers Unknown: anything that
	// is neither found nor not-found is Unavailable.
	Lookup(ctx context.Context, r LookupRequest) (Result, error)
	// Register registers a card (TYPE 00056) and returns its token.
	Register(ctx context.Context, r RegisterRequest) (Result, error)
	// Delete removes a registered card (TYPE 00058).
	Delete(ctx context.Context, refAbonne string, numQuestion int64, when time.Time) (Result, error)
}
