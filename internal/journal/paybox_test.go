package journal

import (
	"strings"
	"testing"
)

var testLayout = PayboxLayout{Date: "Date", NumTrans: "Numéro de transaction", NumAppel: "Numéro d'appel", Reference: "Référence",
	Amount: "Montant", Type: "Type", Status: "Statut", PaymentTypes: []string{"Débit"}, RefundTypes: []string{"Remboursement"},
	OKStatuses: []string{"Accepté"}}

// TestMatchEveryKind: each kind of difference, matching by NUMTRANS then
// REFERENCE, each book transaction matched once, and a book transaction
// outside the period not expected (issue 20).
func TestMatchEveryKind(t *testing.T) {
	export := "\ufeffDate;Numéro de transaction;Numéro d'appel;Référence;Montant;Type;Statut\r\n" +
		"05/09/2025 10:00;0000000001;1;A;628,00;Débit;Accepté\r\n" + // matches REG1 by NUMTRANS
		"05/09/2025;;;B;209,33;Débit;Accepté\r\n" + // matches REG2 by REFERENCE
		"2025-09-06;0000000003;3;C;100,00;Débit;Accepté\r\n" + // REG3 is of 100,01
		"07/09/2025;0000000004;4;D;50,00;Débit;Accepté\r\n" + // REG4 recorded on 08/09
		"08/09/2025;0000000005;5;E;628,00;Débit;Accepté\r\n" + // no book payment
		"09/09/2025;0000000006;6;F;-628,00;Remboursement;Accepté\r\n" + // no book refund
		"09/09/2025;0000000007;7;G;628,00;Débit;Refusé\r\n" // skipped
	x, err := ReadPayboxExport("x.csv", []byte(export), testLayout)
	if err != nil {
		t.Fatal(err)
	}
	if len(x.Txs) != 6 || x.Skipped != 1 || x.From != "2025-09-05" || x.To != "2025-09-09" || !x.Txs[5].Refund || x.Txs[5].Amount != 62800 {
		t.Fatalf("read %+v", x)
	}
	books := []BookTx{
		{Number: "REG1", Date: "2025-09-05", Amount: 62800, NumTrans: "0000000001", Reference: "A"},
		{Number: "REG2", Date: "2025-09-05", Amount: 20933, NumTrans: "0000000002", Reference: "B"},
		{Number: "REG3", Date: "2025-09-06", Amount: 10001, NumTrans: "0000000003"},
		{Number: "REG4", Date: "2025-09-08", Amount: 5000, NumTrans: "0000000004"},
		{Number: "REG8", Date: "2025-09-07", Amount: 1000, NumTrans: "0000000008"},               // unknown to Paybox
		{Number: "REG1", Refund: true, Date: "2025-09-09", Amount: 1000, NumTrans: "0000000009"}, // refund unknown to Paybox
		{Number: "REG0", Date: "2025-08-30", Amount: 1000, NumTrans: "0000000000"},               // before the period
	}
	diffs, matched := Match(x.Txs, books, x.From, x.To)
	var got []string
	for _, d := range diffs {
		s := d.Kind
		if d.Book != nil {
			s += " " + d.Book.Number
		}
		if d.Paybox != nil {
			s += " " + d.Paybox.NumTrans
		}
		got = append(got, s)
	}
	want := "amount_differs REG3 0000000003, date_differs REG4 0000000004, not_in_books 0000000005, refund_not_in_books 0000000006, " +
		"not_at_paybox REG8, refund_not_at_paybox REG1"
	if strings.Join(got, ", ") != want || matched != 2 {
		t.Errorf("matched %d, differences:\n%s\nwant\n%s", matched, strings.Join(got, ", "), want)
	}
}

// TestReadPayboxExportRefusesBadRows: every bad row named, file:line:
// column, and nothing read; a card number anywhere is refused (csvin).
func TestReadPayboxExportRefusesBadRows(t *testing.T) {
	export := "Date,Numéro de transaction,Numéro d'appel,Référence,Montant,Type,Statut,Carte\n" +
		"05/09/2025,1,1,A,abc,Débit,Accepté,CB\n" +
		"5/9/2025,2,2,B,1,Débit,Accepté,CB\n" +
		"05/09/2025,,,,1,Débit,Accepté,CB\n" +
		"05/09/2025,4,4,D,1,Débit,Accepté,1111222233334444\n"
	_, err := ReadPayboxExport("x.csv", []byte(export), testLayout)
	for _, w := range []string{"x.csv:2: Montant", "x.csv:3: Date", "x.csv:4: Numéro de transaction", "x.csv:5: carte"} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("want %q in %v", w, err)
		}
	}
	if err != nil && strings.Contains(err.Error(), "1111222233334444") {
		t.Errorf("the card number is printed: %v", err)
	}
}
