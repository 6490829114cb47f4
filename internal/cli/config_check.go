package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/inpctl/inpctl/internal/config"
	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"
)

func newConfigCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "config",
		Short:   "Inspect the configuration",
		Example: "  inpctl config check",
		Args:    noArgs,
	}
	cmd.AddCommand(newConfigCheckCmd(env))
	return cmd
}

type configCheckOpts struct{ env *Env }

func newConfigCheckCmd(env *Env) *cobra.Command {
	o := &configCheckOpts{env: env}
	return &cobra.Command{
		Use:   "check",
		Short: "Validate the config and print it with secrets hidden",
		Long: `Validate the configuration (file, or built-in example, plus INPCTL_*
environment overrides) and print the effective values. Secrets print as ***.` + exitDoc(
			"0   the config is valid", "2   an unknown key or an invalid value (the message names the key)"),
		Example: "  inpctl config check\n  inpctl config check --config /etc/inpctl/config.yaml -o json",
		Args:    noArgs,
		RunE:    func(c *cobra.Command, _ []string) error { return runConfigCheck(c.Context(), o) },
	}
}

// effectiveConfig is what config check shows: the config with every secret
// masked (Secret marshals as ***) and whether a key is configured.
type effectiveConfig struct {
	Source string        `json:"source" yaml:"source"`
	Config config.Config `json:"config" yaml:"config"`
	HMAC   string        `json:"hmac_key" yaml:"hmac_key"`
}

func runConfigCheck(_ context.Context, o *configCheckOpts) error {
	cfg, err := o.env.Config()
	if err != nil {
		return err
	}
	if _, err := o.env.Clock(); err != nil {
		return err
	}
	eff := effectiveConfig{Source: cfg.Source, Config: cfg, HMAC: "(not set)"}
	// The real gateway needs a valid key; with the sandbox a key is
	// optional, but one that is given (or a key file) must still be right.
	keyGiven := cfg.Gateway.Paybox.HMACKey.Reveal() != "" || cfg.Gateway.Paybox.HMACKeyFile != ""
	if cfg.Gateway.Kind == "paybox" || keyGiven {
		if _, err := hmacKey(cfg); err != nil {
			return err
		}
		eff.HMAC = "***"
	}
	eff.Config.Gateway.Paybox.HMACKey = config.Secret("")
	o.env.Infof("✓ config is valid (%s)", cfg.Source)
	return PrintObject(o.env.Printer(), eff, func(w io.Writer) error {
		b, err := yaml.Marshal(eff)
		if err != nil {
			return err
		}
		_, err = fmt.Fprint(w, string(b))
		return err
	})
}
