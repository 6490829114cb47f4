package billing

import (
	"sort"

	"github.com/inpctl/inpctl/internal/money"
	"github.com/inpctl/inpctl/internal/store"
)

// The figures of the reports (issue 20): each function takes the store's
// rows and returns the report's lines and their total line, so that the
// CLI only prints them. Every line keeps its identity (owed − credits =
// the flows' net; Prévu = the four states of an instalment) and every
// total is the sum of its lines.

// ReportFlows are the money of a line of report summary that moved: what
// was invoiced, credited, collected by each means (net of unpaids and
// voids) and refunded.
type ReportFlows struct {
	Invoiced money.Cents `json:"invoiced_cents"`
	Credited money.Cents `json:"credited_cents"`
	Card     money.Cents `json:"card_cents"`
	Cheque   money.Cents `json:"cheque_cents"`
	Transfer money.Cents `json:"transfer_cents"`
	Cash     money.Cents `json:"cash_cents"`
	Refunded money.Cents `json:"refunded_cents"`
}

// Collected is what came in by the four means.
func (f ReportFlows) Collected() money.Cents { return f.Card + f.Cheque + f.Transfer + f.Cash }

// Kept is what the school keeps of the money it received: what was paid
// less what was refunded (a rehearsal's collected figure; the books' own,
// store.YearFigures.Collected, is summed by the database).
func Kept(paid, refunded money.Cents) money.Cents { return paid - refunded }

// Net is what the flows leave owed: invoiced − credited − collected +
// refunded (a Solde, summed).
func (f ReportFlows) Net() money.Cents { return f.Invoiced - f.Credited - f.Collected() + f.Refunded }

// Add adds o's flows to f.
func (f *ReportFlows) Add(o ReportFlows) {
	f.Invoiced, f.Credited, f.Refunded = f.Invoiced+o.Invoiced, f.Credited+o.Credited, f.Refunded+o.Refunded
	f.Card, f.Cheque, f.Transfer, f.Cash = f.Card+o.Card, f.Cheque+o.Cheque, f.Transfer+o.Transfer, f.Cash+o.Cash
}

// method is the collected figure of a payment method.
func (f *ReportFlows) method(m string) *money.Cents {
	switch m {
	case "card":
		return &f.Card
	case "cheque":
		return &f.Cheque
	case "transfer":
		return &f.Transfer
	}
	return &f.Cash
}

// ReportSummaryRow is one line of report summary by fee code or
// programme. Outstanding − Credits = the flows' net, on every line and on
// the total.
type ReportSummaryRow struct {
	Key      string `json:"key"`
	Dossiers int    `json:"dossiers"`
	ReportFlows
	Outstanding money.Cents `json:"outstanding_cents"`
	Due         money.Cents `json:"due_cents"`
	Credits     money.Cents `json:"credits_cents"`
	Blocked     int         `json:"blocked"`
	Currency    string      `json:"currency"`
}

// Add adds o's figures to r (its key aside).
func (r *ReportSummaryRow) Add(o ReportSummaryRow) {
	r.Dossiers += o.Dossiers
	r.ReportFlows.Add(o.ReportFlows)
	r.Outstanding += o.Outstanding
	r.Due += o.Due
	r.Credits += o.Credits
	r.Blocked += o.Blocked
}

// ReportSummary adds up the students' figures per fee code (by "code", a
// student without one under "(sans code)") or per programme (any other
// by), sorted by key, and returns the lines and their total. Each
// student's Solde and Position are Figures', as in account list: a
// positive Solde is outstanding (of which its Position is due), a negative
// one a credit.
func ReportSummary(students []store.ReportStudent, by string) (rows []ReportSummaryRow, total ReportSummaryRow) {
	groups := map[string]*ReportSummaryRow{}
	for _, s := range students {
		key := s.Programme
		if by == "code" {
			key = s.Code
			if key == "" {
				key = "(sans code)"
			}
		}
		g := groups[key]
		if g == nil {
			g = &ReportSummaryRow{Key: key, Currency: money.Currency}
			groups[key] = g
		}
		g.Add(studentSummary(s))
	}
	rows = make([]ReportSummaryRow, 0, len(groups))
	for _, g := range groups {
		rows = append(rows, *g)
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].Key < rows[j].Key })
	total.Currency = money.Currency
	for _, r := range rows {
		total.Add(r)
	}
	return rows, total
}

// studentSummary is one student's contribution to a line of the summary.
func studentSummary(s store.ReportStudent) ReportSummaryRow {
	f := Figures(Totals{Invoiced: s.Invoiced, CreditNotes: s.CreditNotes, Payments: s.Payments,
		Unpaid: s.Unpaid, Refunds: s.Refunds, NotYetDue: s.NotYetDue})
	r := ReportSummaryRow{Dossiers: 1, ReportFlows: ReportFlows{Invoiced: s.Invoiced, Credited: s.CreditNotes,
		Card: s.Card, Cheque: s.Cheque, Transfer: s.Transfer, Cash: s.Cash, Refunded: s.Refunds}}
	if f.Balance > 0 {
		r.Outstanding, r.Due = f.Balance, f.Position
	} else {
		r.Credits = -f.Balance
	}
	if s.Blocked != "" {
		r.Blocked = 1
	}
	return r
}

// ReportMonthRow is one month of report summary --by month: the
// movements dated in it, and what they changed of what is owed (the
// flows' net: negative when more came in than was invoiced).
type ReportMonthRow struct {
	Month string `json:"month"`
	ReportFlows
	Change   money.Cents `json:"balance_change_cents"`
	Currency string      `json:"currency"`
}

// ReportMonths puts each month's movements (sums sorted by month) on its
// line: unpaids and voids come off the collected of their payment's
// method. It returns the lines and their total (whose Change is the
// year's Reste dû − Crédits).
func ReportMonths(sums []store.MonthSum) (rows []ReportMonthRow, total ReportMonthRow) {
	rows = []ReportMonthRow{}
	for _, m := range sums {
		if len(rows) == 0 || rows[len(rows)-1].Month != m.Month {
			rows = append(rows, ReportMonthRow{Month: m.Month, Currency: money.Currency})
		}
		g := &rows[len(rows)-1]
		switch m.Kind {
		case store.MoveInvoice:
			g.Invoiced += m.Amount
		case store.MoveCreditNote:
			g.Credited += m.Amount
		case store.MovePayment:
			*g.method(m.Method) += m.Amount
		case store.MoveUnpaid:
			*g.method(m.Method) -= m.Amount
		case store.MoveRefund:
			g.Refunded += m.Amount
		}
	}
	total.Currency = money.Currency
	for i := range rows {
		rows[i].Change = rows[i].Net()
		total.ReportFlows.Add(rows[i].ReportFlows)
		total.Change += rows[i].Change
	}
	return rows, total
}
