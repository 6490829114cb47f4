package cli

import (
	"context"
	"sort"

	"github.com/inpctl/inpctl/internal/money"
	"github.com/spf13/cobra"
)

func newFeesCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "fees",
		Short:   "Show and load the fee catalogue",
		Example: "  inpctl fees list\n  inpctl fees load",
		Args:    noArgs,
	}
	cmd.AddCommand(newFeesListCmd(env), newFeesLoadCmd(env))
	return cmd
}

type feesListOpts struct {
	env             *Env
	year, programme string
}

// tariffRow is one cell of the tariff grid.
type tariffRow struct {
	Programme string      `json:"programme"`
	Session   string      `json:"session"`
	Year      string      `json:"academic_year"`
	Code      string      `json:"code"`
	Label     string      `json:"label"`
	Amount    money.Cents `json:"amount_cents"`
	Currency  string      `json:"currency"`
	Proof     bool        `json:"needs_proof"`
}

var tariffCols = []Col[tariffRow]{
	{Head: "Formation", Cell: func(r tariffRow) string { return r.Programme }},
	{Head: "Code", Cell: func(r tariffRow) string { return r.Code }},
	{Head: "Frais d'inscription", Cell: func(r tariffRow) string { return r.Label }},
	{Head: "Justificatif", Cell: func(r tariffRow) string { return yesNo(r.Proof) }},
	{Head: "Montant", Money: func(r tariffRow) money.Cents { return r.Amount }, Right: true},
}

func yesNo(b bool) string {
	if b {
		return "oui"
	}
	return ""
}

func newFeesListCmd(env *Env) *cobra.Command {
	o := &feesListOpts{env: env}
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "Print the tariff grid (programme × code → amount)",
		Long:    "Print the tariffs loaded in the database for an academic year." + exitDoc("0   printed"),
		Example: "  inpctl fees list\n  inpctl fees list --programme ING-GC-3A -o json",
		Args:    noArgs,
		RunE:    func(c *cobra.Command, _ []string) error { return runFeesList(c.Context(), o) },
	}
	cmd.Flags().StringVar(&o.year, "year", "", "academic year (default: the config's)")
	cmd.Flags().StringVar(&o.programme, "programme", "", "only this programme")
	return cmd
}

func runFeesList(ctx context.Context, o *feesListOpts) error {
	year, err := yearOrDefault(o.env, o.year)
	if err != nil {
		return err
	}
	if err := (filters{Programme: o.programme, Year: o.year}).check(ctx, o.env); err != nil {
		return err
	}
	db, err := o.env.Store(ctx)
	if err != nil {
		return err
	}
	cat, err := db.Catalogue(ctx)
	if err != nil {
		return err
	}
	rows := []tariffRow{}
	for _, id := range cat.ProgrammeIDs() {
		p := cat.Programmes[id]
		if o.programme != "" && id != o.programme {
			continue
		}
		codes := append([]string{}, p.Codes...)
		sort.Strings(codes)
		for _, code := range codes {
			amount, ok := p.Tariffs[year][code]
			if !ok {
				continue
			}
			c := cat.Codes[code]
			rows = append(rows, tariffRow{id, p.Session, year, code, c.Label, amount, money.Currency, c.NeedsProof})
		}
	}
	return Print(o.env.Printer(), rows, tariffCols, "no tariffs for "+year)
}

type feesLoadOpts struct{ env *Env }

func newFeesLoadCmd(env *Env) *cobra.Command {
	o := &feesLoadOpts{env: env}
	return &cobra.Command{
		Use:   "load",
		Short: "Load the catalogue from the config into the database",
		Long: `Load the fee codes, programmes and tariffs of the config into the database.
Idempotent. A tariff already used by an order is never changed in place: such
a change is refused and nothing is written.` + exitDoc("0   loaded", "2   config error", "5   a tariff in use would change"),
		Example: "  inpctl fees load --config /etc/inpctl/config.yaml",
		Args:    noArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			cfg, err := o.env.Config()
			if err != nil {
				return err
			}
			cat, err := catalogueOf(cfg)
			if err != nil {
				return err
			}
			db, err := o.env.Store(c.Context())
			if err != nil {
				return err
			}
			ch, err := db.LoadCatalogue(c.Context(), cat, numberingOf(cfg))
			if err != nil {
				return err
			}
			o.env.Infof("✓ catalogue loaded: %d codes, %d programmes; tariffs: %d added, %d changed, %d unchanged",
				ch.Codes, ch.Programmes, ch.TariffsAdded, ch.TariffsChanged, ch.Unchanged)
			return nil
		},
	}
}
