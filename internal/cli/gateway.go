package cli

import (
	"context"
	"crypto/rsa"
	"net/url"
	"strings"

	"github.com/inpctl/inpctl/internal/config"
	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/gateway"
	"github.com/inpctl/inpctl/internal/gateway/paybox"
	"github.com/inpctl/inpctl/internal/gateway/sandbox"
	"github.com/inpctl/inpctl/internal/serve"
	"github.com/inpctl/inpctl/internal/store"
)

// gatewayKit is everything the payment commands need from the gateway
// configuration: the Direct client, the hosted-page link settings, the
// public keys notifications are verified with, and (sandbox only) the
// in-process sandbox itself.
type gatewayKit struct {
	gw   gateway.Gateway
	sb   *sandbox.Sandbox
	link paybox.LinkConfig
	keys []*rsa.PublicKey
	// notifies: the in-process sandbox calls PBX_REPONDRE_A (link.IPNURL,
	// from serve.public_url): inpctl serve applies the notifications.
	notifies bool
}

// Gateway returns the configured gateway.
func (e *Env) Gateway(ctx context.Context) (gateway.Gateway, error) {
	k, err := e.gateway(ctx)
	if err != nil {
		return nil, err
	}
	return k.gw, nil
}

func (e *Env) gateway(ctx context.Context) (*gatewayKit, error) {
	if e.gwKit != nil {
		return e.gwKit, nil
	}
	cfg, err := e.Config()
	if err != nil {
		return nil, err
	}
	clk, err := e.Clock()
	if err != nil {
		return nil, err
	}
	p := cfg.Gateway.Paybox
	k := &gatewayKit{link: linkURLs(cfg, paybox.LinkConfig{URL: p.HostedURL, Site: p.Site, Rang: p.Rang, Identifiant: p.Identifiant, Location: cfg.Location})}
	pcfg := paybox.Config{URLs: nonEmpty(p.URL, p.BackupURL), Site: p.Site, Rang: p.Rang, Identifiant: p.Identifiant, Timeout: p.Timeout, Location: cfg.Location}
	if cfg.Gateway.Kind == "sandbox" {
		state := cfg.Gateway.SandboxState
		if state == "" {
			state = sandboxStateOf(cfg.Database)
		}
		key, _ := paybox.DecodeKey(sandbox.TestKeyHex)
		pcfg.Key, k.link.Key = key, key
		pcfg.Site, pcfg.Rang, pcfg.Identifiant = sandbox.TestSite, sandbox.TestRang, sandbox.TestIdentifiant
		k.link.Site, k.link.Rang, k.link.Identifiant = sandbox.TestSite, sandbox.TestRang, sandbox.TestIdentifiant
		k.link.URL = "http://sandbox.invalid/cgi/MYchoix_pagepaiement.cgi"
		opt := sandbox.Options{StatePath: state, Now: clk.Now}
		if cfg.Serve.PublicURL != "" {
			// pay link sends PBX_REPONDRE_A to inpctl serve: the sandbox
			// calls it like Paybox (pay simulate waits for the calls).
			opt.Hosted.Notify = sandbox.NotifyClient()
			k.notifies = true
		}
		client, sb, err := sandbox.NewInProcess(opt, pcfg)
		if err != nil {
			return nil, fault.Wrap(fault.Failure, err, "start the built-in Paybox sandbox")
		}
		k.gw, k.sb = client, sb
		pub, err := paybox.ParsePublicKeyPEM([]byte(sandbox.PublicKeyPEM))
		if err != nil {
			return nil, err
		}
		k.keys = []*rsa.PublicKey{pub}
	} else {
		if pcfg.Key, err = hmacKey(cfg); err != nil {
			return nil, err
		}
		k.link.Key = pcfg.Key
		k.gw = paybox.New(pcfg)
		for i, pem := range p.PublicKeys {
			pub, err := paybox.ParsePublicKeyPEM([]byte(pem))
			if err != nil {
				return nil, fault.Wrap(fault.Usage, err, "config: gateway.paybox.public_keys[%d]", i)
			}
			k.keys = append(k.keys, pub)
		}
	}
	if e.wrapGateway != nil {
		k.gw = e.wrapGateway(k.gw)
	}
	e.gwKit = k
	return k, nil
}

// linkURLs fills the notification and return URLs of lc: with
// serve.public_url, the routes of inpctl serve under it (PBX_REPONDRE_A
// …/paybox/ipn, PBX_EFFECTUE …/paybox/retour, PBX_REFUSE …/paybox/refuse,
// PBX_ANNULE …/paybox/annule); without, gateway.paybox.ipn_url alone and
// the back office's return pages, as before issue 18.
func linkURLs(cfg config.Config, lc paybox.LinkConfig) paybox.LinkConfig {
	base := strings.TrimRight(strings.TrimSpace(cfg.Serve.PublicURL), "/")
	if base == "" {
		lc.IPNURL = cfg.Gateway.Paybox.IPNURL
		return lc
	}
	lc.IPNURL, lc.EffectueURL = base+serve.PathIPN, base+serve.PathRetour
	lc.RefuseURL, lc.AnnuleURL = base+serve.PathRefuse, base+serve.PathAnnule
	return lc
}

// closeGateway closes the in-process sandbox's journal.
func (e *Env) closeGateway() {
	if e.gwKit != nil && e.gwKit.sb != nil {
		e.gwKit.sb.Close()
	}
	e.gwKit = nil
}

// hmacKey reads and decodes the Paybox HMAC key, and says where it came
// from when it is wrong (never what it is).
func hmacKey(cfg config.Config) ([]byte, error) {
	hexKey, err := cfg.HMACKey()
	if err != nil {
		return nil, err
	}
	key, err := paybox.DecodeKey(hexKey)
	if err != nil {
		from := "INPCTL_GATEWAY_PAYBOX_HMAC_KEY"
		if cfg.Gateway.Paybox.HMACKey.Reveal() == "" {
			from = "gateway.paybox.hmac_key_file " + cfg.Gateway.Paybox.HMACKeyFile
		}
		return nil, fault.Wrap(fault.Usage, err, "%s", from).WithHint("%s", fault.HintOf(err))
	}
	return key, nil
}

// sandboxStateOf is where the sandbox keeps its state when the config
// does not say (gateway.sandbox_state): next to a SQLite file, or, for a
// PostgreSQL database, in the working folder, named after the database.
func sandboxStateOf(database string) string {
	if !store.IsURL(database) {
		return database + ".sandbox"
	}
	name := "inpctl"
	if u, err := url.Parse(database); err == nil && strings.Trim(u.Path, "/") != "" {
		name = strings.Trim(u.Path, "/")
	}
	return name + ".sandbox"
}
