// Package serve is the HTTP side of inpctl (issue 18): the Paybox
// notification endpoint (IPN), the pages Paybox sends the student back to,
// and a health check, meant to run behind the school's reverse proxy.
//
// It knows nothing of the ledger: the caller gives it the functions that
// verify and apply notifications (billing's, the ones `pay ipn` uses) and
// the one that checks the database. Notifications that arrive together are
// applied together, in one transaction (a group commit, batch.go): each
// request is answered after the commit that holds it.
package serve

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/inpctl/inpctl/internal/fault"
)

// Outcome is how a notification was taken.
type Outcome int

const (
	Applied    Outcome = iota // recorded now, or already (a replay): answer 200
	Unreadable                // not a notification: 400
	Forbidden                 // bad or missing signature: 403
	Refused                   // signed, but the books refuse it (a wrong amount…): 409, Paybox tries again
	Failed                    // the database or another internal failure: 500, Paybox tries again
)

// Config is what the server needs.
type Config struct {
	// Allow lists the addresses a notification may come from (Paybox's,
	// and loopback for the sandbox); empty allows none.
	Allow []netip.Prefix
	// TrustedProxies may set X-Forwarded-For; any other peer's header is
	// ignored.
	TrustedProxies []netip.Prefix
	// MaxBody bounds a request body (default 16 KiB: a notification is a
	// few hundred bytes).
	MaxBody int64
	// School and Contact are printed on the student's pages.
	School, Contact string
	Log             io.Writer // the access log; nil writes none
	Now             func() time.Time
}

// DefaultAllow is the allow-list when the config gives none: the Paybox
// notification sources of docs/paybox.md (preprod, production, and the
// two announced in 2026) and loopback (the sandbox, tests).
var DefaultAllow = []string{"195.101.99.76/32", "194.2.122.158/32", "194.2.122.190/32", "195.25.7.166/32",
	"195.25.67.22/32", "62.161.15.193/32", "62.161.13.193/32", "127.0.0.0/8", "::1/128"}

// ParsePrefixes reads CIDRs (or single addresses) for Allow and
// TrustedProxies; key names the config key in the error.
func ParsePrefixes(key string, ss []string) ([]netip.Prefix, error) {
	out := make([]netip.Prefix, 0, len(ss))
	for _, s := range ss {
		s = strings.TrimSpace(s)
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fault.New(fault.Usage, "%s: %q is not an address or a CIDR (e.g. 194.2.122.158 or 10.0.0.0/8)", key, s)
		}
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// The server's Paybox routes: PBX_REPONDRE_A and the browser returns
// PBX_EFFECTUE, PBX_REFUSE, PBX_ANNULE (pay link builds them from
// serve.public_url).
const (
	PathIPN    = "/paybox/ipn"
	PathRetour = "/paybox/retour"
	PathRefuse = "/paybox/refuse"
	PathAnnule = "/paybox/annule"
)

// Server is the HTTP handler of inpctl serve.
type Server struct {
	http.Handler
	close  func()
	stats  func() Stats
	queued func() int // for tests: notifications waiting for a commit
}

// Close stops taking notifications, commits and answers those queued, and
// stops the applier; call it once the HTTP server has shut down.
func (s *Server) Close() { s.close() }

// Stats counts the group commits so far.
func (s *Server) Stats() Stats { return s.stats() }

// Handler is the HTTP handler of the server; Close it after use.
func Handler[N any](cfg Config, ipn IPN[N], health func(context.Context) error) *Server {
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = 16 << 10
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	h := &handler[N]{cfg: cfg, check: ipn.Check, queue: newBatcher(ipn.Apply), health: health}
	mux := http.NewServeMux()
	mux.HandleFunc(PathIPN, h.ipn)
	mux.HandleFunc(PathRetour, h.page("Paiement reçu, merci", "Votre paiement a été reçu. Vous recevrez une confirmation par courriel."))
	mux.HandleFunc(PathRefuse, h.page("Paiement refusé", "Votre paiement a été refusé par la banque : aucune somme n'a été prélevée."))
	mux.HandleFunc(PathAnnule, h.page("Paiement annulé", "Vous avez annulé le paiement : aucune somme n'a été prélevée."))
	mux.HandleFunc("/healthz", h.healthz)
	return &Server{Handler: h.logged(mux), close: h.queue.close, stats: h.queue.stats,
		queued: func() int { return len(h.queue.q) }}
}

type handler[N any] struct {
	cfg    Config
	check  func(raw string) (N, string, Outcome, error)
	queue  *batcher[N]
	health func(context.Context) error
	mu     sync.Mutex // the access log's writes
}

// source is the client's address: the peer, or for a trusted proxy the
// last address of X-Forwarded-For that is not itself a trusted proxy.
func (h *handler[N]) source(r *http.Request) netip.Addr {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	peer = peer.Unmap()
	if !within(h.cfg.TrustedProxies, peer) {
		return peer
	}
	hops := strings.Split(r.Header.Get("X-Forwarded-For"), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return peer // a garbled header: the proxy itself is the source
		}
		if a = a.Unmap(); !within(h.cfg.TrustedProxies, a) {
			return a
		}
	}
	return peer
}

func within(ps []netip.Prefix, a netip.Addr) bool {
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// ipn takes a notification: GET (the query) or POST (the body, form-encoded).
func (h *handler[N]) ipn(w http.ResponseWriter, r *http.Request) {
	rec := w.(*recorder)
	if !within(h.cfg.Allow, h.source(r)) {
		http.Error(w, "", http.StatusForbidden)
		rec.note = "source not allowed"
		return
	}
	var raw string
	switch r.Method {
	case http.MethodGet:
		raw = r.URL.RawQuery
	case http.MethodPost:
		b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.cfg.MaxBody))
		if err != nil {
			http.Error(w, "", http.StatusRequestEntityTooLarge)
			return
		}
		raw = strings.TrimSpace(string(b))
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "", http.StatusMethodNotAllowed)
		return
	}
	if raw == "" {
		http.Error(w, "", http.StatusBadRequest)
		rec.note = "empty notification"
		return
	}
	rec.cmd = cmdOf(raw)
	// Check (the signature, the fields) before queuing: a bad one never
	// enters a batch.
	n, cmd, o, err := h.check(raw)
	if cmd != "" {
		rec.cmd = cmd
	}
	if err == nil {
		a, ok := h.queue.submit(n)
		if !ok {
			rec.note = "stopping"
			http.Error(w, "", http.StatusServiceUnavailable) // Paybox tries again
			return
		}
		o, err, rec.batch = a.Outcome, a.Err, a.batch
	}
	if err != nil {
		rec.note = oneLine(err.Error())
	}
	switch o {
	case Applied:
		w.WriteHeader(http.StatusOK) // an empty body, as Paybox expects
	case Unreadable:
		http.Error(w, "", http.StatusBadRequest)
	case Forbidden:
		http.Error(w, "", http.StatusForbidden)
	case Refused:
		http.Error(w, "", http.StatusConflict)
	default:
		http.Error(w, "", http.StatusInternalServerError)
	}
}

// cmdOf is the order reference of a raw notification (PBX_RETOUR's "Ref"
// field), for the log only; never the signature nor a card field.
func cmdOf(raw string) string {
	q, err := url.ParseQuery(raw)
	if err != nil {
		return ""
	}
	return q.Get("Ref")
}

// page is a plain French page for the student; it never changes state
// (the notification alone does).
func (h *handler[N]) page(title, text string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			http.Error(w, "", http.StatusMethodNotAllowed)
			return
		}
		contact := ""
		if h.cfg.Contact != "" {
			contact = "<p>Pour toute question : " + html.EscapeString(h.cfg.Contact) + "</p>"
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		fmt.Fprintf(w, "<!doctype html>\n<html lang=\"fr\"><head><meta charset=\"utf-8\"><title>%s</title></head>\n<body><h1>%s</h1><p>%s</p>%s<p>%s</p></body></html>\n",
			html.EscapeString(title), html.EscapeString(title), html.EscapeString(text), contact, html.EscapeString(h.cfg.School))
	}
}

func (h *handler[N]) healthz(w http.ResponseWriter, r *http.Request) {
	if h.health != nil {
		if err := h.health(r.Context()); err != nil {
			w.(*recorder).note = oneLine(err.Error())
			http.Error(w, "unhealthy", http.StatusServiceUnavailable)
			return
		}
	}
	fmt.Fprintln(w, "ok")
}

// recorder keeps what the access log prints.
type recorder struct {
	http.ResponseWriter
	status    int
	cmd, note string
	batch     int // the size of the group commit that held the notification
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// logged writes one access-log line per request: time, source, method,
// path (never the query: it holds the signature and card fields), status,
// duration, the PBX_CMD, why a notification was not applied and the size
// of the group commit that held it.
func (h *handler[N]) logged(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := h.cfg.Now()
		rec := &recorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		if h.cfg.Log == nil {
			return
		}
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		line := fmt.Sprintf("%s %s %s %s %d %s", start.UTC().Format(time.RFC3339), h.source(r), r.Method, r.URL.Path, rec.status,
			h.cfg.Now().Sub(start).Round(time.Millisecond))
		if rec.cmd != "" {
			line += " cmd=" + rec.cmd
		}
		if rec.note != "" {
			line += " (" + rec.note + ")"
		}
		if rec.batch > 0 {
			line += " batch=" + strconv.Itoa(rec.batch)
		}
		h.mu.Lock()
		fmt.Fprintln(h.cfg.Log, line)
		h.mu.Unlock()
	})
}

func oneLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

// Serve listens on addr and serves handler until ctx ends, then shuts
// down gracefully (requests in flight finish, within 10 s). ready, when
// set, is called with the bound address.
func Serve(ctx context.Context, addr string, handler http.Handler, ready func(string)) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fault.Wrap(fault.Usage, err, "listen on %s", addr)
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 16 << 10}
	if ready != nil {
		ready(ln.Addr().String())
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
