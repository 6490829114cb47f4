package cli

import (
	"context"

	"github.com/inpctl/inpctl/internal/billing"
	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/money"
	"github.com/inpctl/inpctl/internal/store"
	"github.com/spf13/cobra"
)

// newAccountCmd is the "account" group (account positions, SPEC §8).
func newAccountCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "account",
		Short: "Show students' account positions",
		Example: `  inpctl account show 22104567
  inpctl account list --overdue
  inpctl account export --from 2025-09-01 --to 2025-09-30 > septembre.csv`,
		Args: noArgs,
	}
	cmd.AddCommand(newAccountShowCmd(env), newAccountListCmd(env), newAccountExportCmd(env), newAccountStatementCmd(env))
	return cmd
}

// asOfDate reads --as-of (YYYY-MM-DD or DD/MM/YYYY), today by default.
func asOfDate(env *Env, flag string) (clock.Date, error) {
	if flag == "" {
		return env.Today()
	}
	d, err := clock.ParseDate(flag)
	if err != nil {
		return d, fault.New(fault.Usage, "--as-of: %v", err)
	}
	return d, nil
}

// accountDoc is a student's account position as one document: the
// identity, then billing.Account (sections with items and totals, summary,
// plan, coming debits, failed attempts). Amounts are cents of Currency.
type accountDoc struct {
	StudentID      string `json:"student_id"`
	LastName       string `json:"last_name"`
	FirstName      string `json:"first_name"`
	Programme      string `json:"programme"`
	ProgrammeLabel string `json:"programme_label"`
	Session        string `json:"session"`
	Currency       string `json:"currency"`
	billing.Account
}

// loadAccount reads a student's ledger rows and computes the position as
// of asOf (dates in the configured time zone).
func loadAccount(ctx context.Context, env *Env, studentID string, asOf clock.Date) (accountDoc, store.AccountRows, error) {
	cfg, err := env.Config()
	if err != nil {
		return accountDoc{}, store.AccountRows{}, err
	}
	db, err := env.Store(ctx)
	if err != nil {
		return accountDoc{}, store.AccountRows{}, err
	}
	rows, err := db.AccountRows(ctx, studentID, asOf, cfg.Location)
	if err != nil {
		return accountDoc{}, rows, err
	}
	s := rows.Student
	return accountDoc{StudentID: s.ID, LastName: s.LastName, FirstName: s.FirstName, Programme: s.Programme,
		ProgrammeLabel: rows.Programme, Session: rows.Session, Currency: money.Currency, Account: billing.BuildAccount(rows, asOf)}, rows, nil
}
