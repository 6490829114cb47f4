package invoice

import (
	"strconv"
	"strings"
	"time"

	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/money"
)

// DefaultVATMention is the VAT exemption note printed when Document.VATMention
// is empty (the wording of the school's current invoices).
const DefaultVATMention = "* Non soumis à la TVA selon l'art. 261-4-4 du C.G.I."

// Kind is the kind of a Document.
type Kind int

// The document kinds.
const (
	Invoice    Kind = iota // a facture
	CreditNote             // an avoir, always against one invoice
)

// FileName is the document's file name: FACTURE-<N>.pdf for an invoice,
// AVOIR-<N>.pdf for a credit note.
func (d Document) FileName() string {
	if d.Kind == CreditNote {
		return "AVOIR-" + d.Number + ".pdf"
	}
	return "FACTURE-" + d.Number + ".pdf"
}

// Party is the issuer or the client of a document.
type Party struct {
	Name    string
	Address []string // one line each, e.g. "2 avenue Blaise Pascal", "63178 Aubière Cedex"
	SIRET   string   // printed as given: the issuer's, or a payer's
}

// Line is one row of a document's table.
type Line struct {
	Designation string
	Inscrits    int // enrolled students the line covers; 0 prints nothing
	Qty         int
	// DiscountPct and VATPct are in hundredths of a percent (basis points):
	// 0 is 0 %, 550 is 5,5 %, 2000 is 20 %.
	DiscountPct int
	VATPct      int
	AmountHT    money.Cents
}

// Payment is money allocated to the invoice by Document.AsOf.
type Payment struct {
	Date   clock.Date
	Method string // as the reader should see it, e.g. "Carte bancaire"
	Ref    string // the gateway or bank reference
	Amount money.Cents
}

// Due is a future instalment of the order the invoice covers.
type Due struct {
	Date   clock.Date
	Amount money.Cents
}

// Document is an issued invoice or credit note, as stored, plus the
// payment position at AsOf. The invoice part never changes once issued;
// only the payments block depends on AsOf.
type Document struct {
	Kind       Kind
	Number     string // "9201", "A-0001"
	Date       clock.Date
	Libelle    string // "Paiement en ligne"
	Session    string // "P2225_Y3_3A - Ingénieur Polytech - spécialité Génie Civil 3ème année"
	Issuer     Party
	Client     Party
	Lines      []Line
	HT         money.Cents
	TVA        money.Cents
	TTC        money.Cents
	VATMention string // empty means DefaultVATMention
	RefInvoice string // credit notes: the number of the invoice it cancels
	Reason     string // credit notes: why

	// An invoice to a business (the payer of a financed order) names the
	// student, the payer's order reference and the due date, and prints
	// the mentions the law requires (late-payment penalties, the 40 €
	// recovery indemnity). All empty on an invoice to a student.
	Student  string // "Inès Exemple (22100001)"
	ClientPO string
	DueDate  clock.Date
	Mentions []string

	// AsOf is the date of the payments block; the zero Date leaves the
	// block out (and credit notes never have one).
	AsOf     clock.Date
	Payments []Payment   // allocated to this invoice as of AsOf
	Credited money.Cents // cancelled by credit notes dated on or before AsOf
	StillDue money.Cents
	NextDues []Due // instalments after AsOf, listed when not empty

	// IssuedAt fixes the PDF's creation date, so the file is reproducible.
	IssuedAt time.Time
}

// Build returns the page model of d. It is pure: the same Document always
// gives the same Model.
func Build(d Document) Model {
	mention := d.VATMention
	if mention == "" {
		mention = DefaultVATMention
	}
	title := "Facture n° " + d.Number
	if d.Kind == CreditNote {
		title = "Avoir n° " + d.Number
	}
	m := Model{
		Title:     title,
		Created:   d.IssuedAt,
		Issuer:    issuerLines(d.Issuer),
		Recipient: nonEmpty(append(append([]string{d.Client.Name}, d.Client.Address...), siret(d.Client.SIRET))...),
		Footer:    strings.Join(nonEmpty(d.Issuer.Name, siret(d.Issuer.SIRET), title), " · "),
	}
	m.Blocks = append(m.Blocks, text(StyleTitle, title))
	if d.Kind == CreditNote && d.RefInvoice != "" {
		m.Blocks = append(m.Blocks, text(StyleText, "Avoir sur la facture n° "+d.RefInvoice))
	}
	m.Blocks = append(m.Blocks,
		Block{Style: StyleFields, Pairs: fields(d)},
		Block{Style: StyleTable, Table: itemTable(d.Lines, mention)},
		Block{Style: StyleTotals, Pairs: []Pair{
			{Label: "Total HT", Value: d.HT.String()},
			{Label: "Total TVA", Value: d.TVA.String()},
			{Label: "Total TTC", Value: d.TTC.String(), Bold: true},
		}},
		text(StyleNote, mention),
	)
	if len(d.Mentions) > 0 {
		m.Blocks = append(m.Blocks, text(StyleNote, d.Mentions...))
	}
	if d.Kind == Invoice && !d.AsOf.IsZero() {
		m.Blocks = append(m.Blocks, paymentBlocks(d)...)
	}
	if len(d.NextDues) > 0 {
		m.Blocks = append(m.Blocks, dueBlocks(d.NextDues)...)
	}
	return m
}

// issuerLines is the issuer's name, address and SIRET.
func issuerLines(p Party) []string {
	lines := append([]string{p.Name}, p.Address...)
	return nonEmpty(append(lines, siret(p.SIRET))...)
}

func siret(s string) string {
	if s == "" {
		return ""
	}
	return "SIRET : " + s
}

// fields are the "Label : value" lines under the title, as on the school's
// current invoices.
func fields(d Document) []Pair {
	ps := []Pair{{Label: "Date", Value: d.Date.French()}}
	if d.Kind == CreditNote && d.Reason != "" {
		ps = append(ps, Pair{Label: "Motif", Value: d.Reason})
	}
	if d.Libelle != "" {
		ps = append(ps, Pair{Label: "Libellé", Value: d.Libelle})
	}
	if d.Session != "" {
		ps = append(ps, Pair{Label: "Nom de la session", Value: d.Session})
	}
	ps = append(ps, Pair{Label: "Client", Value: d.Client.Name})
	if d.Student != "" {
		ps = append(ps, Pair{Label: "Étudiant", Value: d.Student})
	}
	if d.ClientPO != "" {
		ps = append(ps, Pair{Label: "Bon de commande", Value: d.ClientPO})
	}
	if !d.DueDate.IsZero() {
		ps = append(ps, Pair{Label: "Date d'échéance", Value: d.DueDate.French()})
	}
	return ps
}

// itemTable is the Désignation … Montant HT table. A line without VAT gets
// the mention's asterisk, as "Droits de scolarité*" on the seed invoice.
func itemTable(lines []Line, mention string) *Table {
	t := &Table{
		Head:    []string{"Désignation", "Inscrits", "Qté", "Remise (%)", "TVA (%)", "Montant HT"},
		Align:   "lrrrrr",
		Weights: []int{40, 10, 7, 12, 12, 19},
		Rows:    [][]string{},
	}
	star := strings.HasPrefix(mention, "*")
	for _, l := range lines {
		des := l.Designation
		if star && l.VATPct == 0 && !strings.HasSuffix(des, "*") {
			des += "*"
		}
		discount := ""
		if l.DiscountPct != 0 {
			discount = percent(l.DiscountPct)
		}
		t.Rows = append(t.Rows, []string{
			des, count(l.Inscrits), strconv.Itoa(l.Qty), discount, percent(l.VATPct), l.AmountHT.String(),
		})
	}
	return t
}

// paymentBlocks is the "Règlements reçus au …" part, which depends on AsOf.
func paymentBlocks(d Document) []Block {
	bs := []Block{text(StyleHeading, "Règlements reçus au "+d.AsOf.French())}
	var paid money.Cents
	if len(d.Payments) == 0 {
		bs = append(bs, text(StyleText, "Aucun règlement reçu."))
	} else {
		t := &Table{Head: []string{"Date", "Mode", "Référence", "Montant"}, Align: "lllr",
			Weights: []int{18, 30, 35, 17}}
		for _, p := range d.Payments {
			t.Rows = append(t.Rows, []string{p.Date.French(), p.Method, p.Ref, p.Amount.String()})
			paid += p.Amount
		}
		bs = append(bs, Block{Style: StyleTable, Table: t})
	}
	totals := []Pair{{Label: "Total réglé", Value: paid.String()}}
	if d.Credited > 0 {
		// So that TTC − réglé − avoirs = reste dû reads on the page.
		totals = append(totals, Pair{Label: "Avoirs", Value: d.Credited.String()})
	}
	totals = append(totals, Pair{Label: "Reste dû", Value: d.StillDue.String(), Bold: true})
	return append(bs, Block{Style: StyleTotals, Pairs: totals})
}

// dueBlocks lists the instalments still to come.
func dueBlocks(dues []Due) []Block {
	t := &Table{Head: []string{"Date", "Montant"}, Align: "lr", Weights: []int{18, 17}}
	for _, d := range dues {
		t.Rows = append(t.Rows, []string{d.Date.French(), d.Amount.String()})
	}
	return []Block{text(StyleHeading, "Prochaines échéances"), {Style: StyleTable, Table: t}}
}

// percent formats basis points the French way: 2000 → "20", 550 → "5,5",
// 1 → "0,01".
func percent(bp int) string {
	sign := ""
	if bp < 0 {
		sign, bp = "-", -bp
	}
	s := strconv.Itoa(bp / 100)
	if frac := bp % 100; frac != 0 {
		s += strings.TrimRight(","+strconv.Itoa(100 + frac)[1:], "0")
	}
	return sign + s
}

func count(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}
