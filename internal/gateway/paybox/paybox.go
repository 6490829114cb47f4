// Package paybox is the real Paybox client: Direct Plus over HTTP
// (gateway.Gateway), the signed link to the hosted payment page (BuildLink)
// and the verification of Paybox's signed notifications (VerifyIPN).
//
// The protocol is described in docs/paybox.md; the points it leaves open are
// decided in docs/paybox-decisions.md. paybox imports gateway, money, clock,
// fault and the standard library only. The HMAC key never appears in an
// error, a log line or a formatted Config or Client.
package paybox

import (
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/gateway"
)

// DefaultTimeout bounds one HTTP exchange with one Paybox host when
// Config.Timeout is zero.
const DefaultTimeout = 30 * time.Second

// Config configures a Client.
type Config struct {
	// URLs are the Direct endpoints, primary first, then the backup. Each
	// is either the full endpoint (ending in .php, e.g.
	// https://ppps.paybox.com/PPPS.php) or a base URL, to which /PPPS.php
	// is appended.
	URLs []string
	// Site (7 digits), Rang (2 or 3 digits, sent as 3) and Identifiant.
	Site, Rang, Identifiant string
	// Key is the decoded HMAC key (see DecodeKey). It is never printed.
	Key []byte
	// HTTP is the client to use; nil means a private client. Its own
	// Timeout, if any, also applies.
	HTTP *http.Client
	// Timeout bounds each exchange with one host (DefaultTimeout if zero).
	Timeout time.Duration
	// Location is the time zone of DATEQ (Europe/Paris); nil means
	// Europe/Paris if the system knows it, UTC otherwise.
	Location *time.Location
}

// String describes c without the key.
func (c Config) String() string {
	key := "none"
	if len(c.Key) > 0 {
		key = fmt.Sprintf("%d bytes, hidden", len(c.Key))
	}
	return fmt.Sprintf("paybox.Config{URLs:%q Site:%q Rang:%q Identifiant:%q Key:(%s) Timeout:%s}",
		c.URLs, c.Site, c.Rang, c.Identifiant, key, c.Timeout)
}

// GoString is String, so %#v hides the key too.
func (c Config) GoString() string { return c.String() }

// Format makes every verb (%v, %+v, %#v, %s, %x, …) print String, so no
// verb can reach the key bytes.
func (c Config) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(c.String())) }

// DecodeKey decodes a hex HMAC key as the Paybox back office shows it.
// Spaces around it are ignored. The error never quotes the key.
func DecodeKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, fault.New(fault.Usage, "the Paybox HMAC key is empty")
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		// err would quote the offending character: never wrap it.
		return nil, fault.New(fault.Usage, "the Paybox HMAC key is not hexadecimal (%d characters)", len(s)).
			WithHint("paste the key exactly as the Paybox back office shows it (128 hex digits)")
	}
	if len(b) < 20 {
		return nil, fault.New(fault.Usage, "the Paybox HMAC key is too short (%d hex digits, at least 40 expected)", len(s))
	}
	return b, nil
}

// Client is a Paybox Direct Plus client. It implements gateway.Gateway and
// is safe for concurrent use.
type Client struct {
	cfg        Config
	urls       []string
	http       *http.Client
	noRedirect *http.Client // http without redirects (httpClient)
	loc        *time.Location
}

var _ gateway.Gateway = (*Client)(nil)

// New returns a client for cfg. Configuration mistakes (no URL, no key) are
// reported by each call, as errors.
func New(cfg Config) *Client {
	c := &Client{cfg: cfg, http: cfg.HTTP, loc: cfg.Location}
	c.cfg.Key = append([]byte(nil), cfg.Key...)
	c.cfg.URLs = append([]string(nil), cfg.URLs...)
	if c.cfg.Timeout <= 0 {
		c.cfg.Timeout = DefaultTimeout
	}
	for _, u := range cfg.URLs {
		c.urls = append(c.urls, endpoint(u, "PPPS.php"))
	}
	if c.http == nil {
		c.http = &http.Client{Transport: newTransport()}
	}
	c.noRedirect = withoutRedirects(c.http)
	if c.loc == nil {
		c.loc = paris()
	}
	return c
}

// String describes the client without the key.
func (c Client) String() string { return "paybox.Client{" + c.cfg.String() + "}" }

// GoString is String.
func (c Client) GoString() string { return c.String() }

// Format prints String for every verb.
func (c Client) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(c.String())) }

// endpoint returns u itself when it names a script (.php, .cgi), else u with
// /name appended.
func endpoint(u, name string) string {
	u = strings.TrimSpace(u)
	path := u
	if i := strings.IndexAny(path, "?#"); i >= 0 {
		path = path[:i]
	}
	if strings.HasSuffix(path, ".php") || strings.HasSuffix(path, ".cgi") || strings.HasSuffix(path, "/php/") {
		return u
	}
	return strings.TrimRight(u, "/") + "/" + name
}

// paris returns Europe/Paris, or UTC when the system has no zone database
// (the caller normally passes the configured zone).
func paris() *time.Location {
	if loc, err := time.LoadLocation("Europe/Paris"); err == nil {
		return loc
	}
	return time.UTC
}
