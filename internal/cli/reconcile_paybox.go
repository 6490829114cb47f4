package cli

import (
	"context"
	"errors"
	"io/fs"
	"os"

	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/config"
	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/journal"
	"github.com/inpctl/inpctl/internal/money"
	"github.com/spf13/cobra"
)

type reconcilePayboxOpts struct {
	env            *Env
	file, from, to string
}

func newReconcilePayboxCmd(env *Env) *cobra.Command {
	o := &reconcilePayboxOpts{env: env}
	cmd := &cobra.Command{
		Use:   "paybox FILE [--from DATE --to DATE]",
		Short: "Match the Paybox back office's transaction export against the books",
		Long: `Read the transaction export of the Paybox back office (CSV, ; or , separated,
its columns named in the config, accounting.paybox_export) and match every
payment and refund that went through against the card payments and card
refunds of the books: by NUMTRANS, else by REFERENCE, then the amount and the
day. Lists what does not agree:

  not_in_books          Paybox took money the books do not record (a
                        notification never applied: run pay ipn, or look
                        at the back office)
  not_at_paybox         a card payment of the books Paybox does not know
  refund_not_in_books   Paybox gave money back the books do not record (a
                        refund made twice, or from the back office)
  refund_not_at_paybox  a card refund of the books Paybox did not make
  amount_differs, date_differs
                        the same transaction, another amount or day

The period is the export's first and last day (--from and --to to say it):
a book transaction of another day is not expected in the file. Authorizations
alone and refused transactions of the export are no money and are skipped.
Nothing is written.` + exitDoc("0   every transaction matches", "2   the file is unreadable, a row is bad (file:line: column), or a bad date",
			"3   differences, listed"),
		Example: `  inpctl reconcile paybox transactions-septembre.csv
  inpctl reconcile paybox export.csv --from 2025-09-01 --to 2025-09-30 -o csv --csv-dialect excel-fr > ecarts.csv`,
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			o.file = args[0]
			return runReconcilePaybox(c.Context(), o)
		},
	}
	cmd.Flags().StringVar(&o.from, "from", "", "first day of the period (default: the export's first)")
	cmd.Flags().StringVar(&o.to, "to", "", "last day of the period (default: the export's last)")
	return cmd
}

// reconcileItem is one difference as printed.
type reconcileItem struct {
	Kind         string             `json:"kind"`
	Line         int                `json:"line,omitempty"` // of the export
	PayboxDate   string             `json:"paybox_date"`
	BookDate     string             `json:"book_date"`
	NumTrans     string             `json:"numtrans"`
	Reference    string             `json:"reference"`
	PayboxAmount money.Cents        `json:"paybox_amount_cents"`
	BookAmount   money.Cents        `json:"book_amount_cents"`
	Payment      string             `json:"payment"`
	StudentID    string             `json:"student_id"`
	Currency     money.CurrencyCode `json:"currency"`
}

// reconcileSummary counts what was matched.
type reconcileSummary struct {
	From        string `json:"from"`
	To          string `json:"to"`
	Paybox      int    `json:"paybox_transactions"`
	Skipped     int    `json:"skipped"`
	Books       int    `json:"book_transactions"`
	Matched     int    `json:"matched"`
	Differences int    `json:"differences"`
}

var reconcileKinds = map[string]string{
	journal.NotInBooks: "absent des livres", journal.NotAtPaybox: "inconnu de Paybox",
	journal.RefundNotInBooks: "remboursement absent des livres", journal.RefundNotAtPaybox: "remboursement inconnu de Paybox",
	journal.AmountDiffers: "montant différent", journal.DateDiffers: "date différente",
}

var reconcileCols = []Col[reconcileItem]{
	{Head: "Écart", Cell: func(r reconcileItem) string { return reconcileKinds[r.Kind] }},
	{Head: "Ligne", Cell: func(r reconcileItem) string { return ifNZ(r.Line) }, Right: true},
	{Head: "Date Paybox", Cell: func(r reconcileItem) string { return frDate(r.PayboxDate) }},
	{Head: "Date livres", Cell: func(r reconcileItem) string { return frDate(r.BookDate) }},
	{Head: "NUMTRANS", Cell: func(r reconcileItem) string { return r.NumTrans }},
	{Head: "Référence", Cell: func(r reconcileItem) string { return r.Reference }},
	{Head: "Montant Paybox", Money: func(r reconcileItem) money.Cents { return r.PayboxAmount }, Right: true},
	{Head: "Montant livres", Money: func(r reconcileItem) money.Cents { return r.BookAmount }, Right: true},
	{Head: "Règlement", Cell: func(r reconcileItem) string { return r.Payment }},
	{Head: "N° étudiant", Cell: func(r reconcileItem) string { return r.StudentID }},
}

func runReconcilePaybox(ctx context.Context, o *reconcilePayboxOpts) error {
	cfg, err := o.env.Config()
	if err != nil {
		return err
	}
	data, err := os.ReadFile(o.file)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fault.New(fault.Usage, "%s does not exist", o.file)
	case err != nil:
		return fault.Wrap(fault.Usage, err, "cannot read %s", o.file)
	}
	x, err := journal.ReadPayboxExport(o.file, data, payboxLayout(cfg.Accounting.PayboxExport))
	if err != nil {
		return err
	}
	from, to, err := reconcilePeriod(o, x)
	if err != nil {
		return err
	}
	db, err := o.env.Store(ctx)
	if err != nil {
		return err
	}
	// The books a month either side: a payment recorded the day after
	// Paybox took it still matches; only the period's are expected.
	rows, err := db.CardTransactions(ctx, from.AddDays(-31).String(), to.AddDays(31).String())
	if err != nil {
		return err
	}
	books := make([]journal.BookTx, len(rows))
	inPeriod := 0
	for i, r := range rows {
		books[i] = journal.BookTx(r)
		if r.Date >= from.String() && r.Date <= to.String() {
			inPeriod++
		}
	}
	diffs, matched := journal.Match(x.Txs, books, from.String(), to.String())
	items := make([]reconcileItem, 0, len(diffs))
	for _, d := range diffs {
		it := reconcileItem{Kind: d.Kind}
		if p := d.Paybox; p != nil {
			it.Line, it.PayboxDate, it.NumTrans, it.Reference, it.PayboxAmount = p.Line, p.Date, p.NumTrans, p.Reference, p.Amount
		}
		if b := d.Book; b != nil {
			it.BookDate, it.BookAmount, it.Payment, it.StudentID = b.Date, b.Amount, b.Number, b.StudentID
			if it.NumTrans == "" {
				it.NumTrans, it.Reference = b.NumTrans, b.Reference
			}
		}
		items = append(items, it)
	}
	sum := reconcileSummary{From: from.String(), To: to.String(), Paybox: len(x.Txs), Skipped: x.Skipped, Books: inPeriod,
		Matched: matched, Differences: len(diffs)}
	return printReconcile(o.env, items, sum)
}

// reconcilePeriod is --from/--to, else the export's first and last day.
func reconcilePeriod(o *reconcilePayboxOpts, x journal.PayboxExport) (clock.Date, clock.Date, error) {
	from, to := o.from, o.to
	if from == "" {
		from = x.From
	}
	if to == "" {
		to = x.To
	}
	if from == "" || to == "" {
		return clock.Date{}, clock.Date{}, fault.New(fault.Usage, "%s holds no payment or refund: give the period with --from and --to", o.file)
	}
	f, err := clock.ParseDate(from)
	if err != nil {
		return f, f, fault.New(fault.Usage, "--from: %v", err)
	}
	t, err := clock.ParseDate(to)
	if err != nil {
		return f, t, fault.New(fault.Usage, "--to: %v", err)
	}
	if t.Before(f) {
		return f, t, fault.New(fault.Usage, "--to %s is before --from %s", t, f)
	}
	return f, t, nil
}

func printReconcile(env *Env, items []reconcileItem, sum reconcileSummary) error {
	p := env.Printer()
	var err error
	if p.Format == "json" {
		err = writeJSON(p.Out, map[string]any{"items": items, "summary": sum})
	} else {
		err = Print(p, items, reconcileCols, "")
	}
	if err != nil {
		return err
	}
	env.Infof("Paybox %s to %s: %d transactions (%d rows skipped: no money), books %d; %d matched, %d differences",
		frDate(sum.From), frDate(sum.To), sum.Paybox, sum.Skipped, sum.Books, sum.Matched, sum.Differences)
	if sum.Differences > 0 {
		return fault.New(fault.Partial, "%s between Paybox and the books", plural(sum.Differences, "difference")).
			WithHint("a payment not in the books: apply its notification (inpctl pay ipn) or record it; see inpctl reconcile paybox --help")
	}
	return nil
}

// payboxLayout is the config's export layout in journal's terms.
func payboxLayout(x config.PayboxExport) journal.PayboxLayout {
	c := x.Columns
	return journal.PayboxLayout{Date: c.Date, NumTrans: c.NumTrans, NumAppel: c.NumAppel, Reference: c.Reference, Amount: c.Amount,
		Type: c.Type, Status: c.Status, PaymentTypes: x.PaymentTypes, RefundTypes: x.RefundTypes, OKStatuses: x.OKStatuses}
}
