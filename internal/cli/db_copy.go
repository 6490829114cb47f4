package cli

import (
	"context"
	"reflect"
	"strconv"

	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/store"
	"github.com/spf13/cobra"
)

var copiedCols = []Col[store.CopiedTable]{
	{Head: "Table", Cell: func(c store.CopiedTable) string { return c.Name }},
	{Head: "Rows", Cell: func(c store.CopiedTable) string { return strconv.FormatInt(c.Rows, 10) }},
}

func newDBCopyCmd(env *Env) *cobra.Command {
	var to string
	cmd := &cobra.Command{
		Use:   "copy --to postgres://…",
		Short: "Copy the SQLite books to a new PostgreSQL database",
		Long: `Copy every row of the database (a SQLite file) to an empty PostgreSQL database, to move
an office to a database server (docs/deploy.md, "Several offices"). The rows keep their
numbers, the chains and the audit log their hashes, the series their next numbers, so
that a seal of the SQLite books verifies against the copy (db check --against).

The copy is one transaction: a failure leaves the target as it was. Then db check runs
on the copy, which must find what it finds on the source, and the figures of account
list and the journal are compared on both. A target that already holds books is
refused. The SQLite file is only read.` + exitDoc(
			"0   copied, checked, same figures on both",
			"1   the copy's figures differ from the source's (the copy is kept: drop it)",
			"2   --to is not a postgres:// URL, or the database is not a SQLite file",
			"5   the target holds books, or db check finds on the copy what it does not find on the source"),
		Example: "  inpctl db copy --to postgres://inpctl@db.example.org/inpctl",
		Args:    noArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			return runDBCopy(c.Context(), env, to)
		},
	}
	cmd.Flags().StringVar(&to, "to", "", "the PostgreSQL database to fill (postgres://user@host/dbname)")
	return cmd
}

func runDBCopy(ctx context.Context, env *Env, to string) error {
	if to == "" {
		return fault.New(fault.Usage, "db copy needs --to postgres://user@host/dbname, the empty database to fill")
	}
	if !store.IsURL(to) {
		return fault.New(fault.Usage, "--to %q is not a postgres:// URL", store.RedactURL(to))
	}
	src, err := env.Store(ctx)
	if err != nil {
		return err
	}
	clk, err := env.Clock()
	if err != nil {
		return err
	}
	cfg, err := env.Config()
	if err != nil {
		return err
	}
	res, err := src.CopyTo(ctx, to, nil)
	if err != nil {
		return err
	}
	tgt, err := store.Open(ctx, to, clk, store.MustExist)
	if err != nil {
		return err
	}
	defer tgt.Close()
	now := clk.Now()
	want, err := src.Check(ctx, now)
	if err != nil {
		return err
	}
	got, err := tgt.Check(ctx, now)
	if err != nil {
		return err
	}
	if err := Print(env.Printer(), res.Tables, copiedCols, ""); err != nil {
		return err
	}
	if !reflect.DeepEqual(got, want) {
		_ = Print(env.Printer(), got, findingCols, "")
		return fault.New(fault.Conflict, "db check finds on the copy %d finding(s), on the source %d: the copy is not the same books", len(got), len(want)).
			WithHint("drop the copy, run db check on the source, and tell the maintainers")
	}
	// The figures: every student's account list line, and every movement
	// of the journal, as of a day after the last one written.
	day := clock.DateOf(now, cfg.Location).AddDays(3660)
	var a, b []store.AccountTotals
	if a, err = src.AccountTotals(ctx, store.AccountFilter{}, day, cfg.Location); err != nil {
		return err
	}
	if b, err = tgt.AccountTotals(ctx, store.AccountFilter{}, day, cfg.Location); err != nil {
		return err
	}
	ja, err := journalOf(ctx, src, day)
	if err != nil {
		return err
	}
	jb, err := journalOf(ctx, tgt, day)
	if err != nil {
		return err
	}
	if !reflect.DeepEqual(a, b) || !reflect.DeepEqual(ja, jb) {
		return fault.New(fault.Failure, "the copy's figures differ from the source's (account list: %d and %d students, journal: %d and %d movements)",
			len(a), len(b), len(ja), len(jb)).WithHint("drop the copy and tell the maintainers; the source is unchanged")
	}
	env.Infof("✓ copied to %s: db check finds the same (%d finding(s)), account list (%d students) and the journal (%d movements) are identical",
		tgt.Path(), len(got), len(a), len(ja))
	return nil
}

// journalOf is every journal movement up to day.
func journalOf(ctx context.Context, db *store.DB, day clock.Date) ([]store.JournalMovement, error) {
	from, _ := clock.ParseDate("2000-01-01")
	var out []store.JournalMovement
	err := db.EachJournalMovement(ctx, from, day, func(m store.JournalMovement) error {
		out = append(out, m)
		return nil
	})
	return out, err
}
