package cli

import (
	"fmt"
	"strings"

	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/config"
	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/fees"
	"github.com/inpctl/inpctl/internal/store"
	"github.com/spf13/cobra"
)

// yearOrDefault validates --year or returns the config's academic year.
func yearOrDefault(env *Env, year string) (string, error) {
	if year == "" {
		cfg, err := env.Config()
		if err != nil {
			return "", err
		}
		return cfg.AcademicYear, nil
	}
	if !fees.ValidYear(year) {
		return "", fault.New(fault.Usage, "--year %q is not an academic year (e.g. 2025-2026)", year)
	}
	return year, nil
}

// oneOf checks a flag value against its allowed values.
func oneOf(flag, v string, allowed ...string) error {
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return fault.New(fault.Usage, "%s %q is not one of: %s", flag, v, strings.Join(allowed[1:], ", "))
}

// catalogueOf converts the config's catalogue and validates it.
func catalogueOf(cfg config.Config) (fees.Catalogue, error) {
	cat, err := cfg.FeeCatalogue()
	if err != nil {
		return cat, err
	}
	if err := cat.Validate(); err != nil {
		return cat, fault.Wrap(fault.Usage, err, "config %s: catalogue", cfg.Source)
	}
	return cat, nil
}

// numberingOf converts the config's numbering.
func numberingOf(cfg config.Config) store.Numbering {
	n := cfg.Numbering
	return store.Numbering{
		OrderPrefix: n.OrderPrefix, OrderStart: n.OrderStart,
		InvoicePrefix: n.InvoicePrefix, InvoiceStart: n.InvoiceStart,
		CreditNotePrefix: n.CreditNotePrefix, CreditNoteStart: n.CreditNoteStart,
		PaymentPrefix: n.PaymentPrefix, PaymentStart: n.PaymentStart,
	}
}

// optDate validates an optional YYYY-MM-DD flag.
func optDate(flag, v string) (string, error) {
	if v == "" {
		return "", nil
	}
	d, err := clock.ParseDate(v)
	if err != nil {
		return "", fault.New(fault.Usage, "%s %v", flag, err)
	}
	return d.String(), nil
}

// plural writes "1 dossier", "2 dossiers".
func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// dateRange validates optional --from and --to flags and their order.
func dateRange(from, to string) (string, string, error) {
	f, err := optDate("--from", from)
	if err != nil {
		return "", "", err
	}
	t, err := optDate("--to", to)
	if err != nil {
		return "", "", err
	}
	if f != "" && t != "" && t < f {
		return "", "", fault.New(fault.Usage, "--to %s is before --from %s", t, f)
	}
	return f, t, nil
}

// studentsOrAll checks the arguments of a command that takes student
// numbers or, with the flag named allFlag (*all set), every student it
// applies to: one or the other, never both, never neither.
func studentsOrAll(all *bool, allFlag string) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		switch {
		case *all && len(args) > 0:
			return fault.New(fault.Usage, "%s takes no student number (%s given)", allFlag, args[0]).
				WithHint("give student numbers or %s, not both", allFlag)
		case !*all && len(args) == 0:
			return fault.New(fault.Usage, "%s needs student numbers, or %s", c.CommandPath(), allFlag).
				WithHint("e.g. %s 22104567, or %s %s", c.CommandPath(), c.CommandPath(), allFlag)
		}
		return nil
	}
}
