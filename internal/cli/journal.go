package cli

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/config"
	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/journal"
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
amounts with a comma decimal; PieceRef is the invoice, credit note or
payment number. --format csv writes the same rows as RFC 4180 CSV. Rows are
streamed by date, then kind, then number; --out writes the file atomically
and its description (encoding, separator, fields) to FILE.txt.

EcritureNum is the journal's code and the entry's place in it, from 1. An
export of a period that is over (its last day is before today) records the
numbers it gave, in the database, with the export: a later export, of the
same period or of one overlapping it, gives these entries the same numbers,
and a movement entered since the next numbers of its journal (with a
warning when it is dated in a period already exported). An export of a
period not over yet writes nothing: the numbers of its new entries are
provisional. A recording export holds the database's write lock while it
streams (other writers wait).` + exitDoc("0   written (a period with no movement gives the header alone)",
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
	today, err := o.env.Today()
	if err != nil {
		return err
	}
	db, err := o.env.Store(ctx)
	if err != nil {
		return err
	}
	run := journalRun{db: db, chart: chartOf(cfg.Accounting), from: from, to: to, format: o.format,
		closed: to.Before(today)}
	if o.out == "" {
		err = run.write(ctx, o.env.IO.Out)
	} else if fi, serr := os.Stat(o.out); serr == nil && fi.IsDir() {
		return fault.New(fault.Usage, "--out %s is a directory: give a file name (e.g. %s/journal.fec)", o.out, o.out)
	} else if err = acctWriteFile(o.out, func(w io.Writer) error { return run.write(ctx, w) }); err == nil {
		desc := journal.Description(o.format, o.out, from.String(), to.String())
		err = acctWriteFile(o.out+".txt", func(w io.Writer) error { _, err := io.WriteString(w, desc); return err })
	}
	if err != nil {
		return err
	}
	run.report(o.env, o.out)
	return nil
}

// journalRun is one export: what it books and writes, and its totals.
type journalRun struct {
	db            *store.DB
	chart         journal.Chart
	from, to      clock.Date
	format        string
	closed        bool   // the period's last day is past: the numbers given are recorded
	journal.Tally        // the entries written, their lines, debit and credit
	fresh         int    // entries given a number by this export
	late          int    // of which dated before entries an earlier export numbered
	firstLate     string // the first of those
}

// write books and writes the period's movements one at a time. Entries
// numbered by an earlier export keep their number; the others go on
// after every number recorded, and a closed period records them (the
// transaction commits once everything is written).
func (r *journalRun) write(ctx context.Context, w io.Writer) error {
	jw, err := journal.NewWriter(w, r.format)
	if err != nil {
		return fault.New(fault.Usage, "%v", err)
	}
	return r.db.ExportJournal(ctx, r.from, r.to, r.closed, func(x *store.JournalExport) error {
		var num journal.Numberer
		for code, l := range x.Last {
			num.Start(code, l.Seq)
		}
		err := x.Each(ctx, func(m store.JournalMovement) error {
			e, err := r.chart.Book(journal.Movement(m))
			if err != nil {
				return fault.New(fault.Failure, "journal: %v", err)
			}
			if !e.Balanced() {
				return fault.New(fault.Failure, "journal: the entry of %s %s is not balanced", m.Kind, m.Number)
			}
			if num.Number(&e) {
				r.fresh++
				if x.InExported(e.Date) {
					if r.late++; r.late == 1 {
						r.firstLate = e.Num
					}
				}
				if err := x.Number(ctx, m, e.Journal.Code, e.Journal.Label, e.Seq, e.Date); err != nil {
					return err
				}
			}
			r.Add(e)
			return jw.Write(e)
		})
		if err != nil {
			return err
		}
		if !r.Balanced() {
			return fault.New(fault.Failure, "journal: debit %s ≠ credit %s", r.Debit, r.Credit)
		}
		return jw.Flush()
	})
}

// report says on stderr what was written and what the numbering did.
func (r *journalRun) report(env *Env, out string) {
	if out != "" {
		env.Infof("✓ %s written (%s, %s; debit = credit = %s) and its description %s.txt", out,
			entries(r.Entries, ""), plural(r.Lines, "line"), r.Debit, out)
	}
	switch {
	case !r.closed:
		env.Infof("the period is not over (it ends on %s): the %d entries not numbered by an earlier export have provisional numbers, recorded by an export once the period is closed", frDate(r.to.String()), r.fresh)
	case r.fresh > 0:
		env.Infof("%s numbered and recorded: a later export gives them the same EcritureNum", entries(r.fresh, "new "))
	}
	if r.late > 0 {
		env.Warnf("%s dated in a period already exported and closed, numbered after the entries exported then (from %s): give them to the agence comptable as late entries",
			entries(r.late, "new "), r.firstLate)
	}
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

// entries writes "1 new entry", "2 new entries".
func entries(n int, adj string) string {
	if n == 1 {
		return "1 " + adj + "entry"
	}
	return fmt.Sprintf("%d %sentries", n, adj)
}
