package cli

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/store"
	"github.com/spf13/cobra"
)

func newDBCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "db",
		Short:   "Check the books and back up the database",
		Example: "  inpctl db check\n  inpctl db backup /srv/backup/inpctl-$(date +%F).db",
		Args:    noArgs,
	}
	cmd.AddCommand(newDBCheckCmd(env), newDBBackupCmd(env), newDBCopyCmd(env), newDBRolesCmd(env))
	return cmd
}

var findingCols = []Col[store.Finding]{
	{Head: "Code", Cell: func(f store.Finding) string { return f.Code }},
	{Head: "Message", Cell: func(f store.Finding) string { return f.Message }},
}

// dbCheckOpts are the options of db check.
type dbCheckOpts struct {
	env     *Env
	seal    string // write a seal of the books to this file
	against string // verify the books against this seal
}

func newDBCheckCmd(env *Env) *cobra.Command {
	o := &dbCheckOpts{env: env}
	cmd := &cobra.Command{
		Use:   "check [--seal FILE | --against SEAL]",
		Short: "Verify every invariant of the books",
		Long: `Verify that the books are consistent, one line per finding with its code:
E001 the unpaid instalments of a live plan are not what its order owes · E002 a payment is over-allocated
or over-refunded · E003/E004 a gap in the invoice/credit-note series · E005
documents dated out of order · E006 an invoice has more allocated than it is
worth net of credit notes · E007 a negative allocation · E008 an instalment
debited more than once plus once per payment to its order reversed since · E009 an approved charge with no payment · E010 the audit
chain is broken · E011 a card number is stored · E012 SQLite integrity ·
E013 over-credited invoice · E014 refunds above payments · E015 more taken
by card for a dossier than its dearest order · E016 a charge sent on a
blocked order · E017 the schema is not the migrations' (a guard trigger
dropped or changed, a table altered, an object added) · E018 a chained row
(invoice, invoice line, credit note, payment, allocation, unpaid or void,
refund, notification, attempt or tariff version) changed, removed, or
written outside inpctl · E019 a chain does not end where its head says (its
last rows removed, its links written again, its total changed; the audit log
too) · E020 an attempt or a tariff is not its last recorded version, or an
attempt's outcome changed once known · E021 (--against) something sealed was
removed or changed · E022 (--against) the seal is not signed by the seal key ·
W001 a charge whose
outcome has been unknown for more than a day (a warning: run inpctl reconcile) ·
W002 a card refund whose outcome is unknown (a warning, at once: do not refund
again, run inpctl reconcile) · W003 an e-mail notice failed, or notices
pending for more than a day (run mail send) · W004 an index that is not
inpctl's.

--seal FILE writes, when the books are consistent, a seal: the count, last hash
and total of every chain and the date, signed with the Ed25519 key of
seal.key_file (created with a new key when the file does not exist; chmod 600,
owned by you, outside the database's folder). Keep seals off this machine.
--against SEAL checks the books, then that every row the seal covers is still
there and unchanged (rows written since are fine): a forger who rewrites a
chain inside the database cannot sign its new head. The seal file is JSON:
format, sealed_at, database, series [{name, count, head, total_cents}],
public_key (hex) and signature (base64 Ed25519 over the canonical lines
described in docs/decisions.md).` + exitDoc(
			"0   clean (warnings do not fail); with --seal, the seal written",
			"2   --seal and --against together, no seal key, or a seal file that cannot be read",
			"5   at least one error finding (nothing is sealed), or the seal FILE exists"),
		Example: "  inpctl db check\n  inpctl db check -o json\n  inpctl db check --seal /srv/seals/inpctl-$(date +%F).seal\n" +
			"  inpctl db check --against /srv/seals/inpctl-2025-10-10.seal",
		Args: noArgs,
		RunE: func(c *cobra.Command, _ []string) error { return runDBCheckCmd(c.Context(), o) },
	}
	cmd.Flags().StringVar(&o.seal, "seal", "", "write a signed seal of the books to `FILE` (must not exist)")
	cmd.Flags().StringVar(&o.against, "against", "", "verify that nothing in the seal `SEAL` was changed or removed since")
	return cmd
}

func runDBCheckCmd(ctx context.Context, o *dbCheckOpts) error {
	env := o.env
	if o.seal != "" && o.against != "" {
		return fault.New(fault.Usage, "--seal and --against do not go together").
			WithHint("check against the last seal first, then write the next one")
	}
	db, err := env.Store(ctx)
	if err != nil {
		return err
	}
	clk, err := env.Clock()
	if err != nil {
		return err
	}
	switch {
	case o.seal != "":
		return runDBSeal(ctx, env, db, clk.Now(), o.seal)
	case o.against != "":
		return runDBAgainst(ctx, env, db, clk.Now(), o.against)
	}
	return runDBCheck(ctx, env, db, clk.Now())
}

func runDBCheck(ctx context.Context, env *Env, db *store.DB, now time.Time) error {
	findings, err := db.Check(ctx, now)
	if err != nil {
		return err
	}
	if err := reportFindings(env, db, findings); err != nil {
		return err
	}
	env.Infof("✓ db check: the books are consistent (%d warning(s))", len(findings))
	return nil
}

// reportFindings prints the findings and fails (exit 5) when one is an error.
func reportFindings(env *Env, db *store.DB, findings []store.Finding) error {
	if err := Print(env.Printer(), findings, findingCols, ""); err != nil {
		return err
	}
	errs := 0
	for _, f := range findings {
		if !f.Warning {
			errs++
		}
	}
	if errs > 0 {
		return fault.New(fault.Conflict, "db check: %d error(s), %d warning(s) in %s", errs, len(findings)-errs, db.Path())
	}
	return nil
}

func newDBBackupCmd(env *Env) *cobra.Command {
	return &cobra.Command{
		Use:   "backup FILE",
		Short: "Write a consistent copy of the database while it is in use",
		Long: `Write a consistent copy of the database (SQLite VACUUM INTO) to FILE, even while
other commands run, then run db check on the copy. FILE must not exist.` + exitDoc(
			"0   written and checked", "5   FILE exists, or the copy fails db check"),
		Example: "  inpctl db backup /srv/backup/inpctl-2025-10-10.db",
		Args:    cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			ctx := c.Context()
			db, err := env.Store(ctx)
			if err != nil {
				return err
			}
			if err := db.Backup(ctx, args[0]); err != nil {
				return err
			}
			if store.IsURL(db.Path()) {
				// pg_dump's archive, checked complete by pg_restore --list.
				env.Infof("✓ backup of %s written to %s (restore it with pg_restore)", db.Path(), args[0])
				return PrintObject(env.Printer(), map[string]string{"backup": args[0]}, func(w io.Writer) error {
					_, err := fmt.Fprintln(w, args[0])
					return err
				})
			}
			copyDB, err := store.Open(ctx, args[0], clock.System{}, store.MustExist)
			if err != nil {
				return err
			}
			defer copyDB.Close()
			clk, _ := env.Clock()
			findings, err := copyDB.Check(ctx, clk.Now())
			if err != nil {
				return err
			}
			for _, f := range findings {
				if !f.Warning {
					return fault.New(fault.Conflict, "the backup %s fails db check: %s", args[0], f)
				}
			}
			env.Infof("✓ backup written to %s and checked", args[0])
			return PrintObject(env.Printer(), map[string]string{"backup": args[0]}, func(w io.Writer) error {
				_, err := fmt.Fprintln(w, args[0])
				return err
			})
		},
	}
}
