package mail_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/fees"
	"github.com/inpctl/inpctl/internal/mail"
	"github.com/inpctl/inpctl/internal/mail/smtp"
	"github.com/inpctl/inpctl/internal/mail/smtptest"
	"github.com/inpctl/inpctl/internal/money"
	"github.com/inpctl/inpctl/internal/store"
	"github.com/inpctl/inpctl/internal/store/storetest"
)

var t0 = time.Date(2025, 10, 10, 7, 0, 0, 0, time.UTC)

const from = "Affaires financières <finances@inp.example.org>"

// world is a database with two students and a clock the test moves.
type world struct {
	t   *testing.T
	db  *store.DB
	now time.Time
	tpl *mail.Templates
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{t: t, now: t0}
	db, err := store.Open(context.Background(), storetest.DB(t), clock.Fixed(t0), store.Create)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.LoadCatalogue(context.Background(), fees.ExampleCatalogue(), store.Numbering{OrderPrefix: "CMD", OrderStart: 1,
		InvoiceStart: 9200, CreditNotePrefix: "AV", CreditNoteStart: 1, PaymentPrefix: "REG", PaymentStart: 1}); err != nil {
		t.Fatal(err)
	}
	rows := []store.ImportRow{
		{Student: store.Student{ID: "22100001", LastName: "Martin", FirstName: "Léa", Email: "lea.martin@etu.example.org", Programme: "ING-GC-3A"}, Year: "2025-2026", Line: 2},
		{Student: store.Student{ID: "22100002", LastName: "Durand", FirstName: "Hugo", Email: "hugo.durand@etu.example.org", Programme: "ING-GC-3A"}, Year: "2025-2026", Line: 3},
		{Student: store.Student{ID: "22100003", LastName: "Petit", FirstName: "Inès", Email: "pas-une-adresse", Programme: "ING-GC-3A"}, Year: "2025-2026", Line: 4},
	}
	if _, _, err := db.ImportStudents(context.Background(), "s.csv", rows, false, nil); err != nil {
		t.Fatal(err)
	}
	w.db = db
	if w.tpl, err = mail.LoadTemplates(""); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *world) queue(key, student string, k mail.Kind, d mail.Data) int64 {
	w.t.Helper()
	data, err := d.Encode()
	if err != nil {
		w.t.Fatal(err)
	}
	var id int64
	err = w.db.InTx(context.Background(), func(tx *store.Tx) (err error) {
		id, _, err = tx.QueueNotice(context.Background(), store.Notice{Key: key, StudentID: student, Kind: string(k), Data: data})
		return err
	})
	if err != nil {
		w.t.Fatal(err)
	}
	return id
}

func (w *world) runner(srv *smtptest.Server, cfg smtp.Config) *mail.Runner {
	if srv != nil {
		cfg.Host, cfg.Port = srv.Host, srv.Port
	}
	if cfg.TLS == "" {
		cfg.TLS = smtp.NoTLS
	}
	cfg.ConnectTimeout, cfg.Timeout = 2*time.Second, 5*time.Second
	return &mail.Runner{DB: w.db, Templates: w.tpl, Transport: smtp.New(cfg),
		Hooks: mail.Hooks{Attach: func(_ context.Context, d mail.Doc) (mail.Attachment, error) {
			return mail.Attachment{Name: "facture-" + d.Number + ".pdf", Data: pdfBytes(d.Number)}, nil
		}},
		Options: mail.Options{From: from, School: mail.School{Signature: []string{"Le service des affaires financières", "Clermont Auvergne INP"}, Contact: "finances@inp.example.org"},
			Now: func() time.Time { return w.now }}}
}

func pdfBytes(n string) []byte { return []byte("%PDF-1.4 test document " + n + "\x00\x01\x02\xff") }

func (w *world) notice(id int64) store.Notice {
	w.t.Helper()
	n, err := w.db.Notice(context.Background(), id)
	if err != nil {
		w.t.Fatal(err)
	}
	return n
}

func startServer(t *testing.T, o smtptest.Options) *smtptest.Server {
	t.Helper()
	srv, err := smtptest.Start(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

var receipt = mail.Data{Date: "2025-10-10", Amount: 394100, Payment: "REG00012", Method: "carte", Remaining: 0, Invoice: "9201",
	Docs: []mail.Doc{{Kind: mail.DocInvoice, Number: "9201", AsOf: "2025-10-10"}}}

// A notice arrives at the real server with the student's address, the
// French subject and text, the attached document's bytes and the
// Message-ID derived from its key; the row records it.
func TestSendDelivers(t *testing.T) {
	w := newWorld(t)
	srv := startServer(t, smtptest.Options{})
	id := w.queue("payment_received:REG00012", "22100001", mail.PaymentReceived, receipt)
	items, sum, err := w.runner(srv, smtp.Config{}).Run(context.Background())
	if err != nil || sum.Sent != 1 || len(items) != 1 {
		t.Fatalf("run: %+v %+v %v", items, sum, err)
	}
	got := srv.Messages()
	if len(got) != 1 {
		t.Fatalf("server got %d messages", len(got))
	}
	if len(got[0].To) != 1 || got[0].To[0] != "lea.martin@etu.example.org" || got[0].From != "finances@inp.example.org" {
		t.Fatalf("envelope from %q to %v", got[0].From, got[0].To)
	}
	p, err := got[0].Parse()
	if err != nil {
		t.Fatal(err)
	}
	wantID := "<" + mail.MessageID("payment_received:REG00012", from) + ">"
	if p.Header.Get("Message-Id") != wantID {
		t.Errorf("Message-ID %q, want %q", p.Header.Get("Message-Id"), wantID)
	}
	if p.Subject != "Paiement de "+money.Cents(394100).String()+" reçu" || !strings.Contains(p.Subject, "3\u202f941,00 €") {
		t.Errorf("subject %+q", p.Subject)
	}
	for _, want := range []string{"Bonjour Léa Martin,", "votre paiement de 3\u202f941,00 € le 10/10/2025 (carte, règlement REG00012)",
		"Vos droits de scolarité sont entièrement réglés.", "Votre facture n° 9201 est jointe", "Le service des affaires financières"} {
		if !strings.Contains(p.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, p.Text)
		}
	}
	if !strings.Contains(p.HTML, "<strong>3\u202f941,00 €</strong>") {
		t.Errorf("html:\n%s", p.HTML)
	}
	if string(p.Attachments["facture-9201.pdf"]) != string(pdfBytes("9201")) {
		t.Errorf("attachment %q", p.Attachments["facture-9201.pdf"])
	}
	n := w.notice(id)
	if n.Status != "sent" || n.MessageID != wantID || n.Recipient != "lea.martin@etu.example.org" || !strings.Contains(n.LastError, "OK") || n.SentAt == "" {
		t.Fatalf("row %+v", n)
	}
	// Nothing is due any more: a second run sends nothing.
	if _, sum, _ := w.runner(srv, smtp.Config{}).Run(context.Background()); sum.Due != 0 || len(srv.Messages()) != 1 {
		t.Fatalf("second run: %+v, %d messages", sum, len(srv.Messages()))
	}
}

// 451 then 250: the notice waits for its back-off, then arrives once.
func TestTemporaryFailureRetriedOnce(t *testing.T) {
	w := newWorld(t)
	srv := startServer(t, smtptest.Options{DataAnswers: []int{451}})
	id := w.queue("payment_received:REG00012", "22100001", mail.PaymentReceived, receipt)
	r := w.runner(srv, smtp.Config{})
	_, sum, err := r.Run(context.Background())
	if err != nil || sum.Retry != 1 || len(srv.Messages()) != 0 {
		t.Fatalf("first run: %+v %v", sum, err)
	}
	n := w.notice(id)
	if n.Status != "pending" || n.Attempts != 1 || !strings.Contains(n.LastError, "451") || n.NextTryAt != "2025-10-10T07:05:00Z" {
		t.Fatalf("after 451: %+v", n)
	}
	// Before the back-off: nothing due.
	w.now = t0.Add(4 * time.Minute)
	if _, sum, _ := r.Run(context.Background()); sum.Due != 0 {
		t.Fatalf("due before its back-off: %+v", sum)
	}
	w.now = t0.Add(5 * time.Minute)
	if _, sum, err := r.Run(context.Background()); err != nil || sum.Sent != 1 {
		t.Fatalf("second run: %+v %v", sum, err)
	}
	w.now = t0.Add(time.Hour)
	r.Run(context.Background())
	if len(srv.Messages()) != 1 || srv.Tries() != 2 {
		t.Fatalf("server got %d messages in %d tries, want 1 in 2", len(srv.Messages()), srv.Tries())
	}
	if n := w.notice(id); n.Status != "sent" || n.Attempts != 2 {
		t.Fatalf("row %+v", n)
	}
}

// 550 at DATA, or for the address: failed with the server's answer, never
// tried again by itself; mail retry can queue it again.
func TestPermanentFailure(t *testing.T) {
	w := newWorld(t)
	srv := startServer(t, smtptest.Options{DataAnswers: []int{550}, RejectRcpt: []string{"hugo.durand@etu.example.org"}})
	a := w.queue("k:a", "22100001", mail.PaymentReceived, receipt)
	b := w.queue("k:b", "22100002", mail.PaymentReceived, receipt)
	_, sum, err := w.runner(srv, smtp.Config{}).Run(context.Background())
	if err != nil || sum.Failed != 2 {
		t.Fatalf("run: %+v %v", sum, err)
	}
	if n := w.notice(a); n.Status != "failed" || !strings.Contains(n.LastError, "550") {
		t.Fatalf("550 at DATA: %+v", n)
	}
	if n := w.notice(b); n.Status != "failed" || !strings.Contains(n.LastError, "User unknown") {
		t.Fatalf("550 for the address: %+v", n)
	}
	w.now = t0.Add(24 * time.Hour)
	if _, sum, _ := w.runner(srv, smtp.Config{}).Run(context.Background()); sum.Due != 0 {
		t.Fatalf("a failed notice was tried again: %+v", sum)
	}
	if _, err := w.db.RequeueNotice(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	if _, sum, _ := w.runner(srv, smtp.Config{}).Run(context.Background()); sum.Sent != 1 {
		t.Fatalf("after mail retry: %+v", sum)
	}
}

// A server that is down: exit "unavailable", every notice left pending
// as it was.
func TestServerDownLeavesPending(t *testing.T) {
	w := newWorld(t)
	srv := startServer(t, smtptest.Options{})
	host, port := srv.Host, srv.Port
	srv.Close()
	a := w.queue("k:a", "22100001", mail.PaymentReceived, receipt)
	b := w.queue("k:b", "22100002", mail.PlanRejected, mail.Data{Plan: "5x", Order: "CMD00002", Reason: "montant trop faible"})
	_, sum, err := w.runner(nil, smtp.Config{Host: host, Port: port}).Run(context.Background())
	if fault.KindOf(err) != fault.Unavailable || !sum.Unreachable {
		t.Fatalf("run: %+v %v", sum, err)
	}
	for _, id := range []int64{a, b} {
		if n := w.notice(id); n.Status != "pending" || n.Attempts != 0 || n.NextTryAt != "2025-10-10T07:00:00Z" {
			t.Fatalf("notice %d: %+v", id, n)
		}
	}
}

// A student without a usable address: failed at once with that reason,
// without bothering the server.
func TestUnusableAddressFailsAtOnce(t *testing.T) {
	w := newWorld(t)
	srv := startServer(t, smtptest.Options{})
	id := w.queue("k:a", "22100003", mail.PaymentReceived, receipt)
	_, sum, err := w.runner(srv, smtp.Config{}).Run(context.Background())
	if err != nil || sum.Failed != 1 || srv.Tries() != 0 {
		t.Fatalf("run: %+v %v, %d tries", sum, err, srv.Tries())
	}
	if n := w.notice(id); n.Status != "failed" || n.LastError != `no usable e-mail address: "pas-une-adresse" is not an e-mail address` || n.Attempts != 0 {
		t.Fatalf("row %+v", n)
	}
}

// AUTH with the right password sends; a wrong one reaches no server
// session: the notice stays pending. STARTTLS required against a server
// without it is refused the same way.
func TestAuthAndTLSPolicy(t *testing.T) {
	w := newWorld(t)
	srv := startServer(t, smtptest.Options{Username: "inpctl", Password: "s3cret"})
	id := w.queue("k:a", "22100001", mail.PaymentReceived, receipt)
	if _, sum, err := w.runner(srv, smtp.Config{Username: "inpctl", Password: "wrong"}).Run(context.Background()); fault.KindOf(err) != fault.Unavailable || sum.Sent != 0 {
		t.Fatalf("wrong password: %+v %v", sum, err)
	}
	if _, sum, err := w.runner(srv, smtp.Config{TLS: smtp.StartTLS, Username: "inpctl", Password: "s3cret"}).Run(context.Background()); fault.KindOf(err) != fault.Unavailable || sum.Sent != 0 {
		t.Fatalf("starttls required, server without it: %+v %v", sum, err)
	}
	if n := w.notice(id); n.Status != "pending" || n.Attempts != 0 {
		t.Fatalf("row %+v", n)
	}
	if _, sum, err := w.runner(srv, smtp.Config{Username: "inpctl", Password: "s3cret"}).Run(context.Background()); err != nil || sum.Sent != 1 {
		t.Fatalf("right password: %+v %v", sum, err)
	}
}

// The payment link is made once, at the first send, and kept: the retry
// after a 451 carries the same link.
func TestPaymentLinkMadeOnce(t *testing.T) {
	w := newWorld(t)
	srv := startServer(t, smtptest.Options{DataAnswers: []int{451}})
	id := w.queue("plan_approved:1", "22100001", mail.PlanApproved, mail.Data{Plan: "3x", Order: "CMD00001", Total: 60100, DebitDay: 10, NeedsLink: true,
		Instalments: []mail.Instalment{{Seq: 1, Amount: 20033}, {Seq: 2, Amount: 20033}, {Seq: 3, Amount: 20034}}})
	r := w.runner(srv, smtp.Config{})
	links := 0
	r.Hooks.Link = func(context.Context, string) (string, error) {
		links++
		return "https://paiement.example.org/pay?PBX_CMD=C" + string(rune('0'+links)), nil
	}
	r.Run(context.Background())
	w.now = t0.Add(time.Hour)
	r.Run(context.Background())
	if links != 1 {
		t.Fatalf("link made %d times", links)
	}
	p, _ := srv.Messages()[0].Parse()
	if !strings.Contains(p.Text, "https://paiement.example.org/pay?PBX_CMD=C1") || !strings.Contains(p.Text, "échéance n° 3 : 200,34 €, prélevée le 10 du mois") {
		t.Fatalf("text:\n%s", p.Text)
	}
	if n := w.notice(id); n.Link == "" {
		t.Fatal("link not kept")
	}
}

// A kind turned off is skipped, not sent; a dry run writes and sends
// nothing.
func TestSkippedKindAndDryRun(t *testing.T) {
	w := newWorld(t)
	srv := startServer(t, smtptest.Options{})
	a := w.queue("k:a", "22100001", mail.PaymentReceived, receipt)
	b := w.queue("k:b", "22100002", mail.Refund, mail.Data{Amount: 100, Date: "2025-10-10", Method: "carte"})
	r := w.runner(srv, smtp.Config{})
	r.DryRun = true
	items, sum, err := r.Run(context.Background())
	if err != nil || len(items) != 2 || items[0].Outcome != "would send" || srv.Tries() != 0 {
		t.Fatalf("dry run: %+v %+v %v", items, sum, err)
	}
	r.DryRun = false
	r.Enabled = func(k mail.Kind) bool { return k != mail.Refund }
	if _, sum, _ := r.Run(context.Background()); sum.Sent != 1 || sum.Skipped != 1 {
		t.Fatalf("run: %+v", sum)
	}
	if n := w.notice(b); n.Status != "skipped" || !strings.Contains(n.LastError, "mail.notices.refund") {
		t.Fatalf("skipped row %+v", n)
	}
	if n := w.notice(a); n.Status != "sent" {
		t.Fatalf("sent row %+v", n)
	}
}
