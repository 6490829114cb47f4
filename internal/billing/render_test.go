package billing

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/invoice"
	"github.com/inpctl/inpctl/internal/money"
	"github.com/inpctl/inpctl/internal/store"
)

// TestInvoiceDocumentsMatchOneByOne: the bulk read that invoice render
// --all uses gives, for every invoice, the document InvoiceDocument gives
// for its number, at as-of dates before, on and after the payments, and
// with a session filter.
func TestInvoiceDocumentsMatchOneByOne(t *testing.T) {
	y := chargeYard(t, 5)
	if _, _, err := y.charge(newCountingGateway(), 10); err != nil { // pays the October instalments
		t.Fatal(err)
	}
	invs, err := y.db.ListInvoices(y.ctx, store.InvoiceFilter{})
	y.must(err)
	if len(invs) != 5 {
		t.Fatalf("%d invoices, want 5", len(invs))
	}
	y.pay(invs[2].StudentID, invs[2], 1000) // one more payment: two on 10/10
	for _, asOf := range []string{"2025-09-04", "2025-09-05", "2025-10-10", "2025-12-31", "2026-06-30"} {
		day := posDay(asOf)
		for _, session := range []string{"", invs[0].Session, "no-such-session"} {
			docs, err := y.svc.InvoiceDocuments(y.ctx, session, day)
			y.must(err)
			want := 0
			for _, inv := range invs {
				if session != "" && inv.Session != session {
					continue
				}
				one, err := y.svc.InvoiceDocument(y.ctx, inv.Number, day)
				y.must(err)
				if want >= len(docs) {
					t.Fatalf("as of %s, session %q: %d documents, want more", asOf, session, len(docs))
				}
				if !reflect.DeepEqual(docs[want], one) {
					t.Errorf("as of %s, invoice %s:\nbulk %+v\none  %+v", asOf, inv.Number, docs[want], one)
				}
				want++
			}
			if len(docs) != want {
				t.Errorf("as of %s, session %q: %d documents, want %d", asOf, session, len(docs), want)
			}
		}
	}
	docs, err := y.svc.InvoiceDocuments(y.ctx, "", posDay("2025-10-10"))
	y.must(err)
	if len(docs[2].Payments) < 3 || len(docs[0].NextDues) == 0 {
		t.Errorf("the fixture lost its point: payments %+v, next dues %+v", docs[2].Payments, docs[0].NextDues)
	}
}

// TestRenderJobs: the jobs of a batch are every invoice, in number order,
// then the documents gathered beforehand, each under its file name in dir;
// the total is given once, before the first job; a consumer that stops
// ends the reading without an error; a failed read names what it was
// reading.
func TestRenderJobs(t *testing.T) {
	y := chargeYard(t, 5)
	day := posDay("2026-06-30")
	docs, err := y.svc.InvoiceDocuments(y.ctx, "", day)
	y.must(err)
	more := []invoice.Document{docs[0]} // as an invoice number given on the command line
	var paths []string
	totals := []int{}
	err = y.svc.RenderJobs(y.ctx, "out", true, "", day, more, func(n int) {
		if len(paths) != 0 {
			t.Error("total given after the first job")
		}
		totals = append(totals, n)
	})(func(j invoice.Job) bool {
		paths = append(paths, j.Path)
		return true
	})
	y.must(err)
	want := []string{}
	for _, d := range append(docs, more...) {
		want = append(want, filepath.Join("out", d.FileName()))
	}
	if !reflect.DeepEqual(paths, want) || !reflect.DeepEqual(totals, []int{6}) {
		t.Errorf("jobs %v, totals %v; want %v and [6]", paths, totals, want)
	}

	n := 0
	err = y.svc.RenderJobs(y.ctx, "out", true, "", day, more, nil)(func(invoice.Job) bool { n++; return n < 2 })
	if err != nil || n != 2 {
		t.Errorf("consumer stopping after 2: err %v, %d jobs", err, n)
	}

	ctx, cancel := context.WithCancel(y.ctx)
	cancel()
	err = y.svc.RenderJobs(ctx, "out", true, "", day, nil, nil)(func(invoice.Job) bool { return true })
	if err == nil || !strings.Contains(err.Error(), "read the invoices to render") || !errors.Is(err, context.Canceled) {
		t.Errorf("failed read: %v", err)
	}
}

// TestInvoiceDocumentCreditedAsOf: the PDF of an invoice shows the credit
// notes dated on or before its as-of date, and what is still due net of
// them; a credit note issued later leaves the document of an earlier date
// as it was. The bulk read agrees with the one-by-one read.
func TestInvoiceDocumentCreditedAsOf(t *testing.T) {
	y := chargeYard(t, 3)
	invs, err := y.db.ListInvoices(y.ctx, store.InvoiceFilter{})
	y.must(err)
	inv := invs[1]
	before := posDay("2025-09-04")
	docBefore, err := y.svc.InvoiceDocument(y.ctx, inv.Number, before)
	y.must(err)
	cn, err := y.svc.IssueCreditNote(y.ctx, inv.Number, 10000, "remise commission")
	y.must(err)
	cnDay := posDay(cn.Date)
	if !cnDay.After(before) {
		t.Fatalf("the fixture lost its point: credit note dated %s", cn.Date)
	}
	again, err := y.svc.InvoiceDocument(y.ctx, inv.Number, before)
	y.must(err)
	// The coming debits are today's: the credit note recomputed the plan
	// (issue 16), and plans keep no history of their amounts yet (a known
	// gap, docs/decisions.md). Everything else is as it was.
	if len(again.NextDues) != len(docBefore.NextDues) {
		t.Errorf("as of %s: %d coming debits, was %d", before, len(again.NextDues), len(docBefore.NextDues))
	}
	again.NextDues, docBefore.NextDues = nil, nil
	if !reflect.DeepEqual(again, docBefore) || again.Credited != 0 {
		t.Errorf("as of %s, before the credit note: %+v, was %+v", before, again, docBefore)
	}
	for _, day := range []clock.Date{cnDay, posDay("2026-06-30")} {
		one, err := y.svc.InvoiceDocument(y.ctx, inv.Number, day)
		y.must(err)
		paid := money.Cents(0)
		for _, p := range one.Payments {
			paid += p.Amount
		}
		if one.Credited != 10000 || one.StillDue != max(inv.TTC-10000-paid, 0) {
			t.Errorf("as of %s: credited %v, still due %v (TTC %v, paid %v)", day, one.Credited, one.StillDue, inv.TTC, paid)
		}
		docs, err := y.svc.InvoiceDocuments(y.ctx, "", day)
		y.must(err)
		if !reflect.DeepEqual(docs[1], one) {
			t.Errorf("as of %s: bulk %+v\none %+v", day, docs[1], one)
		}
	}
}
