package billing

import (
	"testing"

	"github.com/inpctl/inpctl/internal/money"
	"github.com/inpctl/inpctl/internal/store"
	"pgregory.net/rapid"
)

func drawCents(t *rapid.T, label string) money.Cents {
	return money.Cents(rapid.Int64Range(0, 1_000_000).Draw(t, label))
}

// drawStudent draws a student's sums as the store gives them: the
// payments net of unpaids are the four means' collected.
func drawStudent(t *rapid.T) store.ReportStudent {
	var s store.ReportStudent
	s.StudentID = rapid.StringMatching(`2210000[0-9]`).Draw(t, "id")
	s.Programme = rapid.SampledFrom([]string{"ING-GC-3A", "ING-INFO-4A", "MASTER"}).Draw(t, "programme")
	s.Code = rapid.SampledFrom([]string{"", "01", "05", "42"}).Draw(t, "code")
	s.Invoiced, s.CreditNotes, s.Refunds = drawCents(t, "invoiced"), drawCents(t, "credit notes"), drawCents(t, "refunds")
	s.NotYetDue = drawCents(t, "not yet due")
	s.Card, s.Cheque, s.Transfer, s.Cash = drawCents(t, "card"), drawCents(t, "cheque"), drawCents(t, "transfer"), drawCents(t, "cash")
	s.Unpaid = drawCents(t, "unpaid")
	s.Payments = s.Card + s.Cheque + s.Transfer + s.Cash + s.Unpaid
	if rapid.Bool().Draw(t, "blocked") {
		s.Blocked = "impayé"
	}
	return s
}

// TestReportSummaryIdentities: on every line of report summary, by code
// and by programme, and on the total, Reste dû − Crédits = Facturé −
// Avoirs − collected + Remboursé; the total line is the sum of the lines,
// field by field; every student is counted once, and the two groupings
// agree on the total.
func TestReportSummaryIdentities(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		students := rapid.SliceOfN(rapid.Custom(drawStudent), 0, 20).Draw(t, "students")
		var totals []ReportSummaryRow
		for _, by := range []string{"code", "programme"} {
			rows, total := ReportSummary(students, by)
			var sum ReportSummaryRow
			for i, r := range rows {
				if r.Outstanding-r.Credits != r.Invoiced-r.Credited-r.Card-r.Cheque-r.Transfer-r.Cash+r.Refunded {
					t.Fatalf("by %s, %s: owed %s − credits %s ≠ the flows' net %s", by, r.Key, r.Outstanding, r.Credits, r.Net())
				}
				if r.Due > r.Outstanding || r.Due < 0 || r.Credits < 0 || r.Currency != money.Currency {
					t.Fatalf("by %s, %s: %+v", by, r.Key, r)
				}
				if i > 0 && rows[i-1].Key >= r.Key {
					t.Fatalf("by %s: %q before %q", by, rows[i-1].Key, r.Key)
				}
				sum.Add(r)
			}
			sum.Currency = money.Currency
			if sum != total {
				t.Fatalf("by %s: the lines add up to %+v, the total is %+v", by, sum, total)
			}
			if total.Dossiers != len(students) || total.Outstanding-total.Credits != total.Net() {
				t.Fatalf("by %s: total %+v of %d students", by, total, len(students))
			}
			totals = append(totals, total)
		}
		if totals[0] != totals[1] {
			t.Fatalf("by code %+v, by programme %+v", totals[0], totals[1])
		}
	})
}

// TestReportSummaryAStudent: a student who owes is outstanding (of which
// the part due), one in credit counts in Crédits, one without a code is
// under "(sans code)".
func TestReportSummaryAStudent(t *testing.T) {
	owes := store.ReportStudent{Code: "01", Card: 20000}
	owes.Invoiced, owes.Payments, owes.NotYetDue = 62800, 20000, 30000
	credit := store.ReportStudent{Cash: 70000}
	credit.Invoiced, credit.Payments, credit.Refunds, credit.Blocked = 62800, 70000, 2000, "impayé"
	rows, total := ReportSummary([]store.ReportStudent{owes, credit}, "code")
	if len(rows) != 2 || rows[0].Key != "(sans code)" || rows[1].Key != "01" {
		t.Fatalf("rows %+v", rows)
	}
	if r := rows[1]; r.Outstanding != 42800 || r.Due != 12800 || r.Credits != 0 || r.Blocked != 0 {
		t.Errorf("the student who owes: %+v", r)
	}
	if r := rows[0]; r.Outstanding != 0 || r.Credits != 5200 || r.Blocked != 1 || r.Refunded != 2000 {
		t.Errorf("the student in credit: %+v", r)
	}
	if total.Outstanding != 42800 || total.Credits != 5200 || total.Collected() != 90000 || total.Dossiers != 2 {
		t.Errorf("total %+v", total)
	}
}

// TestReportMonths: each month's movements land on its line, an unpaid off
// its method's collected; Change is each line's net and the total line is
// the sum of the lines.
func TestReportMonths(t *testing.T) {
	sums := []store.MonthSum{
		{Month: "2025-09", Kind: store.MoveInvoice, Method: "", Amount: 62800},
		{Month: "2025-09", Kind: store.MovePayment, Method: "card", Amount: 20000},
		{Month: "2025-10", Kind: store.MovePayment, Method: "cheque", Amount: 10000},
		{Month: "2025-10", Kind: store.MoveUnpaid, Method: "cheque", Amount: 10000},
		{Month: "2025-10", Kind: store.MoveCreditNote, Method: "", Amount: 5000},
		{Month: "2025-11", Kind: store.MovePayment, Method: "transfer", Amount: 40000},
		{Month: "2025-11", Kind: store.MoveRefund, Method: "", Amount: 2200},
		{Month: "2025-11", Kind: store.MovePayment, Method: "cash", Amount: 100},
	}
	rows, total := ReportMonths(sums)
	if len(rows) != 3 {
		t.Fatalf("rows %+v", rows)
	}
	want := []money.Cents{42800, -5000, -37900}
	var sum ReportMonthRow
	for i, r := range rows {
		if r.Change != want[i] || r.Change != r.Net() {
			t.Errorf("%s: change %s, want %s (net %s)", r.Month, r.Change, want[i], r.Net())
		}
		sum.ReportFlows.Add(r.ReportFlows)
		sum.Change += r.Change
	}
	if rows[1].Cheque != 0 || rows[2].Cash != 100 {
		t.Errorf("methods: %+v", rows)
	}
	sum.Currency = money.Currency
	if sum != total || total.Change != -100 {
		t.Errorf("total %+v, the lines add up to %+v", total, sum)
	}
	if rows, _ := ReportMonths(nil); rows == nil {
		t.Error("no movements: rows must be [] (JSON), not nil")
	}
}

// TestReportInstalmentsAndRefunds: an instalment's amount is in exactly
// one state's column (Prévu = the four on every line and on the total),
// a paid one even when its order is blocked; the refunds' total is the sum
// of their lines, a card's credit going back through Paybox.
func TestReportInstalmentsAndRefunds(t *testing.T) {
	ins := []store.ReportInstalment{
		{Seq: 1, Plan: "3x", Amount: 20000, Status: "paid", Blocked: "impayé", PaidDate: "2025-10-05"},
		{Seq: 2, Plan: "3x", Amount: 20000, Status: "failed", Blocked: "impayé"},
		{Seq: 1, Plan: "5x", Amount: 6280, Status: "failed", NextTry: "2025-10-08"},
		{Seq: 2, Plan: "5x", Amount: 6280, Status: "pending"},
	}
	rows, total := ReportInstalments(ins)
	states := []string{"paid", "blocked", "failed", "pending"}
	var sum ReportInstalmentRow
	for i, r := range rows {
		if r.Status != states[i] || r.Planned != r.Collected+r.Pending+r.Failed+r.Blocked || r.Planned != ins[i].Amount {
			t.Errorf("line %d: %+v", i, r)
		}
		sum.Planned, sum.Collected, sum.Pending = sum.Planned+r.Planned, sum.Collected+r.Collected, sum.Pending+r.Pending
		sum.Failed, sum.Blocked = sum.Failed+r.Failed, sum.Blocked+r.Blocked
	}
	if rows[0].BlockedReason != "" || rows[1].BlockedReason != "impayé" || rows[2].Instalment != "1/5" {
		t.Errorf("rows %+v", rows)
	}
	sum.Currency = money.Currency
	if sum != total || total.Planned != total.Collected+total.Pending+total.Failed+total.Blocked {
		t.Errorf("total %+v, the lines add up to %+v", total, sum)
	}

	refunds, rt := ReportRefunds([]store.ReportCredit{
		{Payment: "REG000001", Method: "card", Paid: 62800, Free: 7200},
		{Payment: "REG000002", Method: "cheque", Paid: 10000, Free: 10000},
	})
	if len(refunds) != 2 || refunds[0].BackTo != "paybox" || refunds[1].BackTo != "manual" {
		t.Errorf("refunds %+v", refunds)
	}
	if rt.Paid != 72800 || rt.Refundable != 17200 {
		t.Errorf("refunds' total %+v", rt)
	}
}
