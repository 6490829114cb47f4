package paybox

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/gateway"
	"github.com/inpctl/inpctl/internal/money"
	"github.com/inpctl/inpctl/internal/pan"
)

// Direct Plus TYPE codes (docs/paybox.md §2.4).
const (
	TypeLookup   = "00011"
	TypeRefund   = "00014"
	TypeCharge   = "00053"
	TypeRegister = "00056"
	TypeUpdate   = "00057"
	TypeDelete   = "00058"
)

// Fixed request values.
const (
	version      = "00104" // Direct Plus
	deviseEUR    = "978"
	activiteRecu = "027" // recurring payment
	maxNumQ      = 2147483647
)

// kind says how an operation may be failed over to the backup host.
type kind int

const (
	acting   kind = iota // charge, refund, register: only if never sent
	readOnly             // lookup, delete: on any doubtful answer
)

// Charge debits a registered card (TYPE 00053, ACTIVITE 027 if recurring).
func (c *Client) Charge(ctx context.Context, r gateway.ChargeRequest) (gateway.Result, error) {
	fs, err := c.begin(TypeCharge, r.NumQuestion)
	if err == nil {
		err = firstErr(checkAmount(r.Amount), checkText("REFERENCE", r.Reference),
			checkText("REFABONNE", r.RefAbonne), checkText("PORTEUR", r.Token), checkDateVal(r.DateVal))
	}
	if err != nil {
		return gateway.Result{}, err
	}
	fs.add("MONTANT", montant(r.Amount))
	fs.add("DEVISE", deviseEUR)
	fs.add("REFERENCE", r.Reference)
	fs.add("REFABONNE", r.RefAbonne)
	fs.add("PORTEUR", trimToken(r.Token))
	fs.add("DATEVAL", r.DateVal)
	if r.Recurring {
		fs.add("ACTIVITE", activiteRecu)
	}
	return c.finish(ctx, fs, r.NumQuestion, r.When, acting)
}

// Refund refunds (part of) a captured transaction (TYPE 00014).
func (c *Client) Refund(ctx context.Context, r gateway.RefundRequest) (gateway.Result, error) {
	fs, err := c.begin(TypeRefund, r.NumQuestion)
	if err == nil {
		err = firstErr(checkAmount(r.Amount), checkNumber("NUMTRANS", r.NumTrans, 10), checkNumber("NUMAPPEL", r.NumAppel, 10))
	}
	if err == nil && r.Reference != "" {
		err = checkText("REFERENCE", r.Reference)
	}
	if err != nil {
		return gateway.Result{}, err
	}
	fs.add("MONTANT", montant(r.Amount))
	fs.add("DEVISE", deviseEUR)
	if r.Reference != "" {
		fs.add("REFERENCE", r.Reference)
	}
	fs.add("NUMAPPEL", pad10(r.NumAppel))
	fs.add("NUMTRANS", pad10(r.NumTrans))
	return c.finish(ctx, fs, r.NumQuestion, r.When, acting)
}

// Lookup finds a transaction by REFERENCE and amount (TYPE 00011). It
// answers Approved (found), Declined 00018 (not found) or Unavailable.
func (c *Client) Lookup(ctx context.Context, r gateway.LookupRequest) (gateway.Result, error) {
	fs, err := c.begin(TypeLookup, r.NumQuestion)
	if err == nil {
		err = firstErr(checkAmount(r.Amount), checkText("REFERENCE", r.Reference))
	}
	if err != nil {
		return gateway.Result{}, err
	}
	fs.add("MONTANT", montant(r.Amount))
	fs.add("DEVISE", deviseEUR)
	fs.add("REFERENCE", r.Reference)
	res, err := c.finish(ctx, fs, r.NumQuestion, r.When, readOnly)
	if err == nil && res.Outcome != gateway.Approved && !res.NotFound() {
		// A lookup acts on nothing: whatever is neither "found" nor "not
		// found" only means "ask again later".
		res.Outcome, res.Hard = gateway.Unavailable, false
		if res.Detail == "" {
			res.Detail = "the lookup did not say found or not found"
		}
	}
	return res, err
}

// Register registers a card as subscriber refAbonne (TYPE 00056). The
// result carries the token and the expiry to charge it later.
func (c *Client) Register(ctx context.Context, r gateway.RegisterRequest) (gateway.Result, error) {
	return c.subscriber(ctx, TypeRegister, r)
}

// UpdateCard gives the existing subscriber r.RefAbonne a new card (TYPE
// 00057): the result carries the new token and expiry, and the old token
// stops working. Like Register it takes a card number, so inpctl itself
// never calls it (a student's new card comes through the hosted page);
// it is here for tests and sandbox flows.
func (c *Client) UpdateCard(ctx context.Context, r gateway.RegisterRequest) (gateway.Result, error) {
	return c.subscriber(ctx, TypeUpdate, r)
}

// subscriber sends a registration (00056) or a card update (00057): the
// same fields, an authorization of r.Amount.
func (c *Client) subscriber(ctx context.Context, typ string, r gateway.RegisterRequest) (gateway.Result, error) {
	fs, err := c.begin(typ, r.NumQuestion)
	if err == nil {
		err = firstErr(checkAmount(r.Amount), checkText("REFABONNE", r.RefAbonne), checkNumber("PORTEUR", r.PAN, 19), checkDateVal(r.DateVal))
	}
	if err != nil {
		return gateway.Result{}, err
	}
	fs.add("MONTANT", montant(r.Amount))
	fs.add("DEVISE", deviseEUR)
	fs.add("REFABONNE", r.RefAbonne)
	fs.add("PORTEUR", r.PAN)
	fs.add("DATEVAL", r.DateVal)
	if r.CVV != "" {
		fs.add("CVV", r.CVV)
	}
	res, err := c.finish(ctx, fs, r.NumQuestion, r.When, acting)
	if res.Outcome == gateway.Approved {
		res.DateVal = r.DateVal
	}
	return res, err
}

// Delete removes subscriber refAbonne (TYPE 00058). Deleting twice answers
// 00017 (subscriber does not exist) the second time.
func (c *Client) Delete(ctx context.Context, refAbonne string, numQuestion int64, when time.Time) (gateway.Result, error) {
	fs, err := c.begin(TypeDelete, numQuestion)
	if err == nil {
		err = checkText("REFABONNE", refAbonne)
	}
	if err != nil {
		return gateway.Result{}, err
	}
	fs.add("REFABONNE", refAbonne)
	return c.finish(ctx, fs, numQuestion, when, readOnly)
}

// begin checks the configuration and the question number and returns the
// fields every request starts with.
func (c *Client) begin(typ string, nq int64) (fields, error) {
	if err := c.checkConfig(); err != nil {
		return nil, err
	}
	if nq < 1 || nq > maxNumQ {
		return nil, badRequest("NUMQUESTION %d is outside 1..%d", nq, maxNumQ)
	}
	fs := make(fields, 0, 18)
	fs.add("VERSION", version)
	fs.add("TYPE", typ)
	fs.add("SITE", c.cfg.Site)
	fs.add("RANG", rang3(c.cfg.Rang))
	fs.add("IDENTIFIANT", c.cfg.Identifiant)
	fs.add("NUMQUESTION", zeroPad10(nq))
	return fs, nil
}

// finish adds DATEQ, HASH and HMAC and sends the request.
func (c *Client) finish(ctx context.Context, fs fields, nq int64, when time.Time, k kind) (gateway.Result, error) {
	if when.IsZero() {
		return gateway.Result{}, badRequest("no time given for DATEQ")
	}
	fs.add("DATEQ", when.In(c.loc).Format("02012006150405"))
	fs.add("HASH", "SHA512")
	fs.add("HMAC", sign(c.cfg.Key, "SHA512", fs.signString()))
	return c.send(ctx, fs.encode(), nq, k), nil
}

func (c *Client) checkConfig() error {
	switch {
	case len(c.urls) == 0:
		return fault.New(fault.Usage, "no Paybox Direct URL is configured")
	case len(c.cfg.Key) == 0:
		return fault.New(fault.Usage, "no Paybox HMAC key is configured").
			WithHint("set INPCTL_GATEWAY_PAYBOX_HMAC_KEY or gateway.paybox.hmac_key_file")
	case !pan.Digits(c.cfg.Site, 7, 7) || !pan.Digits(c.cfg.Rang, 1, 3) || !pan.Digits(c.cfg.Identifiant, 1, 9):
		return fault.New(fault.Usage, "the Paybox site (7 digits), rang (2-3 digits) or identifiant (1-9 digits) is malformed")
	}
	for _, u := range c.urls {
		if p, err := url.Parse(u); err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" {
			return fault.New(fault.Usage, "%q is not an http(s) URL for Paybox Direct", u)
		}
	}
	return nil
}

func badRequest(format string, args ...any) error {
	return fault.New(fault.Failure, "paybox request: "+format, args...)
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func checkAmount(a money.Cents) error {
	if a <= 0 || a > money.MaxCents {
		return badRequest("amount %d cents is outside 1..%d", int64(a), int64(money.MaxCents))
	}
	return nil
}

func checkText(name, v string) error {
	if v == "" || len(v) > 250 {
		return badRequest("%s must have 1 to 250 characters (has %d)", name, len(v))
	}
	return nil
}

func checkNumber(name, v string, max int) error {
	if !pan.Digits(v, 1, max) {
		return badRequest("%s must be digits", name) // never quote: it may be a PAN
	}
	return nil
}

func checkDateVal(v string) error {
	if _, err := gateway.ParseMMYY(v); err != nil || !pan.Digits(v, 4, 4) { // MMYY exactly: no "MM/YY" on the wire
		return badRequest("DATEVAL %q is not MMYY", v)
	}
	return nil
}

func montant(a money.Cents) string { return zeroPad10(int64(a)) }

// zeroPad10 is fmt.Sprintf("%010d", n), without fmt.
func zeroPad10(n int64) string {
	d := strconv.FormatInt(n, 10)
	if n < 0 || len(d) >= 10 {
		return fmt.Sprintf("%010d", n)
	}
	return "0000000000"[len(d):] + d
}

// rang3 left-pads the rang to 3 digits ("32" → "032").
func rang3(r string) string {
	if len(r) < 3 {
		return strings.Repeat("0", 3-len(r)) + r
	}
	return r
}

// trimToken removes the spaces Paybox pads tokens with.
func trimToken(t string) string { return strings.TrimRight(t, " ") }

func pad10(n string) string {
	v, _ := strconv.ParseInt(n, 10, 64)
	return fmt.Sprintf("%010d", v)
}
