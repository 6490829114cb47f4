package sandbox

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/gateway/paybox"
)

// NewInProcess returns the real Paybox client talking to a sandbox in this
// process (no network): the default gateway, so the production code path is
// the one the demo and the tests exercise. cfg.URLs and cfg.HTTP are set here.
func NewInProcess(opt Options, cfg paybox.Config) (*paybox.Client, *Sandbox, error) {
	sb, err := New(opt)
	if err != nil {
		return nil, nil, err
	}
	cfg.URLs = []string{"http://sandbox.invalid/PPPS.php"}
	cfg.HTTP = &http.Client{Transport: InProcessTransport(sb)}
	return paybox.New(cfg), sb, nil
}

// Serve serves s over HTTP on addr, which must be a loopback address,
// until ctx ends. ready, if set, is called with the address listened on.
func Serve(ctx context.Context, addr string, s *Sandbox, ready func(addr string)) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fault.New(fault.Usage, "--listen %q is not HOST:PORT (e.g. 127.0.0.1:8443)", addr)
	}
	ip := net.ParseIP(host)
	if host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fault.New(fault.Usage, "--listen %s: the sandbox only listens on a loopback address", addr).
			WithHint("use 127.0.0.1:PORT or [::1]:PORT")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fault.Wrap(fault.Usage, err, "listen on %s", addr)
	}
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	if ready != nil {
		ready(ln.Addr().String())
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
		shut, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shut)
		return nil
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return fmt.Errorf("sandbox server: %w", err)
	}
}
