package billing

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/fees"
	"github.com/inpctl/inpctl/internal/money"
	"github.com/inpctl/inpctl/internal/schedule"
	"github.com/inpctl/inpctl/internal/store"
	"github.com/inpctl/inpctl/internal/store/storetest"
)

// planSvc is a service on a fresh database with the example catalogue and
// a few students: 22100001 (ING-GC-3A), 22100002 (extra-EU, ING-INFO-3A),
// 22100003 (MS-EXAMPLE).
func planSvc(t *testing.T) (*Service, string) {
	t.Helper()
	ctx := context.Background()
	path := storetest.DB(t)
	now := clock.Fixed(time.Date(2025, 9, 5, 8, 0, 0, 0, time.UTC))
	db, err := store.Open(ctx, path, now, store.Create)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetActor(store.Actor{Operator: "tester", Command: "inpctl test"})
	cat := fees.ExampleCatalogue()
	n := store.Numbering{OrderPrefix: "CMD", OrderStart: 1, InvoiceStart: 9200, CreditNotePrefix: "AV", CreditNoteStart: 1, PaymentPrefix: "REG", PaymentStart: 1}
	if _, err := db.LoadCatalogue(ctx, cat, n); err != nil {
		t.Fatal(err)
	}
	var rows []store.ImportRow
	for i, s := range []store.Student{
		{ID: "22100001", LastName: "Durand", FirstName: "Camille", Programme: "ING-GC-3A"},
		{ID: "22100002", LastName: "Exemple", FirstName: "Inès", Programme: "ING-INFO-3A", ExtraEU: true},
		{ID: "22100003", LastName: "Mastere", FirstName: "Paul", Programme: "MS-EXAMPLE"},
	} {
		s.Email = s.ID + "@etu.example.org"
		rows = append(rows, store.ImportRow{Student: s, Year: fees.ExampleYear, Line: i + 2})
	}
	if _, _, err := db.ImportStudents(ctx, "s.csv", rows, false, nil); err != nil {
		t.Fatal(err)
	}
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	return &Service{DB: db, Cat: cat, Year: fees.ExampleYear, Location: loc, Rules: schedule.DefaultRules(),
		Retry: schedule.DefaultRetryPolicy(), Issuer: Issuer{Name: "INP", VATMention: "*"}}, path
}

func declare(t *testing.T, s *Service, id, code string) {
	t.Helper()
	if _, err := s.SetCode(context.Background(), CodeChange{StudentID: id, Code: code, Proof: "preuve"}); err != nil {
		t.Fatal(err)
	}
}

func wantKind(t *testing.T, what string, err error, k fault.Kind) {
	t.Helper()
	if !fault.Is(err, k) {
		t.Errorf("%s: want %s, got %v", what, k, err)
	}
}

func TestRequestPlanRules(t *testing.T) {
	s, _ := planSvc(t)
	ctx := context.Background()
	req := func(id, plan string) (store.Plan, error) {
		return s.RequestPlan(ctx, PlanRequest{StudentID: id, Plan: plan})
	}
	_, err := req("22100001", "3x")
	wantKind(t, "no code yet", err, fault.Conflict)
	declare(t, s, "22100001", "01")
	_, err = req("22100001", "5x")
	var below *schedule.ErrBelowThreshold
	if !errors.As(err, &below) || err.Error() != "student 22100001: the 5x plan is for orders above 1\u202f000,00 €; this order is 628,00 €" {
		t.Errorf("5x at 628,00 €: %v", err)
	}
	wantKind(t, "5x at 628,00 €", err, fault.Conflict)
	if fault.HintOf(err) != "choose the 1x or 3x plan" {
		t.Errorf("hint = %q", fault.HintOf(err))
	}
	_, err = req("22100001", "2x")
	wantKind(t, "unknown plan", err, fault.Usage)
	_, err = req("99999999", "1x")
	wantKind(t, "no such student", err, fault.NotFound)

	p, err := req("22100001", "3x")
	if err != nil || p.Status != "requested" || len(p.Instalments) != 0 {
		t.Fatalf("3x request = %+v, %v", p, err)
	}
	_, err = req("22100001", "1x")
	wantKind(t, "a plan already requested", err, fault.Conflict)

	declare(t, s, "22100002", "02") // boursier: 0 €
	_, err = req("22100002", "1x")
	var zero *schedule.ErrZeroTotal
	if !errors.As(err, &zero) {
		t.Errorf("zero-amount order: %v", err)
	}
	declare(t, s, "22100003", "42") // company-financed
	_, err = req("22100003", "3x")
	wantKind(t, "financed order", err, fault.Conflict)

	declare(t, s, "22100002", "05")
	p, err = req("22100002", "1x")
	if err != nil || p.Status != "approved" || len(p.Instalments) != 1 || p.Instalments[0].Amount != 394100 {
		t.Fatalf("1x = %+v, %v", p, err)
	}
}

func TestRequestPlansAllOrNothing(t *testing.T) {
	s, _ := planSvc(t)
	ctx := context.Background()
	declare(t, s, "22100001", "01")
	declare(t, s, "22100002", "05")
	res, rowErrs, err := s.RequestPlans(ctx, []PlanRequest{
		{StudentID: "22100002", Plan: "5x", Line: 2}, {StudentID: "22100001", Plan: "5x", Line: 3}, {StudentID: "22100003", Plan: "3x", Line: 4},
	}, "plans.csv")
	if err != nil || res != (PlansRequested{}) || len(rowErrs) != 2 || rowErrs[0].Line != 3 || rowErrs[1].Line != 4 {
		t.Fatalf("bad file: %+v rows=%v err=%v", res, rowErrs, err)
	}
	if list, _ := s.ListPlans(ctx, "", ""); len(list) != 0 {
		t.Fatalf("a refused file wrote %d plans", len(list))
	}
	res, rowErrs, err = s.RequestPlans(ctx, []PlanRequest{{StudentID: "22100002", Plan: "5x", Line: 2}, {StudentID: "22100001", Plan: "1x", Line: 3}}, "plans.csv")
	if err != nil || res != (PlansRequested{Recorded: 2, Waiting: 1}) || len(rowErrs) != 0 {
		t.Fatalf("good file: %+v rows=%v err=%v; want 2 recorded, 1 waiting (the 1x is approved at once)", res, rowErrs, err)
	}
}

func TestApproveAndReject(t *testing.T) {
	s, _ := planSvc(t)
	ctx := context.Background()
	declare(t, s, "22100001", "01")
	declare(t, s, "22100002", "05")
	_, refusals, _ := s.ApprovePlans(ctx, []string{"22100001"})
	if len(refusals) != 1 || !fault.Is(refusals[0], fault.NotFound) {
		t.Fatalf("approve without a plan: %v", refusals)
	}
	for id, plan := range map[string]string{"22100001": "3x", "22100002": "5x"} {
		if _, err := s.RequestPlan(ctx, PlanRequest{StudentID: id, Plan: plan}); err != nil {
			t.Fatal(err)
		}
	}
	res, refusals, err := s.ApprovePlans(ctx, []string{"22100002", "22100001", "22100002"})
	if err != nil || len(refusals) != 0 || len(res.Plans) != 2 {
		t.Fatalf("approve: %+v %v %v", res, refusals, err)
	}
	got := map[string][]money.Cents{}
	for _, p := range res.Plans {
		for _, i := range p.Instalments {
			if i.Due != "" {
				t.Errorf("%s: due date %q fixed at approval", p.StudentID, i.Due)
			}
			got[p.StudentID] = append(got[p.StudentID], i.Amount)
		}
	}
	if g := got["22100001"]; len(g) != 3 || g[0] != 20933 || g[2] != 20934 {
		t.Errorf("3x of 628,00 € = %v", g)
	}
	if g := got["22100002"]; len(g) != 5 || g[0] != 62800 || g[4] != 82825 {
		t.Errorf("5x of 3 941,00 € = %v", g)
	}
	// Approving again is a clear conflict, and so is rejecting an approved plan.
	_, refusals, _ = s.ApprovePlans(ctx, []string{"22100001"})
	if len(refusals) != 1 || !fault.Is(refusals[0], fault.Conflict) ||
		refusals[0].Error() != "student 22100001: cannot approve the 3x plan: the plan is already approved" {
		t.Fatalf("approve twice: %v", refusals)
	}
	_, err = s.RejectPlan(ctx, "22100001", "trop tard")
	wantKind(t, "reject approved", err, fault.Conflict)
	_, err = s.RejectPlan(ctx, "22100001", " ")
	wantKind(t, "reject without reason", err, fault.Usage)
}

func TestApproveIsAllOrNothing(t *testing.T) {
	s, _ := planSvc(t)
	ctx := context.Background()
	declare(t, s, "22100001", "01")
	declare(t, s, "22100002", "05")
	s.RequestPlan(ctx, PlanRequest{StudentID: "22100001", Plan: "1x"})
	s.RequestPlan(ctx, PlanRequest{StudentID: "22100002", Plan: "5x"})
	_, refusals, err := s.ApprovePlans(ctx, []string{"22100002", "22100001"})
	if err != nil || len(refusals) != 1 || fault.HintOf(refusals[0]) != "a 1x plan needs no approval" {
		t.Fatalf("refusals = %v, %v", refusals, err)
	}
	if p, _ := s.Plan(ctx, "22100002"); p.Status != "requested" {
		t.Fatalf("a refused batch approved 22100002 (%s)", p.Status)
	}
	p, err := s.RejectPlan(ctx, "22100002", "dossier incomplet")
	if err != nil || p.Status != "rejected" || p.Reason != "dossier incomplet" {
		t.Fatalf("reject = %+v, %v", p, err)
	}
	// The student may ask again after a rejection.
	if _, err := s.RequestPlan(ctx, PlanRequest{StudentID: "22100002", Plan: "3x"}); err != nil {
		t.Fatal(err)
	}
}

// payFirst issues the invoice, records the first instalment's card payment,
// allocates it and activates the plan, as the payment flow will.
func payFirst(t *testing.T, s *Service, id string, amount money.Cents, day clock.Date) store.Invoice {
	t.Helper()
	ctx := context.Background()
	inv, err := s.IssueInvoice(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		pay, err := tx.RecordPayment(ctx, store.Payment{StudentID: id, Date: day.String(), Amount: amount, Method: "card", NumTrans: "1", NumAppel: "2"})
		if err != nil {
			return err
		}
		if err := tx.Allocate(ctx, pay.ID, inv.ID, amount); err != nil {
			return err
		}
		p, err := s.dossierPlan(ctx, tx, id)
		if err != nil {
			return err
		}
		return s.followForTest(ctx, tx, p.OrderID, day)
	})
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

func approved5x(t *testing.T, s *Service) {
	t.Helper()
	ctx := context.Background()
	declare(t, s, "22100002", "05")
	if _, err := s.RequestPlan(ctx, PlanRequest{StudentID: "22100002", Plan: "5x"}); err != nil {
		t.Fatal(err)
	}
	if _, refusals, err := s.ApprovePlans(ctx, []string{"22100002"}); err != nil || len(refusals) > 0 {
		t.Fatal(err, refusals)
	}
}

// TestExemptAfterFirstInstalment: the seed's case, a 5x plan of 3 941,00 €
// after its first instalment of 628,00 €: the commission exempts the rest.
func TestExemptAfterFirstInstalment(t *testing.T) {
	s, _ := planSvc(t)
	ctx := context.Background()
	approved5x(t, s)
	inv := payFirst(t, s, "22100002", 62800, clock.Date{Year: 2025, Month: 9, Day: 5})
	p, _ := s.Plan(ctx, "22100002")
	if p.Status != "active" || p.Instalments[1].Due != "2025-10-10" || p.Instalments[4].Due != "2026-01-10" {
		t.Fatalf("active plan = %+v", p)
	}
	_, err := s.Exempt(ctx, "22100002", "")
	wantKind(t, "no decision", err, fault.Usage)

	ex, err := s.Exempt(ctx, "22100002", "CE-2025-09-14")
	if err != nil {
		t.Fatal(err)
	}
	if ex.Cancelled != 4 || ex.Amount != 331300 || ex.Credited != 331300 || ex.CreditNote != "AV000001" || ex.Credit != 0 {
		t.Fatalf("exemption = %+v", ex)
	}
	if ex.Plan.Status != "completed" || ex.Plan.Instalments[0].Status != "paid" || ex.Tariff != 62800 {
		t.Fatalf("plan = %+v", ex.Plan)
	}
	for _, i := range ex.Plan.Instalments[1:] {
		if i.Status != "cancelled" {
			t.Errorf("instalment %d is %s", i.Seq, i.Status)
		}
	}
	// The account: invoice 3 941,00 €, credited 3 313,00 €, paid 628,00 €, nothing due, no credit.
	got, _ := s.DB.Invoice(ctx, inv.Number)
	if got.TTC != 394100 || got.Credited != 331300 || got.Allocated != 62800 || InvoiceDue(got) != 0 {
		t.Fatalf("invoice after exemption = %+v", got)
	}
	cns, _ := s.DB.ListCreditNotes(ctx, "22100002")
	if len(cns) != 1 || cns[0].Amount != 331300 || cns[0].InvoiceNumber != inv.Number ||
		cns[0].Reason != "Commission d'exonération, décision CE-2025-09-14 : droits ramenés à 628,00 €" {
		t.Fatalf("credit notes = %+v", cns)
	}
	// Nothing left: a second decision is refused.
	_, err = s.Exempt(ctx, "22100002", "CE-2025-09-15")
	wantKind(t, "exempt twice", err, fault.Conflict)
}

// TestExemptReleasesOverpayment: what was paid beyond what is still owed
// after the exemption becomes a refundable credit.
func TestExemptReleasesOverpayment(t *testing.T) {
	s, _ := planSvc(t)
	ctx := context.Background()
	approved5x(t, s)
	inv := payFirst(t, s, "22100002", 62800, clock.Date{Year: 2025, Month: 9, Day: 5})
	// A cheque of 200,00 € on top, allocated to the invoice.
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		pay, err := tx.RecordPayment(ctx, store.Payment{StudentID: "22100002", Date: "2025-09-05", Amount: 20000, Method: "cheque", Ref: "CHQ 1"})
		if err != nil {
			return err
		}
		return tx.Allocate(ctx, pay.ID, inv.ID, 20000)
	})
	if err != nil {
		t.Fatal(err)
	}
	ex, err := s.Exempt(ctx, "22100002", "CE-2025-09-14")
	if err != nil || ex.Credited != 331300 || ex.Credit != 20000 {
		t.Fatalf("exemption = %+v, %v; want a credit of 200,00 €", ex, err)
	}
	got, _ := s.DB.Invoice(ctx, inv.Number)
	if got.Allocated != 62800 || InvoiceDue(got) != 0 {
		t.Fatalf("invoice = %+v", got)
	}
}

// TestExemptBeforeAnyPayment: before any money, the order comes down to
// the national fee (re-priced in place: no invoice to credit) and the first
// instalment of 628,00 € stays owed and payable; a requested plan is
// cancelled, its amount no longer stands.
func TestExemptBeforeAnyPayment(t *testing.T) {
	s, _ := planSvc(t)
	ctx := context.Background()
	declare(t, s, "22100001", "05")
	if _, err := s.RequestPlan(ctx, PlanRequest{StudentID: "22100001", Plan: "5x"}); err != nil {
		t.Fatal(err)
	}
	ex, err := s.Exempt(ctx, "22100001", "CE-1")
	if err != nil || ex.Plan.Status != "cancelled" || ex.CreditNote != "" {
		t.Fatalf("exempt a requested plan = %+v, %v", ex, err)
	}

	declare(t, s, "22100002", "05")
	s.RequestPlan(ctx, PlanRequest{StudentID: "22100002", Plan: "5x"})
	s.ApprovePlans(ctx, []string{"22100002"})
	ex, err = s.Exempt(ctx, "22100002", "CE-1")
	if err != nil || ex.Cancelled != 4 || ex.Amount != 331300 || ex.CreditNote != "" || ex.Credited != 0 || ex.Tariff != 62800 {
		t.Fatalf("exemption = %+v, %v", ex, err)
	}
	if p := ex.Plan; p.Status != "approved" || p.Instalments[0].Status != "pending" || p.Instalments[0].Amount != 62800 || p.Unpaid() != 62800 {
		t.Fatalf("plan after the exemption = %+v", p)
	}
	if cns, _ := s.DB.ListCreditNotes(ctx, ""); len(cns) != 0 {
		t.Fatalf("credit notes without an invoice: %+v", cns)
	}
	_, err = s.Exempt(ctx, "22100002", "CE-2")
	wantKind(t, "exempt twice", err, fault.Conflict)
}

func TestCheckCardForPlan(t *testing.T) {
	s, path := planSvc(t)
	ctx := context.Background()
	approved5x(t, s)
	p, _ := s.Plan(ctx, "22100002")
	sept5 := clock.Date{Year: 2025, Month: 9, Day: 5}
	// Before the first payment, the last due date is computed: 10/01/2026.
	if err := s.CheckCardForPlan(p, false, "2601", sept5); err != nil {
		t.Errorf("card valid until 31/01/2026: %v", err)
	}
	var exp *schedule.ErrCardExpiry
	if err := s.CheckCardForPlan(p, false, "2512", sept5); !errors.As(err, &exp) || !fault.Is(err, fault.Conflict) {
		t.Errorf("card expiring 12/2025: %v", err)
	}
	var ecard *schedule.ErrECard
	if err := s.CheckCardForPlan(p, true, "2709", sept5); !errors.As(err, &ecard) {
		t.Errorf("e-card for 5x: %v", err)
	}
	if err := s.CheckCardForPlan(store.Plan{Plan: "1x"}, true, "2709", sept5); err != nil {
		t.Errorf("e-card for 1x: %v", err)
	}
	if err := s.CheckCardForPlan(p, false, "", sept5); !errors.As(err, &exp) {
		t.Errorf("unknown expiry: %v", err)
	}

	// A card on file that cannot pay the plan: approval warns, and stands.
	raw := rawOpen(t, path)
	declare(t, s, "22100001", "01")
	s.RequestPlan(ctx, PlanRequest{StudentID: "22100001", Plan: "3x"})
	if _, err := raw.Exec(`INSERT INTO cards(student_id, refabonne, token, expiry, ecard, card_type, created_at)
		VALUES ('22100001', 'AB1', 'tok', '2709', 1, 'E_CARD', '2025-09-01T07:00:00Z')`); err != nil {
		t.Fatal(err)
	}
	res, refusals, err := s.ApprovePlans(ctx, []string{"22100001"})
	if err != nil || len(refusals) > 0 || len(res.Warnings) != 1 ||
		res.Warnings[0] != "student 22100001: temporary cards (e-cartes) cannot be used for instalment plans" {
		t.Fatalf("approval with an e-card on file: %+v %v %v", res, refusals, err)
	}
}
