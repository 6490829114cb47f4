package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/inpctl/inpctl/internal/billing"
	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/gateway/paybox"
	"github.com/inpctl/inpctl/internal/serve"
	"github.com/spf13/cobra"
)

type serveOpts struct {
	env    *Env
	listen string
}

func newServeCmd(env *Env) *cobra.Command {
	o := &serveOpts{env: env}
	cmd := &cobra.Command{
		Use:   "serve [--listen ADDR]",
		Short: "Receive Paybox's notifications over HTTP (behind the school's reverse proxy)",
		Long: `Run the HTTP server Paybox notifies (PBX_REPONDRE_A) until SIGTERM or SIGINT
(requests in flight finish):

  GET|POST /paybox/ipn   verifies the signature and applies the notification
                         exactly as pay ipn does: 200 (empty) when applied or
                         already applied, 400 unreadable, 403 bad signature or
                         a source outside serve.ipn_allow, 409 refused by the
                         books (Paybox tries again), 500 an internal failure
  GET /paybox/retour, /paybox/refuse, /paybox/annule
                         plain French pages for the student; they change nothing
  GET /healthz           the database answers

One access-log line per request on stderr (never the query: it holds the
signature and the card fields). The listen address is serve.listen
(default 127.0.0.1:8640); see docs/deploy.md for the systemd unit and the
reverse proxy.` + exitDoc("0   stopped by SIGTERM/SIGINT", "2   a bad address or config", "10  the database cannot be opened"),
		Example: "  inpctl serve\n  inpctl serve --listen 127.0.0.1:8640",
		Args:    noArgs,
		RunE:    func(c *cobra.Command, _ []string) error { return runServe(c.Context(), o) },
	}
	cmd.Flags().StringVar(&o.listen, "listen", "", "HOST:PORT to listen on (default: serve.listen)")
	return cmd
}

func runServe(ctx context.Context, o *serveOpts) error {
	cfg, err := o.env.Config()
	if err != nil {
		return err
	}
	listen := o.listen
	if listen == "" {
		listen = cfg.ServeListen()
	}
	allowList := cfg.Serve.IPNAllow
	if len(allowList) == 0 {
		allowList = serve.DefaultAllow
	}
	allow, err := serve.ParsePrefixes("serve.ipn_allow", allowList)
	if err != nil {
		return err
	}
	proxies, err := serve.ParsePrefixes("serve.trusted_proxies", cfg.Serve.TrustedProxies)
	if err != nil {
		return err
	}
	kit, err := o.env.gateway(ctx)
	if err != nil {
		return err
	}
	svc, err := o.env.Service(ctx, "")
	if err != nil {
		return err
	}
	ipn := serve.IPN[paybox.Notification]{
		Check: func(raw string) (paybox.Notification, string, serve.Outcome, error) {
			n, err := billing.VerifyIPN(raw, kit.keys)
			return n, n.Cmd, ipnOutcome(err), err
		},
		Apply: func(ctx context.Context, ns []paybox.Notification) []serve.Result {
			res, errs := svc.ApplyCheckedIPNs(ctx, ns)
			out := make([]serve.Result, len(ns))
			for k, err := range errs {
				out[k] = serve.Result{Outcome: ipnOutcome(err), Err: err}
				if err == nil && k < len(res) && res[k].Warning != "" && !res[k].Replay {
					// what pay ipn would print: the office must act on it
					o.env.Warnf("%s (student %s): %s", res[k].Cmd, res[k].StudentID, res[k].Warning)
				}
			}
			return out
		},
	}
	health := func(ctx context.Context) error {
		_, err := svc.DB.Catalogue(ctx)
		return err
	}
	h := serve.Handler(serve.Config{Allow: allow, TrustedProxies: proxies, School: cfg.Issuer.Name, Contact: cfg.Mail.Contact,
		Log: o.env.IO.Err}, ipn, health)
	err = serve.Serve(ctx, listen, h, func(addr string) {
		fmt.Fprintf(o.env.IO.Out, "http://%s/paybox/ipn\n", addr)
		o.env.Infof("inpctl serve listening on http://%s (SIGTERM to stop)", addr)
	})
	// The HTTP server has stopped: every request has its answer; what is
	// still queued (after a shutdown that timed out) is committed now.
	h.Close()
	if st := h.Stats(); st.Batches > 0 {
		o.env.Infof("inpctl serve: %d notifications taken in %d commits (largest %d)", st.Notifications, st.Batches, st.Largest)
	}
	return err
}

// ipnOutcome says how serve answers Paybox for what ApplyIPN returned.
func ipnOutcome(err error) serve.Outcome {
	switch {
	case err == nil:
		return serve.Applied
	case errors.Is(err, paybox.ErrBadSignature), errors.Is(err, paybox.ErrUnsigned):
		return serve.Forbidden
	case fault.KindOf(err) == fault.Usage:
		return serve.Unreadable
	case fault.KindOf(err) == fault.Conflict, fault.KindOf(err) == fault.NotFound:
		return serve.Refused
	}
	return serve.Failed
}
