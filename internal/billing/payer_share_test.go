package billing

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/gateway/paybox"
	"github.com/inpctl/inpctl/internal/money"
	"github.com/inpctl/inpctl/internal/store"
)

// owing reads what a student's current order owes, by whom (OwedBy).
func owing(t *testing.T, s *Service, studentID string) Owing {
	t.Helper()
	var o Owing
	err := s.DB.InTx(context.Background(), func(tx *store.Tx) error {
		_, ord, err := s.currentOrder(context.Background(), tx, studentID)
		if err != nil {
			return err
		}
		o, err = owedOf(context.Background(), tx, ord.ID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// TestPayerShareOwedByPart: a share of 2 000,00 € on the 3 941,00 € of code
// 05 splits what the order owes (student 1 941,00 €, payer 2 000,00 €) into
// two invoices issued at once; each one's money pays its own part only, and
// the order is settled when both parts are.
func TestPayerShareOwedByPart(t *testing.T) {
	ctx := context.Background()
	s, _ := planSvc(t)
	declare(t, s, "22100002", "05")
	if got := owing(t, s, "22100002"); got != (Owing{Student: 394100}) {
		t.Fatalf("before the payer: %+v", got)
	}
	res, err := s.SetPayer(ctx, PayerInput{StudentID: "22100002", Name: "OPCO Exemple", SIRET: testSIRET, Share: 200000})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Invoices) != 2 || res.Invoices[0] != "9200" || res.Invoices[1] != "9201" || res.Reinvoiced != nil {
		t.Fatalf("invoices issued: %+v", res)
	}
	student, err := s.DB.Invoice(ctx, "9200")
	if err != nil {
		t.Fatal(err)
	}
	payer, err := s.DB.Invoice(ctx, "9201")
	if err != nil {
		t.Fatal(err)
	}
	if student.Part != partStudent || student.TTC != 194100 || student.ClientSIRET != "" ||
		payer.Part != partPayer || payer.TTC != 200000 || payer.ClientSIRET != testSIRET || payer.StudentName == "" || payer.Mentions == "" {
		t.Errorf("parts: student %s %s %q, payer %s %s %q %q", student.Part, student.TTC, student.ClientSIRET, payer.Part, payer.TTC, payer.ClientSIRET, payer.StudentName)
	}
	if got := owing(t, s, "22100002"); got != (Owing{Student: 194100, Payer: 200000}) {
		t.Fatalf("after the share: %+v", got)
	}

	// The student's cheque pays the student's part; more than it is refused.
	_, err = s.RecordPayment(ctx, ManualPayment{StudentID: "22100002", Method: "cheque", Ref: "CHQ 1", Amount: 194101})
	wantKind(t, "a cheque above the student's part", err, fault.Conflict)
	if _, err := s.RecordPayment(ctx, ManualPayment{StudentID: "22100002", Method: "cheque", Ref: "CHQ 1", Amount: 100000}); err != nil {
		t.Fatal(err)
	}
	if got := owing(t, s, "22100002"); got != (Owing{Student: 94100, Payer: 200000}) {
		t.Errorf("after the student's cheque: %+v", got)
	}
	// The pay link asks for the rest of the student's part.
	pl, err := s.MakePayLink(ctx, "22100002", paybox.LinkConfig{URL: "http://sandbox.invalid/pay", Site: "1999888", Rang: "32",
		Identifiant: "107904482", Key: make([]byte, 64), IPNURL: "https://example.org/paybox/ipn", Location: s.Location}, time.Date(2025, 9, 5, 10, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if pl.Amount != 94100 {
		t.Errorf("pay link asks %s, want 941,00 €", pl.Amount)
	}
	// The payer's transfer pays the payer's invoice only, never more.
	_, err = s.RecordPayment(ctx, ManualPayment{StudentID: "22100002", Method: "transfer", Ref: "VIR 1", Amount: 200001, Payer: true, AllowCredit: true})
	wantKind(t, "a transfer above the payer's part", err, fault.Conflict)
	if _, err := s.RecordPayment(ctx, ManualPayment{StudentID: "22100002", Method: "transfer", Ref: "VIR 1", Amount: 200000, Payer: true}); err != nil {
		t.Fatal(err)
	}
	if got := owing(t, s, "22100002"); got != (Owing{Student: 94100}) {
		t.Errorf("after the payer's transfer: %+v", got)
	}
	if inv, _ := s.DB.Invoice(ctx, "9200"); inv.Allocated != 100000 {
		t.Errorf("the student's invoice received %s, want 1 000,00 €", inv.Allocated)
	}
	d, err := s.DB.Dossier(ctx, "22100002", s.Year)
	if err != nil {
		t.Fatal(err)
	}
	if o, _, _ := s.DB.OrderOf(ctx, d.ID); o.SettledDate != "" {
		t.Errorf("settled with the student's part open: %q", o.SettledDate)
	}
	if _, err := s.RecordPayment(ctx, ManualPayment{StudentID: "22100002", Method: "cheque", Ref: "CHQ 2", Amount: 94100}); err != nil {
		t.Fatal(err)
	}
	if got := owing(t, s, "22100002"); got != (Owing{}) {
		t.Errorf("after both parts: %+v", got)
	}
	if o, _, _ := s.DB.OrderOf(ctx, d.ID); o.SettledDate == "" {
		t.Error("both parts paid, the order is not settled")
	}
}

// TestPayerShareRefusals: a share is above 0 and below the order's TTC
// (usage errors naming both amounts); it is refused, as a whole payer is,
// over a plan or money already paid; an exemption is refused on a shared
// order.
func TestPayerShareRefusals(t *testing.T) {
	ctx := context.Background()
	s, _ := planSvc(t)
	declare(t, s, "22100002", "05")
	for _, share := range []money.Cents{394100, 400000, -1} {
		_, err := s.SetPayer(ctx, PayerInput{StudentID: "22100002", Name: "OPCO Exemple", SIRET: testSIRET, Share: share})
		wantKind(t, "share "+share.String(), err, fault.Usage)
		if share > 0 && (err == nil || !strings.Contains(err.Error(), share.String()) || !strings.Contains(err.Error(), money.Cents(394100).String())) {
			t.Errorf("share %s: the refusal does not name both amounts: %v", share, err)
		}
	}
	if _, err := s.RequestPlan(ctx, PlanRequest{StudentID: "22100002", Plan: "3x"}); err != nil {
		t.Fatal(err)
	}
	_, err := s.SetPayer(ctx, PayerInput{StudentID: "22100002", Name: "OPCO Exemple", SIRET: testSIRET, Share: 200000})
	wantKind(t, "a share over a plan", err, fault.Conflict)

	declare(t, s, "22100001", "01")
	if _, err := s.RecordPayment(ctx, ManualPayment{StudentID: "22100001", Method: "cheque", Ref: "CHQ 1", Amount: 10000}); err != nil {
		t.Fatal(err)
	}
	_, err = s.SetPayer(ctx, PayerInput{StudentID: "22100001", Name: "OPCO Exemple", SIRET: testSIRET, Share: 20000})
	wantKind(t, "a share over a payment", err, fault.Conflict)

	s2, _ := planSvc(t)
	declare(t, s2, "22100002", "05")
	if _, err := s2.SetPayer(ctx, PayerInput{StudentID: "22100002", Name: "OPCO Exemple", SIRET: testSIRET, Share: 200000}); err != nil {
		t.Fatal(err)
	}
	_, err = s2.Exempt(ctx, "22100002", "CE-2025-1")
	wantKind(t, "an exemption on a shared order", err, fault.Conflict)
}

// TestPayerShareReaddressesTheStudentsInvoice: an invoice issued to the
// student for the whole order is cancelled by a credit note for all of it
// and the two parts are issued on a new order, numbered with no gap; a
// share changed again (nothing paid) re-invoices the parts once more, and
// the same share again changes nothing.
func TestPayerShareReaddressesTheStudentsInvoice(t *testing.T) {
	ctx := context.Background()
	s, _ := planSvc(t)
	declare(t, s, "22100002", "05")
	first, err := s.IssueInvoice(ctx, "22100002")
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.SetPayer(ctx, PayerInput{StudentID: "22100002", Name: "OPCO Exemple", SIRET: testSIRET, Share: 200000})
	if err != nil {
		t.Fatal(err)
	}
	r := res.Reinvoiced
	if r == nil || r.OldInvoice != first.Number || r.Credited != 394100 || r.NewInvoice != "9201, 9202" || r.CreditNote == "" {
		t.Fatalf("re-addressed: %+v", r)
	}
	if got := owing(t, s, "22100002"); got != (Owing{Student: 194100, Payer: 200000}) {
		t.Errorf("after re-addressing: %+v", got)
	}
	again, err := s.SetPayer(ctx, PayerInput{StudentID: "22100002", Name: "OPCO Exemple", SIRET: testSIRET, Share: 200000})
	if err != nil || again.Reinvoiced != nil || len(again.Invoices) != 0 {
		t.Errorf("the same share again: %+v %v", again, err)
	}
	other, err := s.SetPayer(ctx, PayerInput{StudentID: "22100002", Name: "OPCO Exemple", SIRET: testSIRET, Share: 300000})
	if err != nil {
		t.Fatal(err)
	}
	if r := other.Reinvoiced; r == nil || r.OldInvoice != "9201, 9202" || r.Credited != 394100 || r.NewInvoice != "9203, 9204" {
		t.Fatalf("another share: %+v", r)
	}
	if got := owing(t, s, "22100002"); got != (Owing{Student: 94100, Payer: 300000}) {
		t.Errorf("after another share: %+v", got)
	}
	invs, err := s.DB.ListInvoices(ctx, store.InvoiceFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for k, inv := range invs {
		if want := strconv.Itoa(9200 + k); inv.Number != want {
			t.Errorf("invoice %d is %s: a gap", k, inv.Number)
		}
	}
}

// TestPayerShareOwedSQL: on an order a payer shares, the plan is for the
// student's part, and owedSQL (what caps every debit, db check E001) is
// OwedBy's Student, before and after the payer's transfer.
func TestPayerShareOwedSQL(t *testing.T) {
	ctx := context.Background()
	s, _ := planSvc(t)
	declare(t, s, "22100002", "05")
	if _, err := s.SetPayer(ctx, PayerInput{StudentID: "22100002", Name: "OPCO Exemple", SIRET: testSIRET, Share: 200000}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RequestPlan(ctx, PlanRequest{StudentID: "22100002", Plan: "3x"}); err != nil {
		t.Fatal(err)
	}
	if _, refusals, err := s.ApprovePlans(ctx, []string{"22100002"}); err != nil || len(refusals) > 0 {
		t.Fatal(err, refusals)
	}
	// The first third by cheque starts the plan: 647,00 € of the student's 1 941,00 €.
	if _, err := s.RecordPayment(ctx, ManualPayment{StudentID: "22100002", Method: "cheque", Ref: "CHQ 1", Amount: 64700}); err != nil {
		t.Fatal(err)
	}
	for _, payer := range []bool{false, true} {
		if payer {
			if _, err := s.RecordPayment(ctx, ManualPayment{StudentID: "22100002", Method: "transfer", Ref: "VIR 1", Amount: 150000, Payer: true}); err != nil {
				t.Fatal(err)
			}
		}
		due, err := s.DB.DueInstalments(ctx, "9999-12-31", "22100002")
		if err != nil || len(due) != 1 {
			t.Fatalf("due: %+v %v", due, err)
		}
		if got := owing(t, s, "22100002"); due[0].Owed != got.Student || due[0].Owed != 129400 || due[0].Amount != 64700 {
			t.Errorf("payer paid %v: owedSQL %s (debit %s), OwedBy %+v", payer, due[0].Owed, due[0].Amount, got)
		}
	}
	fs, err := s.DB.Check(ctx, time.Date(2025, 9, 6, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		if !f.Warning {
			t.Errorf("db check: %s", f)
		}
	}
}
