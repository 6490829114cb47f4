package cli

import (
	"context"
	"fmt"

	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/store"
	"github.com/spf13/cobra"
)

type initOpts struct{ env *Env }

func newInitCmd(env *Env) *cobra.Command {
	o := &initOpts{env: env}
	return &cobra.Command{
		Use:   "init",
		Short: "Create the database and load the fee catalogue",
		Long: `Create the database (the config's database, or --db) and load the fee
catalogue and the document series from the config. An existing database is
refused unless it only needs migrating to this version of inpctl.

The books are the school's of --school (default: the config's school). A
SQLite file holds one school. On PostgreSQL, init --school CODE adds a school
of the config to books that hold others: its catalogue, its series and its
chains, apart from theirs.` + exitDoc(
			"0   created (or migrated)", "2   config error", "5   the database already exists and is up to date"),
		Example: "  inpctl init\n  inpctl init --db /srv/inpctl/inpctl.db --config /etc/inpctl/config.yaml\n  inpctl init --school isima   # on PostgreSQL: a second school in the same books",
		Args:    noArgs,
		RunE:    func(c *cobra.Command, _ []string) error { return runInit(c.Context(), o) },
	}
}

func runInit(ctx context.Context, o *initOpts) error {
	cfg, err := o.env.Config()
	if err != nil {
		return err
	}
	existed, err := store.BooksExist(ctx, cfg.Database)
	if err != nil {
		return err
	}
	db, err := o.env.openStore(ctx, store.Create)
	if err != nil {
		return err
	}
	if existed && len(db.Migrated()) == 0 && !db.SchoolAdded() {
		return fault.New(fault.Conflict, "database %s already exists and is up to date", store.RedactURL(cfg.Database)).
			WithHint("to reload the catalogue from the config use: inpctl fees load")
	}
	cat, err := catalogueOf(cfg)
	if err != nil {
		return err
	}
	ch, err := db.LoadCatalogue(ctx, cat, numberingOf(cfg))
	if err != nil {
		return err
	}
	verb := "created"
	switch {
	case db.SchoolAdded():
		verb = fmt.Sprintf("now holds the books of school %s too", cfg.School)
	case existed:
		verb = fmt.Sprintf("migrated (%d migration(s))", len(db.Migrated()))
	}
	o.env.Infof("✓ database %s %s; catalogue: %d codes, %d programmes, %d tariffs (config: %s)",
		store.RedactURL(cfg.Database), verb, ch.Codes, ch.Programmes, ch.TariffsAdded+ch.TariffsChanged+ch.Unchanged, cfg.Source)
	return nil
}
