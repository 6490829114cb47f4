package billing

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/inpctl/inpctl/internal/fees"
	"github.com/inpctl/inpctl/internal/money"
	"github.com/inpctl/inpctl/internal/schedule"
	"github.com/inpctl/inpctl/internal/store"
	"github.com/inpctl/inpctl/internal/store/storetest"
)

// posClock is a clock the test moves forward.
type posClock struct{ now time.Time }

func (c *posClock) Now() time.Time { return c.now }

// posYard is a real database driven through the store and billing APIs.
type posYard struct {
	t   *testing.T
	ctx context.Context
	clk *posClock
	db  *store.DB
	svc *Service
	loc *time.Location
	// commitFault, when set (failCommits), runs before every COMMIT of
	// the yard's database: store.WithBeforeCommit.
	commitFault atomic.Pointer[func() error]
}

func newPosYard(t *testing.T) *posYard {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	y := &posYard{t: t, ctx: context.Background(), clk: &posClock{}, loc: loc}
	y.at("2025-06-01")
	y.db, err = store.Open(y.ctx, storetest.DB(t), y.clk, store.Create, store.WithBeforeCommit(y.beforeCommit))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { y.db.Close() })
	n := store.Numbering{OrderPrefix: "CMD", OrderStart: 1, InvoiceStart: 9200, CreditNotePrefix: "AV", CreditNoteStart: 1, PaymentPrefix: "REG", PaymentStart: 1}
	if _, err := y.db.LoadCatalogue(y.ctx, fees.ExampleCatalogue(), n); err != nil {
		t.Fatal(err)
	}
	y.svc = &Service{DB: y.db, Cat: fees.ExampleCatalogue(), Year: fees.ExampleYear, Location: loc, Rules: schedule.DefaultRules()}
	return y
}

// failCommits makes every later write transaction of the yard run f just
// before COMMIT, and fail with its error if any (a full disk, a read-only
// file); nil lets the commits through again.
func (y *posYard) failCommits(f func() error) {
	if f == nil {
		y.commitFault.Store(nil)
		return
	}
	y.commitFault.Store(&f)
}

func (y *posYard) beforeCommit() error {
	if f := y.commitFault.Load(); f != nil {
		return (*f)()
	}
	return nil
}

// at moves the clock to 09:00 in Paris on day d.
func (y *posYard) at(d string) { y.clk.now = posDay(d).Time(y.loc).Add(9 * time.Hour) }

func (y *posYard) must(err error) {
	y.t.Helper()
	if err != nil {
		y.t.Fatal(err)
	}
}

func (y *posYard) tx(fn func(*store.Tx) error) { y.t.Helper(); y.must(y.db.InTx(y.ctx, fn)) }

func (y *posYard) students(rows ...store.Student) {
	var in []store.ImportRow
	for i, s := range rows {
		s.Email = s.ID + "@etu.example.org"
		in = append(in, store.ImportRow{Student: s, Year: fees.ExampleYear, Line: i + 2})
	}
	_, conflicts, err := y.db.ImportStudents(y.ctx, "t.csv", in, false, nil)
	if err != nil || len(conflicts) > 0 {
		y.t.Fatal(err, conflicts)
	}
}

func (y *posYard) setCode(id, code, proof, reason string) CodeResult {
	r, err := y.svc.SetCode(y.ctx, CodeChange{StudentID: id, Code: code, Proof: proof, Reason: reason})
	y.must(err)
	return r
}

// pay records a card payment and allocates it to the invoice.
func (y *posYard) pay(id string, inv store.Invoice, amount money.Cents) store.Payment {
	var p store.Payment
	y.tx(func(tx *store.Tx) error {
		var err error
		if p, err = tx.RecordPayment(y.ctx, store.Payment{StudentID: id, Date: tx.Today(y.loc).String(), Amount: amount, Method: "card"}); err != nil {
			return err
		}
		return tx.Allocate(y.ctx, p.ID, inv.ID, amount)
	})
	return p
}

func (y *posYard) invoice(id string) store.Invoice {
	inv, err := y.svc.IssueInvoice(y.ctx, id)
	y.must(err)
	return inv
}

// plan requests, approves and starts a plan whose first instalment is
// paid today; it returns the plan.
func (y *posYard) plan(id string, p schedule.Plan) store.Plan {
	r := y.setCode(id, map[string]string{"A3": "01", "C5": "05"}[id], "", "")
	amounts, err := schedule.Split(r.Order.TTC, p, y.svc.Rules)
	y.must(err)
	var pl store.Plan
	y.tx(func(tx *store.Tx) error {
		pl, err = tx.CreatePlan(y.ctx, r.Order.ID, p, schedule.InitialStatus(p), nil)
		if err != nil {
			return err
		}
		pl, err = tx.ApprovePlan(y.ctx, pl.ID, amounts)
		return err
	})
	inv := y.invoice(id)
	y.pay(id, inv, amounts[0])
	y.tx(func(tx *store.Tx) error {
		if _, err := tx.SaveCard(y.ctx, store.Card{StudentID: id, RefAbonne: "AB-" + id, Token: "tok", Expiry: "2712"}); err != nil {
			return err
		}
		if err := y.svc.followForTest(y.ctx, tx, pl.OrderID, tx.Today(y.loc)); err != nil {
			return err
		}
		pl, err = tx.Plan(y.ctx, pl.ID)
		return err
	})
	return pl
}

func (y *posYard) position(id, asOf string) (Summary, Account) {
	y.t.Helper()
	rows, err := y.db.AccountRows(y.ctx, id, posDay(asOf), y.loc)
	y.must(err)
	return Position(rows, posDay(asOf)), BuildAccount(rows, posDay(asOf))
}

// TestPositionThroughTheStore plays the seed's situations with the store
// and billing APIs, and checks the figures of account show, and that
// account list's SQL sums give the same figures for every student on
// every date.
func TestPositionThroughTheStore(t *testing.T) {
	y := newPosYard(t)
	y.students(
		store.Student{ID: "A1", LastName: "Ancoult", FirstName: "Gregory", Programme: "ING-GC-3A"},
		store.Student{ID: "A3", LastName: "Arnould", FirstName: "Vincent", Programme: "ING-GC-3A"},
		store.Student{ID: "C5", LastName: "Exemple", FirstName: "Inès", Programme: "ING-GC-3A", ExtraEU: true},
		store.Student{ID: "B2", LastName: "Boursier", FirstName: "Léa", Programme: "ING-GC-3A"},
		store.Student{ID: "U1", LastName: "Impaye", FirstName: "Hugo", Programme: "ING-INFO-3A"},
		store.Student{ID: "N0", LastName: "Neant", FirstName: "Zoé", Programme: "ING-INFO-3A"},
	)

	// 24/06: A1 pays 628,00 € at once; A3 pays the first third of a 3x plan.
	y.at("2025-06-24")
	y.setCode("A1", "01", "", "")
	y.pay("A1", y.invoice("A1"), 62800)
	three := y.plan("A3", schedule.Plan3x)
	// 10/07: the second debit of A3 is declined (insufficient funds).
	y.at("2025-07-10")
	y.tx(func(tx *store.Tx) error {
		a, err := tx.CreateAttempt(y.ctx, store.Attempt{InstalmentID: three.Instalments[1].ID, Amount: three.Instalments[1].Amount})
		if err != nil {
			return err
		}
		a.State, a.Code, a.Text = "declined", "00151", "fonds insuffisants"
		if err := tx.ResolveAttempt(y.ctx, a); err != nil {
			return err
		}
		return tx.FailInstalment(y.ctx, three.Instalments[1].ID, "00151", posDay("2025-07-13"))
	})
	// 01/09: B2 pays 628,00 €; U1 pays by cheque.
	y.at("2025-09-01")
	y.setCode("B2", "01", "", "")
	y.pay("B2", y.invoice("B2"), 62800)
	y.setCode("U1", "01", "", "")
	chq := y.pay("U1", y.invoice("U1"), 62800)
	// 05/09: C5 pays the first 628,00 € of a 5x plan of 3 941,00 €.
	y.at("2025-09-05")
	five := y.plan("C5", schedule.Plan5x)
	// 20/09: U1's cheque bounces; the order is blocked.
	y.at("2025-09-20")
	y.tx(func(tx *store.Tx) error {
		if _, err := recordUnpaid(y.ctx, tx, chq, "2025-09-20", "chèque sans provision", "unpaid"); err != nil {
			return err
		}
		o, _, err := tx.CurrentOrder(y.ctx, posDossier(y, tx, "U1").ID)
		if err != nil {
			return err
		}
		return tx.BlockOrder(y.ctx, o.ID, "chèque impayé")
	})
	// 25/09: the exemption commission cancels C5's four later instalments.
	y.at("2025-09-25")
	y.tx(func(tx *store.Tx) error {
		inv, _, err := tx.InvoiceOfOrder(y.ctx, five.OrderID)
		if err != nil {
			return err
		}
		if _, err = y.svc.issueCreditNote(y.ctx, tx, inv, 331300, "commission d'exonération CE-2025-14", "2025-09-25"); err != nil {
			return err
		}
		return y.svc.followForTest(y.ctx, tx, five.OrderID, posDay("2025-09-25"))
	})
	// 15/10: B2 obtains the bourse; 20/10 the credit is refunded.
	y.at("2025-10-15")
	y.setCode("B2", "02", "attestation CROUS 2025-777", "bourse obtenue en octobre")
	y.at("2025-10-20")
	y.tx(func(tx *store.Tx) error {
		_, err := tx.RecordRefund(y.ctx, store.Refund{StudentID: "B2", Date: "2025-10-20", Amount: 62800, Method: "transfer", Reason: "bourse"})
		return err
	})

	cases := []struct {
		id, asOf                         string
		debit, credit, balance, position money.Cents
	}{
		{"A1", "2025-06-24", 62800, 62800, 0, 0},
		{"A1", "2025-06-23", 0, 0, 0, 0},
		{"A3", "2025-06-24", 62800, 20933, 41867, 0},
		{"A3", "2025-07-11", 62800, 20933, 41867, 20933},
		{"C5", "2025-09-05", 394100, 62800, 331300, 0},
		{"C5", "2025-09-30", 394100, 394100, 0, 0},
		{"B2", "2025-10-15", 62800, 125600, -62800, -62800},
		{"B2", "2025-10-20", 125600, 125600, 0, 0},
		{"U1", "2025-09-10", 62800, 62800, 0, 0},
		{"U1", "2025-09-20", 62800, 0, 62800, 62800},
		{"N0", "2025-10-20", 0, 0, 0, 0},
	}
	for _, c := range cases {
		got, _ := y.position(c.id, c.asOf)
		if want := (Summary{c.debit, c.credit, c.balance, c.position, "EUR"}); got != want {
			t.Errorf("%s as of %s: got %+v, want %+v", c.id, c.asOf, got, want)
		}
	}

	_, a3 := y.position("A3", "2025-07-11")
	if len(a3.Coming) != 2 || a3.Coming[0].Due != "2025-07-10" || a3.Coming[0].Status != "failed" || a3.Coming[0].NextTry != "2025-07-13" ||
		a3.Coming[1].Due != "2025-08-10" || a3.Coming[1].CardExpires != "2027-12-31" || !a3.Coming[1].CardOK {
		t.Errorf("A3 coming debits: %+v", a3.Coming)
	}
	if len(a3.Failed) != 1 || a3.Failed[0].Code != "00151" || a3.Failed[0].Seq != 2 {
		t.Errorf("A3 failed attempts: %+v", a3.Failed)
	}
	_, u1 := y.position("U1", "2025-09-20")
	if u1.Blocked != "chèque impayé" || u1.Invoices.Items[0].SettledDate != "" || u1.Payments.Items[0].Unpaid != 62800 {
		t.Errorf("U1: blocked %q, invoice %+v, payment %+v", u1.Blocked, u1.Invoices.Items[0], u1.Payments.Items[0])
	}
	_, b2 := y.position("B2", "2025-10-20")
	if len(b2.Orders.Items) != 2 || !b2.Orders.Items[0].Superseded || b2.Invoices.Items[0].Refunded != 62800 || b2.Invoices.Items[0].Credited != 62800 {
		t.Errorf("B2: %+v %+v", b2.Orders.Items, b2.Invoices.Items)
	}

	for _, asOf := range []string{"2025-06-23", "2025-06-24", "2025-07-10", "2025-07-11", "2025-09-05", "2025-09-10", "2025-09-20", "2025-09-30", "2025-10-15", "2025-10-20"} {
		totals, err := y.db.AccountTotals(y.ctx, store.AccountFilter{}, posDay(asOf), y.loc)
		y.must(err)
		if len(totals) != 6 {
			t.Fatalf("account totals: %d students, want 6", len(totals))
		}
		for _, tt := range totals {
			list := Figures(Totals{tt.Invoiced, tt.CreditNotes, tt.Payments, tt.Unpaid, tt.Refunds, tt.NotYetDue})
			show, _ := y.position(tt.StudentID, asOf)
			if list != show {
				t.Errorf("%s as of %s: account list says %+v, account show %+v", tt.StudentID, asOf, list, show)
			}
			if (tt.Blocked != "") != (tt.StudentID == "U1" && asOf >= "2025-09-20") {
				t.Errorf("%s as of %s: blocked %q", tt.StudentID, asOf, tt.Blocked)
			}
		}
	}
}

func posDossier(y *posYard, tx *store.Tx, id string) store.Dossier {
	d, err := tx.Dossier(y.ctx, id, fees.ExampleYear)
	y.must(err)
	return d
}

// TestMovements checks the export query: one line per movement of the
// period, by date then kind.
func TestMovements(t *testing.T) {
	y := newPosYard(t)
	y.students(store.Student{ID: "U1", LastName: "Impaye", FirstName: "Hugo", Programme: "ING-INFO-3A"})
	y.at("2025-09-01")
	y.setCode("U1", "01", "", "")
	p := y.pay("U1", y.invoice("U1"), 62800)
	y.at("2025-09-20")
	y.tx(func(tx *store.Tx) error {
		_, err := recordUnpaid(y.ctx, tx, p, "2025-09-20", "rejet", "unpaid")
		return err
	})
	var got []string
	y.must(y.db.EachMovement(y.ctx, posDay("2025-09-01"), posDay("2025-09-30"), func(m store.Movement) error {
		got = append(got, m.Date+" "+m.Kind+" "+m.Number+" "+m.Amount.Plain()+" "+MovementSide(m.Kind)+" "+m.Reference)
		return nil
	}))
	want := []string{"2025-09-01 invoice 9200 628.00 debit CMD000001", "2025-09-01 payment REG000001 628.00 credit ", "2025-09-20 unpaid REG000001 628.00 debit rejet"}
	if len(got) != len(want) {
		t.Fatalf("movements:\n%v\nwant\n%v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("movement %d: %q, want %q", i, got[i], want[i])
		}
	}
	var n int
	y.must(y.db.EachMovement(y.ctx, posDay("2025-09-02"), posDay("2025-09-19"), func(store.Movement) error { n++; return nil }))
	if n != 0 {
		t.Errorf("an empty period gave %d movements", n)
	}
}
