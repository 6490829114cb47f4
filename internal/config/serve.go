package config

import (
	"net"
	"net/netip"
	"net/url"
	"strings"
)

// Serve configures `inpctl serve` (issue 18): where it listens, who may
// send it notifications, which proxies it believes, and the public URL
// pay link gives Paybox and the student's browser. A config without a
// serve section gets the defaults below.
type Serve struct {
	// Listen is the address of the HTTP server (default 127.0.0.1:8640:
	// behind the school's reverse proxy).
	Listen string `mapstructure:"listen" json:"listen" yaml:"listen"`
	// PublicURL is the server as the outside sees it
	// ("https://inscriptions.example.org"): pay link fills PBX_REPONDRE_A
	// and the return pages from it. Empty: gateway.paybox.ipn_url as before.
	PublicURL string `mapstructure:"public_url" json:"public_url" yaml:"public_url"`
	// IPNAllow are the addresses (CIDRs) a notification may come from;
	// empty: Paybox's documented sources and loopback (serve.DefaultAllow).
	IPNAllow []string `mapstructure:"ipn_allow" json:"ipn_allow" yaml:"ipn_allow"`
	// TrustedProxies may set X-Forwarded-For (the reverse proxy); the
	// header of any other peer is ignored.
	TrustedProxies []string `mapstructure:"trusted_proxies" json:"trusted_proxies" yaml:"trusted_proxies"`
}

// DefaultServeListen is serve.listen when the config gives none.
const DefaultServeListen = "127.0.0.1:8640"

// ServeListen is the listen address, defaulted.
func (c Config) ServeListen() string {
	if strings.TrimSpace(c.Serve.Listen) == "" {
		return DefaultServeListen
	}
	return c.Serve.Listen
}

func (c *Config) validateServe(errs *fieldErrs) {
	s := c.Serve
	if s.Listen != "" {
		if _, port, err := net.SplitHostPort(s.Listen); err != nil || port == "" {
			errs.add("serve.listen", "%q is not HOST:PORT (e.g. 127.0.0.1:8640)", s.Listen)
		}
	}
	if s.PublicURL != "" {
		if u, err := url.Parse(s.PublicURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			errs.add("serve.public_url", "%q is not an http(s) URL (e.g. https://inscriptions.example.org)", s.PublicURL)
		}
	}
	for key, list := range map[string][]string{"serve.ipn_allow": s.IPNAllow, "serve.trusted_proxies": s.TrustedProxies} {
		for _, v := range list {
			v = strings.TrimSpace(v)
			if _, err := netip.ParsePrefix(v); err == nil {
				continue
			}
			if _, err := netip.ParseAddr(v); err != nil {
				errs.add(key, "%q is not an address or a CIDR (e.g. 194.2.122.158 or 10.0.0.0/8)", v)
			}
		}
	}
}
