package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/gateway/sandbox"
	"github.com/spf13/cobra"
)

func newGatewayCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "gateway",
		Short:   "Run the Paybox sandbox",
		Example: "  inpctl gateway sandbox --listen 127.0.0.1:8443",
		Args:    noArgs,
	}
	cmd.AddCommand(newGatewaySandboxCmd(env))
	return cmd
}

type sandboxOpts struct {
	env                *Env
	listen, state      string
	export             string // --export FILE: write the back office's export of the journal, serve nothing
	latency            time.Duration
	dropRate, failRate float64
	seed               int64
	accounts           []string // --account SITE:RANG:IDENTIFIANT:KEY, repeatable
	preprod            bool     // --preprod-accounts: also the public pre-production accounts
	allowDuplicate     bool     // --allow-duplicate: pay a PBX_CMD already paid again
	notify             bool     // --notify: the hosted page calls PBX_REPONDRE_A
}

func newGatewaySandboxCmd(env *Env) *cobra.Command {
	o := &sandboxOpts{env: env}
	cmd := &cobra.Command{
		Use:   "sandbox --listen 127.0.0.1:PORT",
		Short: "Serve the Paybox simulator over HTTP on loopback",
		Long: `Serve the built-in Paybox simulator (Direct Plus /PPPS.php, the hosted page
/cgi/MYchoix_pagepaiement.cgi, /load.html) over HTTP, on a loopback address
only, until interrupted. Point a config at it with gateway.kind: paybox and
gateway.paybox.url: http://127.0.0.1:PORT/PPPS.php.

Accounts: the public pre-production accounts (site 1999888 rangs 32, 43, 63,
77, 99 and site 1999887, HMAC key 0123456789ABCDEF × 8, CLE 1999888I), and
each --account SITE:RANG:IDENTIFIANT:KEY (KEY in hex, as the back office shows
it). --preprod-accounts=false keeps only the --account ones.

Fault injection for tests: --latency before every answer, --drop-rate (Paybox
acts, the answer is lost), --fail-rate (00001/00097 without acting), --seed.
The hosted page answers a PBX_CMD already paid with 00015, as Paybox does;
--allow-duplicate pays it again (two payments on one link, on purpose). After
a hosted-page payment the sandbox calls PBX_REPONDRE_A like Paybox (a GET
with the signed notification, retried with back-off until HTTP 200, at most 8
times) and returns the notification as the page's body; --notify=false only
returns it.
See docs/sandbox.md for the test cards.` + exitDoc("0   stopped by SIGINT/SIGTERM", "2   not a loopback address, or bad flags"),
		Example: "  inpctl gateway sandbox --listen 127.0.0.1:8443\n  inpctl gateway sandbox --listen 127.0.0.1:8443 --latency 100ms --drop-rate 0.1 --seed 7",
		Args:    noArgs,
		RunE:    func(c *cobra.Command, _ []string) error { return runGatewaySandbox(c.Context(), o) },
	}
	cmd.Flags().StringVar(&o.listen, "listen", "", "loopback HOST:PORT to listen on (required)")
	cmd.Flags().StringVar(&o.state, "state", "", "state file (default: memory only)")
	cmd.Flags().DurationVar(&o.latency, "latency", 0, "added before every Direct answer (e.g. 100ms)")
	cmd.Flags().Float64Var(&o.dropRate, "drop-rate", 0, "share of charges/refunds that act but lose their answer (0 to 1)")
	cmd.Flags().Float64Var(&o.failRate, "fail-rate", 0, "share of charges/refunds answered 00001/00097 without acting (0 to 1)")
	cmd.Flags().Int64Var(&o.seed, "seed", 1, "seed of the fault draws")
	cmd.Flags().StringArrayVar(&o.accounts, "account", nil, "accept this account, SITE:RANG:IDENTIFIANT:KEY (hex HMAC key); repeatable")
	cmd.Flags().BoolVar(&o.preprod, "preprod-accounts", true, "accept the public pre-production accounts too (docs/paybox.md §4.1)")
	cmd.Flags().BoolVar(&o.allowDuplicate, "allow-duplicate", false, "hosted page: pay a PBX_CMD already paid again instead of answering 00015")
	cmd.Flags().BoolVar(&o.notify, "notify", true, "hosted page: call PBX_REPONDRE_A with the signed notification, like Paybox")
	cmd.Flags().StringVar(&o.export, "export", "", "write the journal (--state, default the built-in sandbox's) as the Paybox back office's transaction export to FILE (- for stdout), and exit")
	return cmd
}

func runGatewaySandbox(ctx context.Context, o *sandboxOpts) error {
	if o.export != "" {
		return runSandboxExport(o)
	}
	if o.listen == "" {
		return fault.New(fault.Usage, "--listen is required (e.g. --listen 127.0.0.1:8443)")
	}
	if o.dropRate < 0 || o.dropRate > 1 || o.failRate < 0 || o.failRate > 1 {
		return fault.New(fault.Usage, "--drop-rate and --fail-rate are shares from 0 to 1")
	}
	opt, err := o.sandboxOptions()
	if err != nil {
		return err
	}
	sb, err := sandbox.New(opt)
	if err != nil {
		return err
	}
	defer sb.Close()
	return sandbox.Serve(ctx, o.listen, sb, func(addr string) {
		fmt.Fprintf(o.env.IO.Out, "http://%s/PPPS.php\n", addr)
		o.env.Infof("Paybox sandbox listening on http://%s (Ctrl-C to stop)", addr)
	})
}

// sandboxOptions turns the flags into the sandbox's options; a bad
// --account is a usage error naming which one and what is wrong (never the
// key).
func (o *sandboxOpts) sandboxOptions() (sandbox.Options, error) {
	opt := sandbox.Options{StatePath: o.state, Latency: o.latency, DropRate: o.dropRate, FailRate: o.failRate, Seed: o.seed,
		Hosted: sandbox.HostedOptions{AllowDuplicate: o.allowDuplicate}}
	if o.notify {
		opt.Hosted.Notify = sandbox.NotifyClient()
	}
	for i, s := range o.accounts {
		a, err := sandbox.ParseAccount(s)
		if err != nil {
			return opt, fault.New(fault.Usage, "--account #%d: %v", i+1, err).
				WithHint("give it as SITE:RANG:IDENTIFIANT:KEY, e.g. 1999888:32:107904482:<128 hex digits>")
		}
		opt.Accounts = append(opt.Accounts, a)
	}
	switch {
	case o.preprod && len(opt.Accounts) > 0:
		opt.Accounts = append(opt.Accounts, sandbox.PreprodAccounts()...)
	case !o.preprod && len(opt.Accounts) == 0:
		return opt, fault.New(fault.Usage, "--preprod-accounts=false needs at least one --account")
	}
	return opt, nil
}
