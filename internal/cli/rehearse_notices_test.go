package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/mail"
	"github.com/inpctl/inpctl/internal/money"
	"github.com/inpctl/inpctl/internal/store"
)

// TestRehearseNotices replays a small year ("inpctl rehearse --students
// 200") and counts the notices of its outbox per kind (issue 19). Every
// expected count is derived from what the year did, as the rehearsal
// counted it and as its books show it, never written down: one
// plan_approved per plan a clerk approved, one debit_failed per declined
// debit, one payment_received per payment made by the student, one notice
// per credit note (credit_note, or the exemption's), one refund per
// refund, one exemption per exemption. Beyond the counts, each notice
// names its event: the set of payments, credit notes and declines the
// notices speak of is the set in the books.
//
// The rehearsal never runs mail send, which is what queues debit_upcoming
// (it looks ahead from the day it runs): the year has none of those, and
// mail_kind_debit_upcoming.txtar covers them.
func TestRehearseNotices(t *testing.T) {
	dir := t.TempDir()
	env := rehearsalEnv(dir)
	if code := Run(env, []string{"rehearse", "--students", "200", "--dir", dir, "-o", "json"}); code != 0 {
		t.Fatalf("exit %d: %s", code, env.IO.Err.(*bytes.Buffer).String())
	}
	var rep rehearsalJSON
	if err := json.Unmarshal(env.IO.Out.(*bytes.Buffer).Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(dir, "inpctl.db"), clock.Fixed(time.Now()), store.MustExist)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got, data := outboxByKind(t, ctx, db)
	books := yearBooks(t, ctx, db, rep)
	c, f := rep.Counts, rep.Figures

	want := map[mail.Kind]int{
		mail.PlanApproved:    books.approved,
		mail.PlanRejected:    books.rejected,
		mail.DebitUpcoming:   0, // no mail send in a rehearsal (see above)
		mail.DebitFailed:     f.Declines,
		mail.OrderBlocked:    f.Blocked - c.Blocked, // a decline's block is told by its debit_failed
		mail.PaymentReceived: len(books.studentPayments),
		mail.CreditNote:      f.CreditNotes - c.Exempted, // an exemption's credit note goes with its exemption notice
		mail.Refund:          books.refunds,
		mail.Exemption:       c.Exempted,
	}
	for _, k := range mail.Kinds {
		if got[k] != want[k] {
			t.Errorf("%s: %d notices, the year calls for %d", k, got[k], want[k])
		}
	}
	t.Logf("notices per kind: %v", got)

	// The rehearsal's own counts say the same as its books.
	for _, x := range []struct {
		what      string
		got, want int
	}{
		{"plans approved by schedule approve --all-requested", books.approved, stepItems(rep, "schedule approve --all-requested")},
		{"declines", f.Declines, c.Declined},
		{"payments by the student", len(books.studentPayments), c.Payments - c.Transfers},
	} {
		if x.got != x.want {
			t.Errorf("%s: the books say %d, the rehearsal %d", x.what, x.got, x.want)
		}
	}
	// A year worth counting has each event the rehearsal makes.
	for _, k := range []mail.Kind{mail.PlanApproved, mail.DebitFailed, mail.PaymentReceived, mail.CreditNote, mail.Refund, mail.Exemption} {
		if want[k] == 0 {
			t.Errorf("the rehearsed year has no %s event: the count proves nothing", k)
		}
	}

	// Each notice names its event, once.
	sameSet(t, "payments with a payment_received", data[mail.PaymentReceived], func(d mail.Data) string { return d.Payment }, books.studentPayments)
	sameSet(t, "credit notes with a notice", append(data[mail.CreditNote], data[mail.Exemption]...), func(d mail.Data) string { return d.CreditNote }, books.creditNotes)
	blocked := 0
	for _, d := range data[mail.DebitFailed] {
		if d.Blocked {
			blocked++
		}
	}
	if blocked != c.Blocked {
		t.Errorf("%d debit_failed notices say the order is blocked, the year blocked %d orders by a decline", blocked, c.Blocked)
	}
	var refunded money.Cents
	for _, d := range data[mail.Refund] {
		refunded += d.Amount
	}
	if refunded != f.Refunded {
		t.Errorf("refund notices tell of %s, the books refunded %s", refunded, f.Refunded)
	}
}

// outboxByKind counts the outbox's notices per kind and decodes their data.
func outboxByKind(t *testing.T, ctx context.Context, db *store.DB) (map[mail.Kind]int, map[mail.Kind][]mail.Data) {
	t.Helper()
	ns, err := db.ListNotices(ctx, store.NoticeFilter{})
	if err != nil {
		t.Fatal(err)
	}
	n, data := map[mail.Kind]int{}, map[mail.Kind][]mail.Data{}
	for _, x := range ns {
		k, err := mail.ParseKind(x.Kind)
		if err != nil {
			t.Fatalf("notice %d: %v", x.ID, err)
		}
		d, err := mail.DecodeData(x.Data)
		if err != nil {
			t.Fatalf("notice %d: %v", x.ID, err)
		}
		n[k]++
		data[k] = append(data[k], d)
	}
	return n, data
}

// yearBook is what the year's books hold, read from the database.
type yearBook struct {
	approved, rejected int      // plans a clerk approved (3x, 5x; 1x needs no approval) or rejected
	studentPayments    []string // payments made by the student (not a payer's transfer)
	creditNotes        []string
	refunds            int // payments refunded (each rehearsed refund is on one payment)
}

func yearBooks(t *testing.T, ctx context.Context, db *store.DB, rep rehearsalJSON) yearBook {
	t.Helper()
	y, err := strconv.Atoi(rep.Steps[0].Date[:4])
	if err != nil {
		t.Fatal(err)
	}
	plans, err := db.ListPlans(ctx, store.PlanFilter{Year: strconv.Itoa(y) + "-" + strconv.Itoa(y+1)})
	if err != nil {
		t.Fatal(err)
	}
	var b yearBook
	for _, p := range plans {
		switch {
		case p.Status == "rejected":
			b.rejected++
		case p.Plan != "1x" && p.Status != "requested":
			b.approved++
		}
	}
	pays, err := db.ListPayments(ctx, store.PaymentFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pays {
		if p.PayerName == "" {
			b.studentPayments = append(b.studentPayments, p.Number)
		}
		if p.Refunded > 0 {
			b.refunds++
		}
	}
	cns, err := db.ListCreditNotes(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, cn := range cns {
		b.creditNotes = append(b.creditNotes, cn.Number)
	}
	if len(plans) == 0 || len(pays) != rep.Figures.Payments || len(cns) != rep.Figures.CreditNotes {
		t.Fatalf("the books read %d plans, %d payments, %d credit notes; the figures say %d payments, %d credit notes",
			len(plans), len(pays), len(cns), rep.Figures.Payments, rep.Figures.CreditNotes)
	}
	return b
}

func stepItems(rep rehearsalJSON, name string) int {
	for _, s := range rep.Steps {
		if s.Name == name {
			return s.Items
		}
	}
	return -1
}

// sameSet checks that the notices name each of want exactly once.
func sameSet(t *testing.T, what string, ds []mail.Data, key func(mail.Data) string, want []string) {
	t.Helper()
	var got []string
	for _, d := range ds {
		got = append(got, key(d))
	}
	sort.Strings(got)
	want = append([]string(nil), want...)
	sort.Strings(want)
	if len(got) != len(want) {
		t.Errorf("%s: the notices name %d, the books hold %d", what, len(got), len(want))
		return
	}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("%s: the notices name %v, the books hold %v", what, got, want)
			return
		}
	}
}
