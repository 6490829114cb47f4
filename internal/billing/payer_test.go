package billing

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/gateway/paybox"
	"github.com/inpctl/inpctl/internal/invoice"
)

// A made-up SIRET that passes the Luhn check (and so looks like a card
// number to a detector that does not know the field).
const testSIRET = "41200123210004"

// TestPayerInvoiceToABusiness: a payer set on a financed order (code 42)
// gets the invoice: addressed to it with its SIRET and order reference,
// naming the student, due 30 days later, with the business mentions; the
// student cannot pay it, the payer's transfer pays it and nothing else.
func TestPayerInvoiceToABusiness(t *testing.T) {
	ctx := context.Background()
	s, _ := planSvc(t)
	declare(t, s, "22100003", "42")
	declare(t, s, "22100001", "01")
	if _, err := s.SetPayer(ctx, PayerInput{StudentID: "22100003", Name: "Exemple Formation SAS", SIRET: "412 001 232 10004",
		Address: []string{"12 rue de l'Exemple", "63000 Clermont-Ferrand"}, PORef: "BC-2025-118"}); err != nil {
		t.Fatal(err)
	}
	inv, err := s.IssueInvoice(ctx, "22100003")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := s.InvoiceDocument(ctx, inv.Number, clock.NewDate(2025, 9, 5))
	if err != nil {
		t.Fatal(err)
	}
	if doc.Client.Name != "Exemple Formation SAS" || doc.Client.SIRET != "412 001 232 10004" || doc.ClientPO != "BC-2025-118" ||
		doc.Student != "Paul Mastere (22100003)" || doc.DueDate != clock.NewDate(2025, 10, 5) {
		t.Errorf("payer invoice: client %+v, po %q, student %q, due %s", doc.Client, doc.ClientPO, doc.Student, doc.DueDate)
	}
	if !slices.Equal(doc.Mentions, DefaultBusinessMentions) || !strings.Contains(strings.Join(doc.Mentions, " "), "40,00 €") {
		t.Errorf("mentions: %q", doc.Mentions)
	}
	m := invoice.Build(doc)
	var printed []string
	for _, b := range m.Blocks {
		printed = append(printed, b.Lines...)
		for _, p := range b.Pairs {
			printed = append(printed, p.Label+" : "+p.Value)
		}
	}
	all := strings.Join(append(printed, m.Recipient...), "\n")
	for _, want := range []string{"Étudiant : Paul Mastere (22100003)", "Bon de commande : BC-2025-118", "Date d'échéance : 05/10/2025",
		"SIRET : 412 001 232 10004", "Indemnité forfaitaire pour frais de recouvrement : 40,00 €"} {
		if !strings.Contains(all, want) {
			t.Errorf("the page does not print %q:\n%s", want, all)
		}
	}

	// The student cannot pay it: every way is refused, naming the payer.
	_, err = s.RecordPayment(ctx, ManualPayment{StudentID: "22100003", Method: "cheque", Ref: "CHQ 1", Amount: 1000})
	wantKind(t, "student's cheque", err, fault.Conflict)
	if err == nil || !strings.Contains(err.Error(), "financed by Exemple Formation SAS") {
		t.Errorf("refusal does not name the payer: %v", err)
	}
	_, err = s.RequestPlan(ctx, PlanRequest{StudentID: "22100003", Plan: "3x"})
	wantKind(t, "schedule request", err, fault.Conflict)
	// --payer where there is no payer is refused.
	_, err = s.RecordPayment(ctx, ManualPayment{StudentID: "22100001", Method: "transfer", Ref: "VIR", Amount: 1000, Payer: true})
	wantKind(t, "--payer without a payer", err, fault.Conflict)
	// The payer's transfer: never more than the order owes, even with AllowCredit.
	_, err = s.RecordPayment(ctx, ManualPayment{StudentID: "22100003", Method: "transfer", Ref: "VIR 1", Amount: inv.TTC + 1, Payer: true, AllowCredit: true})
	wantKind(t, "payer's excess", err, fault.Conflict)
	res, err := s.RecordPayment(ctx, ManualPayment{StudentID: "22100003", Method: "transfer", Ref: "VIR 1", Amount: inv.TTC, Payer: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Credit != 0 || res.Payment.PayerName != "Exemple Formation SAS" {
		t.Errorf("payer's transfer: credit %s, payer %q", res.Credit, res.Payment.PayerName)
	}
	if got, err := s.DB.Invoice(ctx, inv.Number); err != nil || InvoiceDue(got) != 0 {
		t.Errorf("due after the payer's transfer: %s %v", InvoiceDue(got), err)
	}
}

// TestPayerReaddressesTheStudentsInvoice: a payer named after the invoice
// was issued to the student (no money yet) gets a new invoice; a student
// who has paid or has a plan keeps the order (refused).
func TestPayerReaddressesTheStudentsInvoice(t *testing.T) {
	ctx := context.Background()
	s, _ := planSvc(t)
	declare(t, s, "22100001", "01")
	first, err := s.IssueInvoice(ctx, "22100001")
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.SetPayer(ctx, PayerInput{StudentID: "22100001", Name: "OPCO Exemple", SIRET: testSIRET})
	if err != nil {
		t.Fatal(err)
	}
	if res.Reinvoiced == nil || res.Reinvoiced.OldInvoice != first.Number || res.Reinvoiced.NewInvoice == "" {
		t.Fatalf("not re-addressed: %+v", res.Reinvoiced)
	}
	inv, err := s.DB.Invoice(ctx, res.Reinvoiced.NewInvoice)
	if err != nil {
		t.Fatal(err)
	}
	if inv.ClientName != "OPCO Exemple" || inv.ClientSIRET != testSIRET || inv.StudentName != "Camille Durand (22100001)" {
		t.Errorf("new invoice: %+v", inv)
	}
	_, err = s.MakePayLink(ctx, "22100001", paybox.LinkConfig{}, time.Now())
	wantKind(t, "pay link of a financed order", err, fault.Conflict)

	declare(t, s, "22100002", "05")
	if _, err := s.RequestPlan(ctx, PlanRequest{StudentID: "22100002", Plan: "3x"}); err != nil {
		t.Fatal(err)
	}
	_, err = s.SetPayer(ctx, PayerInput{StudentID: "22100002", Name: "OPCO Exemple", SIRET: testSIRET})
	wantKind(t, "payer over a plan", err, fault.Conflict)
	_, err = s.SetPayer(ctx, PayerInput{StudentID: "22100002", Name: "OPCO Exemple", SIRET: "41200123210005"})
	wantKind(t, "a mistyped SIRET", err, fault.Usage)
}

// TestIssuedDocumentKeepsItsIssuer: an issued invoice and credit note
// render the same bytes after the issuer's name, address and SIRET change
// in the config (issue 16). (The session of the invoice's own year:
// fees.TestSessionFor, and the script offscript_earlier_year.)
func TestIssuedDocumentKeepsItsIssuer(t *testing.T) {
	ctx := context.Background()
	s, _ := planSvc(t)
	// A made-up issuer SIRET that passes the Luhn check, as a real one does:
	// stored with each document, db check must not take it for a card.
	s.Issuer = Issuer{Name: "Clermont Auvergne INP", Address: []string{"2 avenue Blaise Pascal", "63178 Aubière Cedex"}, SIRET: "36200123210001", VATMention: "*"}
	declare(t, s, "22100001", "01")
	inv, err := s.IssueInvoice(ctx, "22100001")
	if err != nil {
		t.Fatal(err)
	}
	cn, err := s.IssueCreditNote(ctx, inv.Number, 1000, "geste")
	if err != nil {
		t.Fatal(err)
	}
	asOf := clock.NewDate(2025, 9, 6)
	render := func() (a, b []byte) {
		d, err := s.InvoiceDocument(ctx, inv.Number, asOf)
		if err != nil {
			t.Fatal(err)
		}
		c, err := s.CreditNoteDocument(ctx, cn.Number)
		if err != nil {
			t.Fatal(err)
		}
		var x, y bytes.Buffer
		if err := invoice.Render(&x, invoice.Build(d)); err != nil {
			t.Fatal(err)
		}
		if err := invoice.Render(&y, invoice.Build(c)); err != nil {
			t.Fatal(err)
		}
		if d.Issuer.Name != "Clermont Auvergne INP" || c.Issuer.Name != "Clermont Auvergne INP" {
			t.Errorf("issuer printed: %q, %q", d.Issuer.Name, c.Issuer.Name)
		}
		return x.Bytes(), y.Bytes()
	}
	if c, err := s.CreditNoteDocument(ctx, cn.Number); err != nil || c.Libelle != "" {
		t.Errorf("the credit note prints the invoice's libellé %q (%v): it is not about how the invoice was paid", c.Libelle, err)
	}
	inv1, cn1 := render()
	s.Issuer = Issuer{Name: "Autre Établissement", Address: []string{"1 rue Ailleurs"}, SIRET: "999 999 999 99999", VATMention: "autre"}
	inv2, cn2 := render()
	if !bytes.Equal(inv1, inv2) || !bytes.Equal(cn1, cn2) {
		t.Error("a config change changed an issued document")
	}
	fs, err := s.DB.Check(ctx, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		if f.Code == "E011" {
			t.Errorf("the issuer's SIRET stored with the documents is taken for a card number: %s", f)
		}
	}

}
