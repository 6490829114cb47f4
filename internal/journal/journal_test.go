package journal

import (
	"bytes"
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"github.com/inpctl/inpctl/internal/money"
)

var chart = Chart{
	Receivable: Account{"411", "Clients"}, Revenue: Account{"706", "Prestations"},
	RevenueByCode: map[string]Account{"42": {"7062", "Formation financée"}},
	VATCollected:  Account{"44571", "TVA collectée"}, PayboxClearing: Account{"5117", "Paybox"},
	Bank: Account{"512", "Banque"}, Cash: Account{"530", "Caisse"}, RefundsPayable: Account{"4191", "Remboursements"},
	Sales: Journal{"VE", "Ventes"}, Card: Journal{"PB", "Paybox"}, BankJournal: Journal{"BQ", "Banque"},
	CashJournal: Journal{"CA", "Caisse"}, Misc: Journal{"OD", "Opérations diverses"},
}

// TestBookEachKind: every kind of movement gives a balanced entry on the
// accounts the chart names, in its journal.
func TestBookEachKind(t *testing.T) {
	cases := []struct {
		m       Movement
		journal string
		lines   string // account:aux:debit:credit …
	}{
		{Movement{Kind: Invoice, Number: "9200", StudentID: "22100001", Name: "Zoé Exemple", Code: "01", HT: 62800, TTC: 62800, Amount: 62800},
			"VE", "411:22100001:62800:0 706::0:62800"},
		{Movement{Kind: Invoice, Number: "9201", StudentID: "22100002", PayerSIRET: "12345678200010", PayerName: "ACME", Code: "42", HT: 100000, TVA: 20000, TTC: 120000, Amount: 120000},
			"VE", "411:12345678200010:120000:0 7062::0:100000 44571::0:20000"},
		{Movement{Kind: CreditNote, Number: "AV1", StudentID: "22100002", Code: "42", HT: 100000, TVA: 20000, TTC: 120000, Amount: 60000},
			"VE", "7062::50000:0 44571::10000:0 411:22100002:0:60000"},
		{Movement{Kind: Payment, Number: "REG1", StudentID: "22100001", Amount: 62800, Method: "card"}, "PB", "5117::62800:0 411:22100001:0:62800"},
		{Movement{Kind: Payment, Number: "REG2", StudentID: "22100001", Amount: 100, Method: "cheque"}, "BQ", "512::100:0 411:22100001:0:100"},
		{Movement{Kind: Payment, Number: "REG3", StudentID: "22100002", PayerSIRET: "12345678200010", Amount: 100, Method: "transfer"}, "BQ", "512::100:0 411:12345678200010:0:100"},
		{Movement{Kind: Payment, Number: "REG4", StudentID: "22100001", Amount: 100, Method: "cash"}, "CA", "530::100:0 411:22100001:0:100"},
		{Movement{Kind: Unpaid, Number: "REG2", StudentID: "22100001", Amount: 100, Method: "cheque"}, "BQ", "411:22100001:100:0 512::0:100"},
		{Movement{Kind: Void, Number: "REG4", StudentID: "22100001", Amount: 100, Method: "cash"}, "CA", "411:22100001:100:0 530::0:100"},
		{Movement{Kind: Refund, Number: "REG1", StudentID: "22100001", Amount: 2000, Method: "card"}, "PB", "411:22100001:2000:0 5117::0:2000"},
		{Movement{Kind: Refund, ID: 7, StudentID: "22100001", Amount: 2000, Method: "manual (cheque)"}, "OD", "411:22100001:2000:0 4191::0:2000"},
	}
	for _, c := range cases {
		e, err := chart.Book(c.m)
		if err != nil {
			t.Fatalf("%+v: %v", c.m, err)
		}
		var got []string
		for _, l := range e.Lines {
			got = append(got, fmt.Sprintf("%s:%s:%d:%d", l.Account.Number, l.Aux, l.Debit, l.Credit))
		}
		if e.Journal.Code != c.journal || strings.Join(got, " ") != c.lines || !e.Balanced() {
			t.Errorf("%s %s: journal %s lines %v (balanced %v), want %s %s", c.m.Kind, c.m.Number, e.Journal.Code, got, e.Balanced(), c.journal, c.lines)
		}
		if e.PieceRef == "" || e.Label == "" {
			t.Errorf("%s: no PieceRef or label: %+v", c.m.Kind, e)
		}
	}
}

// TestBookRefuses: no amount, an unknown kind or method is an error, never
// an entry left out or unbalanced.
func TestBookRefuses(t *testing.T) {
	for _, m := range []Movement{{Kind: Invoice, Amount: 0}, {Kind: "gift", Amount: 1}, {Kind: Payment, Amount: 1, Method: "bitcoin"}} {
		if _, err := chart.Book(m); err == nil {
			t.Errorf("%+v booked", m)
		}
	}
}

// randomMovement is any movement the ledger could hold.
func randomMovement(r *rand.Rand, i int) Movement {
	kinds := []string{Invoice, CreditNote, Payment, Unpaid, Void, Refund}
	methods := []string{"card", "cheque", "transfer", "cash"}
	m := Movement{Kind: kinds[r.Intn(len(kinds))], Number: fmt.Sprint(i), ID: int64(i), StudentID: fmt.Sprintf("2210%04d", r.Intn(20)),
		Name: "Étudiant|fictif\n", Code: []string{"01", "42", "05"}[r.Intn(3)], Method: methods[r.Intn(len(methods))]}
	if r.Intn(4) == 0 {
		m.PayerSIRET, m.PayerName = "12345678200010", "ACME"
	}
	m.TTC = money.Cents(1 + r.Intn(1_000_000))
	if r.Intn(2) == 0 {
		m.TVA = money.Cents(r.Intn(int(m.TTC) + 1))
	}
	m.HT = m.TTC - m.TVA
	m.Amount = money.Cents(1 + r.Intn(int(m.TTC)))
	if m.Kind == Invoice && r.Intn(5) > 0 {
		m.Amount = m.TTC
	}
	if m.Kind == Refund && r.Intn(2) == 0 {
		m.Method = "manual (" + m.Method + ")"
	}
	return m
}

// TestPropertyBalanced: over random movements every entry is balanced, so
// the journal is (Σ debit = Σ credit), and the receivable of each student
// moves as the Solde of account show does: + invoices, unpaids, voids and
// refunds, − payments and credit notes.
func TestPropertyBalanced(t *testing.T) {
	r := rand.New(rand.NewSource(20))
	var debit, credit money.Cents
	recv, solde := map[string]money.Cents{}, map[string]money.Cents{}
	for i := 0; i < 20000; i++ {
		m := randomMovement(r, i)
		e, err := chart.Book(m)
		if err != nil {
			t.Fatal(err)
		}
		if !e.Balanced() {
			t.Fatalf("%+v: unbalanced %+v", m, e)
		}
		for _, l := range e.Lines {
			debit, credit = debit+l.Debit, credit+l.Credit
			if l.Debit < 0 || l.Credit < 0 || (l.Debit == 0) == (l.Credit == 0) {
				t.Fatalf("%+v: a line must be on one side with a positive amount: %+v", m, l)
			}
			if l.Account == chart.Receivable {
				recv[e.StudentID] += l.Debit - l.Credit
			}
		}
		switch m.Kind {
		case Payment, CreditNote:
			solde[m.StudentID] -= m.Amount
		default:
			solde[m.StudentID] += m.Amount
		}
	}
	if debit != credit {
		t.Fatalf("Σ debit %s ≠ Σ credit %s", debit, credit)
	}
	for s, want := range solde {
		if recv[s] != want {
			t.Errorf("student %s: receivable %s, solde %s", s, recv[s], want)
		}
	}
}

// TestNumbererAndWriter: EcritureNum goes on from 1 in each journal; the
// FEC file has the 18 fields, one | fewer than fields on every line, no
// separator inside a field, dates YYYYMMDD and comma decimals.
func TestNumbererAndWriter(t *testing.T) {
	var n Numberer
	var buf bytes.Buffer
	w, err := NewWriter(&buf, FEC)
	if err != nil {
		t.Fatal(err)
	}
	var nums []string
	for i, m := range []Movement{
		{Kind: Invoice, Date: "2025-09-01", Number: "9200", StudentID: "22100001", Name: "Zoé|Exemple\r\n", Code: "01", TTC: 123456, HT: 123456, Amount: 123456},
		{Kind: Payment, Date: "2025-09-01", Number: "REG1", StudentID: "22100001", Name: "Zoé", Amount: 123456, Method: "card"},
		{Kind: Invoice, Date: "2025-09-02", Number: "9201", StudentID: "22100002", Name: "Léo", Code: "01", TTC: 5, HT: 5, Amount: 5},
	} {
		e, err := chart.Book(m)
		if err != nil {
			t.Fatal(i, err)
		}
		n.Number(&e)
		nums = append(nums, e.Num)
		if err := w.Write(e); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if strings.Join(nums, " ") != "VE000001 PB000001 VE000002" {
		t.Errorf("numbers %v", nums)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if lines[0] != strings.Join(Fields, "|") || len(Fields) != 18 || len(lines) != 7 || w.Lines != 6 {
		t.Fatalf("%d lines (%d counted):\n%s", len(lines), w.Lines, buf.String())
	}
	for _, l := range lines {
		if strings.Count(l, "|") != 17 || strings.Contains(l, "\r") {
			t.Errorf("line %q: not 18 fields", l)
		}
	}
	want := "VE|Ventes|VE000001|20250901|411|Clients|22100001|Zoé Exemple|9200|20250901|Facture 9200 Zoé Exemple|1234,56|0,00|||20250901||"
	if lines[1] != want {
		t.Errorf("line 1:\n got %s\nwant %s", lines[1], want)
	}
}

// TestCSVAndDescription: the CSV has the same fields; the description
// names the encoding, the separator and every field.
func TestCSVAndDescription(t *testing.T) {
	var buf bytes.Buffer
	w, _ := NewWriter(&buf, CSV)
	e, _ := chart.Book(Movement{Kind: Payment, Date: "2025-09-01", Number: "REG1", StudentID: "1", Name: `Zoé "Z", Exemple`, Amount: 100, Method: "cheque"})
	if err := w.Write(e); err != nil || w.Flush() != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(buf.String(), strings.Join(Fields, ",")+"\n") || !strings.Contains(buf.String(), `"Règlement chèque REG1 Zoé ""Z"", Exemple"`) {
		t.Errorf("csv:\n%s", buf.String())
	}
	d := Description(FEC, "fec.txt", "2025-09-01", "2026-08-31")
	for _, s := range append([]string{"UTF-8", "| (barre verticale", "20250901", "AAAAMMJJ"}, Fields...) {
		if !strings.Contains(d, s) {
			t.Errorf("description lacks %q:\n%s", s, d)
		}
	}
	if _, err := NewWriter(&buf, "xml"); err == nil {
		t.Error("format xml accepted")
	}
}

// TestNumbererKeepsRecordedNumbers: an entry numbered by an earlier export
// keeps its journal and place, whatever the chart says now; the others go
// on after the places recorded (Start), never reusing one.
func TestNumbererKeepsRecordedNumbers(t *testing.T) {
	var n Numberer
	n.Start("VE", 7)
	n.Start("OLD", 3)
	var got []string
	for _, m := range []Movement{
		{Kind: Invoice, Date: "2025-09-01", Number: "9200", StudentID: "1", Code: "01", TTC: 100, HT: 100, Amount: 100, Numbered: "OLD", NumberedLib: "Ancien", Seq: 2},
		{Kind: Invoice, Date: "2025-09-01", Number: "9201", StudentID: "1", Code: "01", TTC: 100, HT: 100, Amount: 100},
		{Kind: Invoice, Date: "2025-09-02", Number: "9202", StudentID: "1", Code: "01", TTC: 100, HT: 100, Amount: 100, Numbered: "VE", NumberedLib: "Ventes", Seq: 5},
		{Kind: Payment, Date: "2025-09-02", Number: "REG1", StudentID: "1", Amount: 100, Method: "card"},
	} {
		e, err := chart.Book(m)
		if err != nil {
			t.Fatal(err)
		}
		fresh := n.Number(&e)
		got = append(got, fmt.Sprintf("%s:%s:%v", e.Num, e.Journal.Label, fresh))
	}
	if want := "OLD000002:Ancien:false VE000008:Ventes:true VE000005:Ventes:false PB000001:Paybox:true"; strings.Join(got, " ") != want {
		t.Errorf("got  %s\nwant %s", strings.Join(got, " "), want)
	}
}

// TestTally: the tally of booked entries counts them and their lines, and
// its debit and credit are the sums of theirs.
func TestTally(t *testing.T) {
	ms := []Movement{
		{Kind: Invoice, Number: "9200", StudentID: "22100001", Name: "Zoé Exemple", Code: "01", HT: 62800, TTC: 62800, Amount: 62800},
		{Kind: Invoice, Number: "9201", StudentID: "22100002", Name: "Yann Exemple", Code: "42", HT: 50000, TVA: 10000, TTC: 60000, Amount: 60000},
	}
	var tl Tally
	var lines int
	var debit money.Cents
	for _, m := range ms {
		e, err := chart.Book(m)
		if err != nil {
			t.Fatal(err)
		}
		tl.Add(e)
		lines += len(e.Lines)
		d, _ := e.Totals()
		debit += d
	}
	if tl.Entries != 2 || tl.Lines != lines || tl.Debit != debit || tl.Credit != debit || !tl.Balanced() {
		t.Errorf("tally %+v; want 2 entries, %d lines, debit = credit = %d", tl, lines, debit)
	}
}
