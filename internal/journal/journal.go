// Package journal turns the ledger's movements (invoices, credit notes,
// payments, unpaids, voids, refunds) into balanced double entries booked on
// a chart of accounts, and writes them in the layout of the Fichier des
// écritures comptables (article A47 A-1 of the Livre des procédures
// fiscales) or as CSV (issue 20). It is pure: movements in, entries out;
// the store reads the movements and cli wires the two.
package journal

import (
	"fmt"
	"slices"
	"strings"

	"github.com/inpctl/inpctl/internal/money"
)

// The kinds of movement, in the order a day's movements are booked.
const (
	Invoice    = "invoice"
	CreditNote = "credit_note"
	Payment    = "payment"
	Unpaid     = "unpaid" // a payment returned unpaid (impayé)
	Void       = "void"   // a manual payment entered by mistake, cancelled
	Refund     = "refund"
)

// Account is a general-ledger account.
type Account struct{ Number, Label string }

// Journal is a journal: its code and label.
type Journal struct{ Code, Label string }

// Chart is the chart of accounts and the journals entries are booked in
// (config accounting:).
type Chart struct {
	Receivable     Account
	Revenue        Account            // a fee code not in RevenueByCode
	RevenueByCode  map[string]Account // fee code → revenue account
	VATCollected   Account
	PayboxClearing Account
	Bank, Cash     Account
	RefundsPayable Account
	Sales, Card    Journal
	BankJournal    Journal
	CashJournal    Journal
	Misc           Journal // manual refunds: a debt to the student, no money moved by inpctl
}

// Movement is one dated movement of the ledger. The third party is the
// payer when PayerSIRET is set (an invoice addressed to the payer, the
// payer's transfer), else the student.
type Movement struct {
	Kind       string // Invoice … Refund
	Date       string // YYYY-MM-DD
	Number     string // the invoice, credit note or payment number (the payment reversed or refunded)
	ID         int64  // the row's id (a refund has no number of its own)
	StudentID  string
	Name       string // the student's name
	PayerSIRET string
	PayerName  string
	Code       string      // fee code (invoice, credit note)
	HT, TVA    money.Cents // of the invoice (invoice, credit note)
	TTC        money.Cents // of the invoice (invoice, credit note)
	Amount     money.Cents // the movement's amount, positive
	Method     string      // card, cheque, transfer, cash; refunds: card or "manual (…)"
	Ref        string      // the order (invoice), the invoice (credit note), the reason (unpaid, void, refund)
	// The number an earlier export recorded for the movement: the code and
	// label of its journal and its place there (Seq 0: none). The entry
	// keeps them, whatever the chart says today.
	Numbered, NumberedLib string
	Seq                   int
}

// Line is one line of an entry: one side of it, on one account.
type Line struct {
	Account       Account
	Aux, AuxLabel string // the third party's sub-account (receivable lines only)
	Debit, Credit money.Cents
}

// Entry is one balanced écriture.
type Entry struct {
	Journal   Journal
	Seq       int    // the entry's place in its journal: recorded, or given by a Numberer
	Num       string // EcritureNum, set by a Numberer
	Date      string // YYYY-MM-DD
	PieceRef  string
	PieceDate string
	Label     string // EcritureLib
	StudentID string // whose account it moves (not written: for reconciliation)
	Lines     []Line
}

// Balanced reports whether the entry's debits equal its credits.
func (e Entry) Balanced() bool {
	d, c := e.Totals()
	return d == c && d > 0
}

// Totals are the sums of the entry's debits and credits.
func (e Entry) Totals() (debit, credit money.Cents) {
	for _, l := range e.Lines {
		debit += l.Debit
		credit += l.Credit
	}
	return debit, credit
}

// Tally counts the entries of a journal and adds up their debits and
// credits: a journal is written whole only when Debit = Credit.
type Tally struct {
	Entries, Lines int
	Debit, Credit  money.Cents
}

// Add counts e.
func (t *Tally) Add(e Entry) {
	d, c := e.Totals()
	t.Entries, t.Lines, t.Debit, t.Credit = t.Entries+1, t.Lines+len(e.Lines), t.Debit+d, t.Credit+c
}

// Balanced reports whether the entries counted balance as a whole.
func (t Tally) Balanced() bool { return t.Debit == t.Credit }

// Book turns one movement into its entry. A movement of an unknown kind,
// of no amount, or of an unknown payment method is an error: the journal
// is never written with a movement left out.
func (c Chart) Book(m Movement) (Entry, error) {
	if m.Amount <= 0 {
		return Entry{}, fmt.Errorf("%s %s of %s: not a positive amount", m.Kind, m.Number, m.Date)
	}
	e := Entry{Date: m.Date, PieceRef: m.Number, PieceDate: m.Date, StudentID: m.StudentID}
	recv := c.receivable(m)
	switch m.Kind {
	case Invoice:
		e.Journal, e.Label = c.Sales, "Facture "+m.Number+" "+m.Name
		vat := clamp(m.TVA, m.Amount)
		e.Lines = append(e.Lines, debit(recv, m.Amount), credit(Line{Account: c.revenue(m.Code)}, m.Amount-vat))
		if vat > 0 {
			e.Lines = append(e.Lines, credit(Line{Account: c.VATCollected}, vat))
		}
	case CreditNote:
		e.Journal, e.Label = c.Sales, "Avoir "+m.Number+" sur facture "+m.Ref+" "+m.Name
		vat := vatPart(m.Amount, m.TVA, m.TTC)
		e.Lines = append(e.Lines, debit(Line{Account: c.revenue(m.Code)}, m.Amount-vat))
		if vat > 0 {
			e.Lines = append(e.Lines, debit(Line{Account: c.VATCollected}, vat))
		}
		e.Lines = append(e.Lines, credit(recv, m.Amount))
	case Payment, Unpaid, Void:
		j, treasury, err := c.treasury(m.Method)
		if err != nil {
			return Entry{}, fmt.Errorf("%s %s: %w", m.Kind, m.Number, err)
		}
		e.Journal = j
		if m.Kind == Payment {
			e.Label = "Règlement " + methodLabel(m.Method) + " " + m.Number + " " + m.Name
			e.Lines = append(e.Lines, debit(Line{Account: treasury}, m.Amount), credit(recv, m.Amount))
			break
		}
		e.Label = "Impayé " + m.Number + " " + m.Name
		if m.Kind == Void {
			e.Label = "Annulation du règlement " + m.Number + " " + m.Name
		}
		e.Lines = append(e.Lines, debit(recv, m.Amount), credit(Line{Account: treasury}, m.Amount))
	case Refund:
		e.Journal, e.Label = c.Card, "Remboursement carte "+m.Name
		other := c.PayboxClearing
		if m.Method != "card" {
			e.Journal, e.Label, other = c.Misc, "Remboursement à effectuer "+m.Name, c.RefundsPayable
		}
		if e.PieceRef == "" {
			e.PieceRef = fmt.Sprintf("RBT%d", m.ID)
		}
		e.Lines = append(e.Lines, debit(recv, m.Amount), credit(Line{Account: other}, m.Amount))
	default:
		return Entry{}, fmt.Errorf("%s %s: unknown kind of movement", m.Kind, m.Number)
	}
	if m.Seq > 0 {
		e.Journal, e.Seq = Journal{Code: m.Numbered, Label: m.NumberedLib}, m.Seq
	}
	e.Label = strings.TrimSpace(e.Label)
	e.Lines = slices.DeleteFunc(e.Lines, func(l Line) bool { return l.Debit == 0 && l.Credit == 0 })
	return e, nil
}

// receivable is the third party's line: the payer's SIRET when it has
// one, else the student number.
func (c Chart) receivable(m Movement) Line {
	if m.PayerSIRET != "" {
		return Line{Account: c.Receivable, Aux: m.PayerSIRET, AuxLabel: m.PayerName}
	}
	return Line{Account: c.Receivable, Aux: m.StudentID, AuxLabel: m.Name}
}

func (c Chart) revenue(code string) Account {
	if a, ok := c.RevenueByCode[code]; ok {
		return a
	}
	return c.Revenue
}

// treasury is the journal and account a payment method's money goes to.
func (c Chart) treasury(method string) (Journal, Account, error) {
	switch method {
	case "card":
		return c.Card, c.PayboxClearing, nil
	case "cheque", "transfer":
		return c.BankJournal, c.Bank, nil
	case "cash":
		return c.CashJournal, c.Cash, nil
	}
	return Journal{}, Account{}, fmt.Errorf("unknown payment method %q", method)
}

func methodLabel(method string) string {
	return map[string]string{"card": "carte", "cheque": "chèque", "transfer": "virement", "cash": "espèces"}[method]
}

func debit(l Line, a money.Cents) Line  { l.Debit = a; return l }
func credit(l Line, a money.Cents) Line { l.Credit = a; return l }

// clamp keeps the VAT of an invoice between 0 and its amount.
func clamp(vat, amount money.Cents) money.Cents {
	return max(0, min(vat, amount))
}

// vatPart is the VAT a credit note of amount cancels of an invoice of
// ttc holding tva, rounded half away from zero.
func vatPart(amount, tva, ttc money.Cents) money.Cents {
	if tva <= 0 || ttc <= 0 {
		return 0
	}
	return clamp((amount*tva*2+ttc)/(2*ttc), amount)
}

// Numberer gives each entry its EcritureNum: the journal's code and the
// entry's place in the journal. An entry that has its place already (a
// number recorded by an earlier export) keeps it; any other gets the next
// place of its journal, after the places given by earlier exports (Start)
// and by this one, in the order entries are given to it (by date then
// piece). A place is never given twice.
type Numberer struct{ next map[string]int }

// Start makes the numbers of journal code go on after last.
func (n *Numberer) Start(code string, last int) {
	if n.next == nil {
		n.next = map[string]int{}
	}
	n.next[code] = max(n.next[code], last)
}

// Number sets e.Num (and e.Seq when the entry had no place), and reports
// whether the place is new.
func (n *Numberer) Number(e *Entry) (fresh bool) {
	if n.next == nil {
		n.next = map[string]int{}
	}
	if fresh = e.Seq == 0; fresh {
		n.next[e.Journal.Code]++
		e.Seq = n.next[e.Journal.Code]
	}
	e.Num = fmt.Sprintf("%s%06d", e.Journal.Code, e.Seq)
	return fresh
}
