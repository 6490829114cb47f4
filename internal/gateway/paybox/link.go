package paybox

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/money"
	"github.com/inpctl/inpctl/internal/pan"
)

// DefaultRetour is the PBX_RETOUR we ask for: amount, order reference,
// authorization, NUMAPPEL, NUMTRANS, subscriber token and expiry, card type,
// result code, and the signature last (docs/paybox-decisions.md).
const DefaultRetour = "Mt:M;Ref:R;Auto:A;Appel:T;Trans:S;Abo:U;Carte:C;Erreur:E;Sign:K"

// LinkConfig configures BuildLink.
type LinkConfig struct {
	// URL is the hosted page: the full script URL (…/cgi/MYchoix_pagepaiement.cgi)
	// or a base URL to which /cgi/MYchoix_pagepaiement.cgi is appended.
	URL                     string
	Site, Rang, Identifiant string
	Key                     []byte // decoded HMAC key; never printed
	IPNURL                  string // PBX_REPONDRE_A; empty = the back office's
	// EffectueURL, RefuseURL and AnnuleURL are the browser returns
	// (PBX_EFFECTUE, PBX_REFUSE, PBX_ANNULE); empty = the back office's.
	EffectueURL, RefuseURL, AnnuleURL string
	Retour                            string // PBX_RETOUR; empty = DefaultRetour
	// Location is the zone PBX_TIME is written in (Europe/Paris if nil).
	Location *time.Location
}

// String describes c without the key.
func (c LinkConfig) String() string {
	return fmt.Sprintf("paybox.LinkConfig{URL:%q Site:%q Rang:%q Identifiant:%q Key:(%d bytes, hidden) IPNURL:%q EffectueURL:%q RefuseURL:%q AnnuleURL:%q Retour:%q}",
		c.URL, c.Site, c.Rang, c.Identifiant, len(c.Key), c.IPNURL, c.EffectueURL, c.RefuseURL, c.AnnuleURL, c.Retour)
}

// GoString is String.
func (c LinkConfig) GoString() string { return c.String() }

// Format prints String for every verb.
func (c LinkConfig) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(c.String())) }

// LinkRequest is one payment on the hosted page.
type LinkRequest struct {
	Amount    money.Cents // PBX_TOTAL
	Cmd       string      // PBX_CMD: unique per attempt
	Email     string      // PBX_PORTEUR
	RefAbonne string      // PBX_REFABONNE: register the card under this id
	When      time.Time   // PBX_TIME
	Billing   Address     // PBX_BILLING (3-D Secure v2); sent only if Billing.Known()
	Quantity  int         // PBX_SHOPPINGCART totalQuantity; 0 means 1
	// LastDue is the last due date of the plan this payment starts (3x,
	// 5x): PBX_DATEVALMAX is its month (YYMM), so Paybox refuses a card
	// that expires before it (00008) before taking money. Zero: not sent.
	LastDue time.Time
}

// Link is a signed hosted-page request: the GET URL, and the same fields in
// order for an HTML form (HTML-escape the values when writing the form).
type Link struct {
	URL    string
	Fields []Field
}

// BuildLink builds and signs the hosted-page request for req.
func BuildLink(cfg LinkConfig, req LinkRequest) (Link, error) {
	if err := checkLink(cfg, req); err != nil {
		return Link{}, err
	}
	loc := cfg.Location
	if loc == nil {
		loc = paris()
	}
	retour := cfg.Retour
	if retour == "" {
		retour = DefaultRetour
	}
	q := req.Quantity
	if q < 1 || q > 99 {
		q = 1
	}
	fs := fields{{"PBX_SITE", cfg.Site}, {"PBX_RANG", rang3(cfg.Rang)}, {"PBX_IDENTIFIANT", cfg.Identifiant},
		{"PBX_TOTAL", fmt.Sprintf("%03d", int64(req.Amount))}, {"PBX_DEVISE", deviseEUR},
		{"PBX_CMD", req.Cmd}, {"PBX_PORTEUR", req.Email}, {"PBX_RETOUR", retour}}
	if req.RefAbonne != "" {
		fs.add("PBX_REFABONNE", req.RefAbonne)
	}
	for _, u := range []Field{{"PBX_REPONDRE_A", cfg.IPNURL}, {"PBX_EFFECTUE", cfg.EffectueURL},
		{"PBX_REFUSE", cfg.RefuseURL}, {"PBX_ANNULE", cfg.AnnuleURL}} {
		if u.Value != "" {
			fs.add(u.Name, u.Value)
		}
	}
	if !req.LastDue.IsZero() {
		fs.add("PBX_DATEVALMAX", req.LastDue.Format("0601"))
	}
	fs.add("PBX_HASH", "SHA512")
	fs.add("PBX_TIME", req.When.In(loc).Format(time.RFC3339))
	fs.add("PBX_SHOPPINGCART", `<?xml version="1.0" encoding="utf-8"?><shoppingcart><total><totalQuantity>`+
		strconv.Itoa(q)+`</totalQuantity></total></shoppingcart>`)
	if req.Billing.Known() {
		fs.add("PBX_BILLING", req.Billing.xml())
	}
	fs.add("PBX_HMAC", sign(cfg.Key, "SHA512", fs.signString()))
	return Link{URL: endpoint(cfg.URL, "cgi/MYchoix_pagepaiement.cgi") + "?" + fs.encode(), Fields: fs}, nil
}

func checkLink(cfg LinkConfig, req LinkRequest) error {
	badURL := badReturnURL(cfg)
	switch {
	case cfg.URL == "":
		return fault.New(fault.Usage, "no Paybox hosted-page URL is configured")
	case len(cfg.Key) == 0:
		return fault.New(fault.Usage, "no Paybox HMAC key is configured")
	case !pan.Digits(cfg.Site, 7, 7) || !pan.Digits(cfg.Rang, 1, 3) || !pan.Digits(cfg.Identifiant, 1, 9):
		return fault.New(fault.Usage, "the Paybox site (7 digits), rang (2-3 digits) or identifiant (1-9 digits) is malformed")
	case !strings.HasSuffix(strings.TrimSpace(retourOrDefault(cfg.Retour)), ":K"):
		return fault.New(fault.Usage, "PBX_RETOUR %q must end with the signature (…:K)", cfg.Retour)
	case req.When.IsZero():
		return badRequest("no time given for PBX_TIME")
	case req.Amount <= 0 || req.Amount > money.MaxCents:
		return badRequest("amount %d cents is outside 1..%d", int64(req.Amount), int64(money.MaxCents))
	case req.Cmd == "" || len(req.Cmd) > 250:
		return badRequest("PBX_CMD must have 1 to 250 characters (has %d)", len(req.Cmd))
	case badURL != "":
		return fault.New(fault.Usage, "%s %q must be an http(s) URL of at most 150 characters, without spaces, &, \", < or >", badURL, returnURL(cfg, badURL)).
			WithHint("it comes from serve.public_url (the routes add up to 14 characters) or gateway.paybox.ipn_url: correct the config")
	case len(req.RefAbonne) > 250:
		return badRequest("PBX_REFABONNE has more than 250 characters")
	case !validEmail(req.Email):
		return fault.New(fault.Usage, "%q is not an e-mail address Paybox accepts (6 to 120 characters with @ and .)", req.Email)
	}
	return nil
}

// returnURLsOK checks the notification and return URLs: Paybox takes at
// most 150 characters (docs/paybox.md §3.1); a value with & or a space
// would be cut by the platform.
// badReturnURL names the first return URL Paybox would refuse, "" when
// none.
func badReturnURL(cfg LinkConfig) string {
	for _, name := range []string{"PBX_REPONDRE_A", "PBX_EFFECTUE", "PBX_REFUSE", "PBX_ANNULE"} {
		u := returnURL(cfg, name)
		if u != "" && (len(u) > 150 || strings.ContainsAny(u, " &\"<>") ||
			!(strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://"))) {
			return name
		}
	}
	return ""
}

func returnURL(cfg LinkConfig, name string) string {
	return map[string]string{"PBX_REPONDRE_A": cfg.IPNURL, "PBX_EFFECTUE": cfg.EffectueURL, "PBX_REFUSE": cfg.RefuseURL, "PBX_ANNULE": cfg.AnnuleURL}[name]
}

func retourOrDefault(r string) string {
	if r == "" {
		return DefaultRetour
	}
	return r
}

func validEmail(e string) bool {
	at := strings.LastIndexByte(e, '@')
	return len(e) >= 6 && len(e) <= 120 && at > 0 && strings.Contains(e[at:], ".") &&
		!strings.ContainsAny(e, " &<>\"")
}
