package paybox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"strings"
	"sync/atomic"
	"time"

	"github.com/inpctl/inpctl/internal/gateway"
)

// newTransport is the private transport of a Client built without an
// http.Client: the default one with bounded handshakes. It sets no
// ResponseHeaderTimeout: exchange bounds each whole exchange with a
// context deadline of the same Config.Timeout, which already ends a wait
// for the answer (as Unknown), and a second timer per request was only
// cost.
func newTransport() http.RoundTripper {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.TLSHandshakeTimeout = 10 * time.Second
	return t
}

// send posts body to the primary host, then to the backup where that
// cannot double an operation: any operation when the request certainly
// never left (no connection, DNS failure), and read-only operations on any
// doubtful answer.
func (c *Client) send(ctx context.Context, body string, nq int64, k kind) gateway.Result {
	var res gateway.Result
	mayHaveActed := false
	for i, u := range c.urls {
		var sent bool
		res, sent = c.exchange(ctx, u, body, nq)
		mayHaveActed = mayHaveActed || sent && res.Outcome == gateway.Unknown
		doubtful := res.Outcome == gateway.Unknown || res.Outcome == gateway.Unavailable
		if i == len(c.urls)-1 || ctx.Err() != nil || sent && !(k == readOnly && doubtful) {
			break
		}
	}
	if mayHaveActed && res.Outcome == gateway.Unavailable {
		// An earlier host may have acted: the backup's "unavailable" does
		// not make it safe.
		res.Outcome = gateway.Unknown
	}
	return res
}

// exchange does one POST to one host. sent is false only when the request
// certainly never reached the host.
func (c *Client) exchange(ctx context.Context, u, body string, nq int64) (res gateway.Result, sent bool) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	var gotConn atomic.Bool
	trace := &httptrace.ClientTrace{GotConn: func(httptrace.GotConnInfo) { gotConn.Store(true) }}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), http.MethodPost, u, strings.NewReader(body))
	if err != nil {
		return failed(gateway.Unavailable, "build request: %v", err), false
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.httpClient().Do(req)
	if err != nil {
		if c.neverSent(err, gotConn.Load()) {
			return failed(gateway.Unavailable, "%v", err), false
		}
		if errors.Is(err, context.DeadlineExceeded) {
			return failed(gateway.Unknown, "no answer within %s after sending the request to %s", c.cfg.Timeout, u), true
		}
		return failed(gateway.Unknown, "the request was sent but no answer came: %v", err), true
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	switch {
	case err != nil:
		return failed(gateway.Unknown, "the answer from %s was cut off: %v", u, err), true
	case resp.StatusCode >= 500:
		// A proxy may answer 5xx after the platform acted: we cannot
		// prove nothing happened.
		return failed(gateway.Unknown, "%s answered HTTP %d", u, resp.StatusCode), true
	case resp.StatusCode >= 300:
		// 3xx/4xx: refused at the HTTP layer, the PPPS script did not run.
		return failed(gateway.Unavailable, "%s answered HTTP %d (check the URL)", u, resp.StatusCode), true
	}
	return interpret(parseResponse(b), nq), true
}

// httpClient returns the configured client with redirects disabled: a
// redirected POST would be replayed as a GET, or replayed at all.
func (c *Client) httpClient() *http.Client { return c.noRedirect }

// withoutRedirects is a copy of hc that never follows a redirect. New
// makes it once: a copy per request would cost an allocation each.
func withoutRedirects(hc *http.Client) *http.Client {
	cp := *hc
	cp.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &cp
}

// neverSent reports whether err proves the request never reached the
// host: a DNS or dial error, or (with a standard transport, which reports
// connections through httptrace) no connection at all.
func (c *Client) neverSent(err error, gotConn bool) bool {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return true
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "dial" {
		return true
	}
	switch c.http.Transport.(type) {
	case nil, *http.Transport:
		return !gotConn
	}
	return false
}

func failed(o gateway.Outcome, format string, args ...any) gateway.Result {
	return gateway.Result{Outcome: o, Detail: fmt.Sprintf(format, args...)}
}
