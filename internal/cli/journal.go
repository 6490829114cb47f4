package cli

import (
	"context"
	"io"
	"os"

	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/config"
	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/journal"
	"github.com/inpctl/inpctl/internal/money"
	"github.com/inpctl/inpctl/internal/store"
	"github.com/spf13/cobra"
)

type journalOpts struct {
	env                   *Env
	from, to, format, out string
}

func newJournalCmd(env *Env) *cobra.Command {
	o := &journalOpts{env: env}
	cmd := &cobra.Command{
		Use:   "journal --from DATE --to DATE [--format fec|csv] [--out FILE]",
		Short: "Write the period's accounting entries (FEC layout) for the agence comptable",
		Long: `Write every accounting movement dated in a period (both days included) as
balanced double entries on the chart of accounts of the config (accounting:):

  invoice       debit the receivable (the student, or the payer the invoice
                is addressed to), credit the revenue account of its fee code
                (and VAT collected, if any)                    journal sales
  credit note   the reverse of its invoice's entry             journal sales
  payment       debit Paybox clearing (card), the bank (cheque, transfer)
                or the cash account, credit the receivable     card, bank or cash
  unpaid, void  the reverse of the payment's entry             the payment's journal
  refund        debit the receivable, credit Paybox clearing (card) or
                refunds payable (a manual refund)              card or misc

The auxiliary account (CompAuxNum) is the student number, or the payer's
SIRET. --format fec (the default) writes the 18 fields of article A47 A-1 of
the Livre des procédures fiscales, |-separated, UTF-8, dates YYYYMMDD,
amounts with a comma decimal; EcritureNum goes on from 1 in each journal
within the export; PieceRef is the invoice, credit note or payment number.
--format csv writes the same rows as RFC 4180 CSV. Rows are streamed by
date, then kind, then number; --out writes the file atomically and its
description (encoding, separator, fields) to FILE.txt.` + exitDoc("0   written (a period with no movement gives the header alone)",
			"1   a movement could not be booked (an unknown payment method)", "2   missing or bad --from/--to/--format"),
		Example: `  inpctl journal --from 2025-09-01 --to 2025-09-30 > septembre.fec
  inpctl journal --from 2025-09-01 --to 2026-08-31 --out 000000000FEC20260831.txt
  inpctl journal --from 2025-09-01 --to 2025-09-30 --format csv --out septembre.csv`,
		Args: noArgs,
		RunE: func(c *cobra.Command, _ []string) error { return runJournal(c.Context(), o) },
	}
	cmd.Flags().StringVar(&o.from, "from", "", "first day of the period, YYYY-MM-DD (required)")
	cmd.Flags().StringVar(&o.to, "to", "", "last day of the period, YYYY-MM-DD (required)")
	cmd.Flags().StringVar(&o.format, "format", journal.FEC, "fec or csv")
	cmd.Flags().StringVar(&o.out, "out", "", "write to this file (and its description to FILE.txt) instead of stdout")
	return cmd
}

// journalPeriod checks --from, --to and --format (exit 2).
func journalPeriod(o *journalOpts) (clock.Date, clock.Date, error) {
	if o.format != journal.FEC && o.format != journal.CSV {
		return clock.Date{}, clock.Date{}, fault.New(fault.Usage, "--format %q: fec or csv", o.format)
	}
	if o.from == "" || o.to == "" {
		return clock.Date{}, clock.Date{}, fault.New(fault.Usage, "journal needs --from and --to").
			WithHint("e.g. --from 2025-09-01 --to 2025-09-30")
	}
	return acctExportPeriod(o.from, o.to)
}

func runJournal(ctx context.Context, o *journalOpts) error {
	from, to, err := journalPeriod(o)
	if err != nil {
		return err
	}
	cfg, err := o.env.Config()
	if err != nil {
		return err
	}
	db, err := o.env.Store(ctx)
	if err != nil {
		return err
	}
	chart := chartOf(cfg.Accounting)
	var sum journalSums
	if o.out == "" {
		return writeJournal(ctx, db, chart, from, to, o.format, o.env.IO.Out, &sum)
	}
	if fi, err := os.Stat(o.out); err == nil && fi.IsDir() {
		return fault.New(fault.Usage, "--out %s is a directory: give a file name (e.g. %s/journal.fec)", o.out, o.out)
	}
	if err := acctWriteFile(o.out, func(w io.Writer) error { return writeJournal(ctx, db, chart, from, to, o.format, w, &sum) }); err != nil {
		return err
	}
	desc := journal.Description(o.format, o.out, from.String(), to.String())
	if err := acctWriteFile(o.out+".txt", func(w io.Writer) error { _, err := io.WriteString(w, desc); return err }); err != nil {
		return err
	}
	o.env.Infof("✓ %s written (%d entries, %s; debit = credit = %s) and its description %s.txt", o.out,
		sum.entries, plural(sum.lines, "line"), sum.debit, o.out)
	return nil
}

// journalSums are the totals of what writeJournal wrote.
type journalSums struct {
	entries, lines int
	debit, credit  money.Cents
}

// writeJournal books and writes the period's movements one at a time.
func writeJournal(ctx context.Context, db *store.DB, chart journal.Chart, from, to clock.Date, format string, w io.Writer, sum *journalSums) error {
	jw, err := journal.NewWriter(w, format)
	if err != nil {
		return fault.New(fault.Usage, "%v", err)
	}
	var num journal.Numberer
	err = db.EachJournalMovement(ctx, from, to, func(m store.JournalMovement) error {
		e, err := chart.Book(journal.Movement(m))
		if err != nil {
			return fault.New(fault.Failure, "journal: %v", err)
		}
		if !e.Balanced() {
			return fault.New(fault.Failure, "journal: the entry of %s %s is not balanced", m.Kind, m.Number)
		}
		num.Number(&e)
		d, c := e.Totals()
		sum.entries, sum.lines, sum.debit, sum.credit = sum.entries+1, sum.lines+len(e.Lines), sum.debit+d, sum.credit+c
		return jw.Write(e)
	})
	if err != nil {
		return err
	}
	if sum.debit != sum.credit {
		return fault.New(fault.Failure, "journal: debit %s ≠ credit %s", sum.debit, sum.credit)
	}
	return jw.Flush()
}

// chartOf is the config's chart of accounts in journal's terms.
func chartOf(a config.Accounting) journal.Chart {
	acc := func(x config.Account) journal.Account { return journal.Account{Number: x.Number, Label: x.Label} }
	jnl := func(x config.Journal) journal.Journal { return journal.Journal{Code: x.Code, Label: x.Label} }
	c := journal.Chart{Receivable: acc(a.Accounts.Receivable), Revenue: acc(a.Accounts.Revenue), RevenueByCode: map[string]journal.Account{},
		VATCollected: acc(a.Accounts.VATCollected), PayboxClearing: acc(a.Accounts.PayboxClearing), Bank: acc(a.Accounts.Bank),
		Cash: acc(a.Accounts.Cash), RefundsPayable: acc(a.Accounts.RefundsPayable), Sales: jnl(a.Journals.Sales), Card: jnl(a.Journals.Card),
		BankJournal: jnl(a.Journals.Bank), CashJournal: jnl(a.Journals.Cash), Misc: jnl(a.Journals.Misc)}
	for code, x := range a.Accounts.RevenueByCode {
		c.RevenueByCode[code] = acc(x)
	}
	return c
}
