package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/inpctl/inpctl/internal/billing"
	"github.com/inpctl/inpctl/internal/gateway"
	"github.com/inpctl/inpctl/internal/money"
)

// acctDate is a YYYY-MM-DD cell: DD/MM/YYYY in a table, as is in CSV.
type acctDate string

// acctOpt is an amount a table shows as zero when it is zero (the seed
// prints "-" for no unpaid and nothing for no third-party financing); CSV
// shows the plain amount.
type acctOpt struct {
	c    money.Cents
	zero string
}

// acctSection is one table of account show, its acctCells typed so that a
// table shows French amounts and dates and CSV plain ones: a cell is a
// string, a money.Cents or an acctDate.
type acctSection struct {
	key   string // --section name
	title string
	head  []string
	rows  [][]any
	total []any // nil: no total row
	data  any   // the section as JSON shows it
}

// The --section names, in the order account show prints them.
var accountSectionKeys = []string{"commandes", "factures", "reglements", "avoirs", "remboursements", "summary", "echeances", "echecs", "courriels"}

func acctCell(v any, plain bool) string {
	switch x := v.(type) {
	case money.Cents:
		if plain {
			return x.Plain()
		}
		return x.String()
	case acctDate:
		if plain {
			return string(x)
		}
		return frDate(string(x))
	case acctOpt:
		if x.c == 0 && !plain {
			return x.zero
		}
		return acctCell(x.c, plain)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

func acctCells(vs []any, plain bool) []string {
	if vs == nil {
		return nil
	}
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = acctCell(v, plain)
	}
	return out
}

// accountSections turns a position into its printed sections.
func accountSections(a billing.Account) []acctSection {
	secs := []acctSection{ordersSection(a), invoicesSection(a), paymentsSection(a), creditNotesSection(a), refundsSection(a)}
	s := a.Summary
	secs = append(secs, acctSection{key: "summary", title: "Synthèse", head: []string{"Débit", "Crédit", "Solde", "Position"},
		rows: [][]any{{s.Debit, s.Credit, s.Balance, s.Position}}, data: s})
	return append(secs, comingSection(a), failedSection(a), noticesSection(a))
}

// noticesSection lists the e-mails to the student (issue 19), shown only
// when there are some.
func noticesSection(a billing.Account) acctSection {
	sec := acctSection{key: "courriels", title: "Courriels", data: a.Notices,
		head: []string{"Date", "N°", "Avis", "État", "Envoyé le", "Destinataire"}}
	states := map[string]string{"pending": "en attente", "sent": "envoyé", "failed": "échec", "skipped": "désactivé"}
	for _, n := range a.Notices {
		state := states[n.Status]
		if n.Error != "" && n.Status == "failed" {
			state += " : " + n.Error
		}
		sec.rows = append(sec.rows, []any{acctDate(n.Date), fmt.Sprint(n.ID), n.Kind, state, acctDate(n.SentAt), n.Recipient})
	}
	return sec
}

func ordersSection(a billing.Account) acctSection {
	sec := acctSection{key: "commandes", title: "Commandes", data: a.Orders,
		head: []string{"Date", "N°", "Code", "Solde", "Blocage", "HT", "TVA", "TTC", "Financé TTC", "Facturé TTC"}}
	for _, o := range a.Orders.Items {
		code := o.Code
		if o.Superseded {
			code += " (remplacée)"
		}
		sec.rows = append(sec.rows, []any{acctDate(o.Date), o.Number, code, acctDate(o.SettledDate), o.BlockedReason, o.HT, o.TVA, o.TTC, acctOpt{o.Financed, ""}, o.Invoiced})
	}
	t := a.Orders.Total
	sec.total = []any{"Total", "", "", "", "", t.HT, t.TVA, t.TTC, acctOpt{t.Financed, ""}, t.Invoiced}
	return sec
}

func invoicesSection(a billing.Account) acctSection {
	sec := acctSection{key: "factures", title: "Factures", data: a.Invoices,
		head: []string{"Date", "N°", "Solde", "HT", "TVA", "TTC", "Avoir TTC", "Réglé TTC", "Remboursé TTC"}}
	for _, i := range a.Invoices.Items {
		sec.rows = append(sec.rows, []any{acctDate(i.Date), payerMark(i.Number, i.Payer), acctDate(i.SettledDate), i.HT, i.TVA, i.TTC, i.Credited, i.Paid, i.Refunded})
	}
	t := a.Invoices.Total
	sec.total = []any{"Total", "", "", t.HT, t.TVA, t.TTC, t.Credited, t.Paid, t.Refunded}
	return sec
}

func paymentsSection(a billing.Account) acctSection {
	sec := acctSection{key: "reglements", title: "Règlements", data: a.Payments,
		head: []string{"Date", "N°", "Mode", "Référence", "TTC", "Affecté TTC", "Impayé", "Impayé le"}}
	for _, p := range a.Payments.Items {
		sec.rows = append(sec.rows, []any{acctDate(p.Date), payerMark(p.Number, p.Payer), billing.MethodFR(p.Method), p.Ref, p.Amount, p.Allocated, acctOpt{p.Unpaid, "-"}, unpaidWhen(p)})
	}
	t := a.Payments.Total
	sec.total = []any{"Total", "", "", "", t.Amount, t.Allocated, t.Unpaid, ""}
	return sec
}

func creditNotesSection(a billing.Account) acctSection {
	sec := acctSection{key: "avoirs", title: "Avoirs", data: a.CreditNotes, head: []string{"Date", "N°", "Facture", "Montant", "Motif"}}
	for _, c := range a.CreditNotes.Items {
		sec.rows = append(sec.rows, []any{acctDate(c.Date), c.Number, c.InvoiceNumber, c.Amount, c.Reason})
	}
	sec.total = []any{"Total", "", "", a.CreditNotes.Total.Amount, ""}
	return sec
}

func refundsSection(a billing.Account) acctSection {
	sec := acctSection{key: "remboursements", title: "Remboursements", data: a.Refunds, head: []string{"Date", "Montant", "Mode", "Règlement", "Motif"}}
	for _, f := range a.Refunds.Items {
		sec.rows = append(sec.rows, []any{acctDate(f.Date), f.Amount, billing.MethodFR(f.Method), f.PaymentNumber, f.Reason})
	}
	sec.total = []any{"Total", a.Refunds.Total.Amount, "", "", ""}
	return sec
}

func comingSection(a billing.Account) acctSection {
	sec := acctSection{key: "echeances", title: "Prochains prélèvements", data: a.Coming, head: []string{"Date", "Échéance", "Montant", "État", "Carte"}}
	n := 0
	if a.Plan != nil {
		n = a.Plan.Count
	}
	for _, c := range a.Coming {
		sec.rows = append(sec.rows, []any{acctDate(c.Due), fmt.Sprintf("%d/%d", c.Seq, n), c.Amount, acctDebitState(c), acctCardState(c)})
	}
	return sec
}

func failedSection(a billing.Account) acctSection {
	sec := acctSection{key: "echecs", title: "Échecs de prélèvement", data: a.Failed,
		head: []string{"Date", "Référence", "Commande", "Échéance", "Montant", "État", "Code", "Motif"}}
	for _, f := range a.Failed {
		sec.rows = append(sec.rows, []any{acctDate(f.Date), f.Reference, f.OrderNumber, fmt.Sprint(f.Seq), f.Amount, acctAttemptState(f.State), f.Code, attemptReason(f)})
	}
	return sec
}

// acctFindSection returns the section named key.
func acctFindSection(secs []acctSection, key string) (acctSection, bool) {
	for _, s := range secs {
		if s.key == key {
			return s, true
		}
	}
	return acctSection{}, false
}

// acctWriteSection prints "Title (n)" and the table with its total row.
func acctWriteSection(w io.Writer, s acctSection) error {
	if s.key == "summary" {
		fmt.Fprintln(w, s.title)
	} else {
		fmt.Fprintf(w, "%s (%d)\n", s.title, len(s.rows))
	}
	if len(s.rows) == 0 {
		_, err := fmt.Fprintln(w)
		return err
	}
	rows := make([][]string, len(s.rows))
	right := make([]bool, len(s.head))
	for i, r := range s.rows {
		rows[i] = acctCells(r, false)
		for c, v := range r {
			switch v.(type) {
			case money.Cents, acctOpt:
				right[c] = true
			}
		}
	}
	cols := make([]Col[[]string], len(s.head))
	for c, h := range s.head {
		cols[c] = Col[[]string]{Head: h, Cell: func(r []string) string { return r[c] }, Right: right[c]}
	}
	if err := writeTable(w, rows, cols, acctCells(s.total, false)); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w)
	return err
}

// acctWriteSectionCSV writes one section as CSV in the printer's dialect:
// ISO dates (DD/MM/YYYY in excel-fr), plain decimal amounts, a currency
// column when the section has amounts, no total row, formula-guarded cells.
func acctWriteSectionCSV(p *Printer, s acctSection) error {
	cw := p.CSV()
	hasAmount := false
	for _, c := range s.total {
		if _, ok := c.(money.Cents); ok {
			hasAmount = true
		}
	}
	hasAmount = hasAmount || s.key == "summary" || s.key == "echeances" || s.key == "echecs"
	head := append([]string{}, s.head...)
	if hasAmount {
		head = append(head, "Devise")
	}
	if err := cw.Head(head...); err != nil {
		return err
	}
	for _, r := range s.rows {
		rec := make([]CSVCell, 0, len(head))
		for _, v := range r {
			switch x := v.(type) {
			case money.Cents:
				rec = append(rec, CSVAmount(x))
			case acctOpt:
				rec = append(rec, CSVAmount(x.c))
			default:
				rec = append(rec, CSVText(strings.TrimSpace(acctCell(v, true))))
			}
		}
		if hasAmount {
			rec = append(rec, CSVText(money.Currency))
		}
		if err := cw.Row(rec...); err != nil {
			return err
		}
	}
	return cw.Flush()
}

func acctAttemptState(s string) string {
	if v, ok := map[string]string{"declined": "refusé", "failed": "échoué", "unknown": "inconnu"}[s]; ok {
		return v
	}
	return s
}

func acctPlanStatus(s string) string {
	if v, ok := map[string]string{"requested": "demandé", "approved": "approuvé", "active": "actif", "completed": "terminé",
		"rejected": "refusé", "cancelled": "annulé"}[s]; ok {
		return v
	}
	return s
}

func acctDebitState(c billing.ComingDebit) string {
	s := "à venir"
	switch {
	case c.Blocked:
		s = "bloqué : aucun prélèvement avant la levée du blocage"
	case c.Status == "failed" && c.NextTry != "":
		s = "refusé, nouvel essai le " + frDate(c.NextTry)
	case c.Status == "failed":
		s = "refusé"
	case c.Overdue:
		s = "échu"
	}
	return s
}

func acctCardState(c billing.ComingDebit) string {
	switch {
	case c.CardExpires == "":
		return "aucune carte"
	case c.Blocked && !c.CardOK:
		return "refusée : une nouvelle carte lève le blocage"
	case !c.CardOK && c.CardExpires < c.Due:
		return "expire le " + frDate(c.CardExpires) + " : avant l'échéance"
	case !c.CardOK:
		return "e-carte : refusée pour un paiement en plusieurs fois"
	}
	return "expire le " + frDate(c.CardExpires)
}

// acctPlanSummary is the one-line plan summary ("3x, actif : 1/3 échéance
// payée (200,33 €), reste 400,67 €").
func acctPlanSummary(p *billing.PlanLine) string {
	if p == nil {
		return ""
	}
	s := fmt.Sprintf("%s, %s", p.Plan, acctPlanStatus(p.Status))
	if p.Count > 0 {
		s += fmt.Sprintf(" : %d/%d %s (%s reçus)", p.PaidCount, p.Count, acctPlural(p.PaidCount, "échéance payée", "échéances payées"), p.PaidAmount)
		if p.Remaining > 0 {
			s += ", reste " + p.Remaining.String()
		}
	}
	return s
}

func acctPlural(n int, one, many string) string {
	if n > 1 {
		return many
	}
	return one
}

// unpaidWhen is the "Impayé le" cell: the date of the impayé, or "annulé
// le …" for a manual payment voided as entered by mistake (not an impayé).
func unpaidWhen(p billing.PaymentLine) any {
	if p.Voided {
		return "annulé le " + frDate(p.UnpaidDate)
	}
	return acctDate(p.UnpaidDate)
}

// attemptReason is why a debit failed, in French alone (account show and
// the statement are read by French staff and students): the meaning of
// Paybox's code, or the attempt's own text when there is no code.
func attemptReason(f billing.FailedAttempt) string {
	if f.Code == "" {
		return f.Text
	}
	return gateway.DescribeFR(f.Code)
}

// payerMark marks a payer's row (its invoice for its share, its transfer
// for it): listed, but no part of the student's Synthèse.
func payerMark(number string, payer bool) string {
	if payer {
		return number + " (payeur)"
	}
	return number
}
