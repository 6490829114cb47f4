package billing

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/invoice"
	"github.com/inpctl/inpctl/internal/money"
	"github.com/inpctl/inpctl/internal/schedule"
	"github.com/inpctl/inpctl/internal/siret"
	"github.com/inpctl/inpctl/internal/store"
)

// InvoiceDocument gathers what the PDF of an invoice shows as of a date:
// the immutable invoice, and the payments received and credit notes issued
// until then, what is still due and the next due dates (which change with
// asOf). A credit note issued later does not change the PDF of an earlier
// date.
func (s *Service) InvoiceDocument(ctx context.Context, number string, asOf clock.Date) (invoice.Document, error) {
	inv, err := s.DB.Invoice(ctx, number)
	if err != nil {
		return invoice.Document{}, err
	}
	pays, err := s.DB.InvoicePayments(ctx, inv.ID, asOf.String())
	if err != nil {
		return invoice.Document{}, err
	}
	credited, err := s.DB.InvoiceCreditedAsOf(ctx, inv.ID, asOf.String())
	if err != nil {
		return invoice.Document{}, err
	}
	r := store.RenderInvoice{Invoice: inv, Payments: pays, CreditedAsOf: credited}
	if p, ok, err := s.DB.PlanOfOrder(ctx, inv.OrderID); err == nil && ok {
		r.HasPlan, r.Instalments = true, p.Instalments
	}
	return s.invoiceDocument(r, asOf), nil
}

// InvoiceDocuments is InvoiceDocument for every invoice of a session (all
// of them when session is ""), in number order, read with a few queries
// (store.EachInvoiceForRender) instead of several per invoice. Each
// document is the one InvoiceDocument gives for the same number.
func (s *Service) InvoiceDocuments(ctx context.Context, session string, asOf clock.Date) ([]invoice.Document, error) {
	out := []invoice.Document{}
	err := s.EachInvoiceDocument(ctx, session, asOf, func(_ int, docs []invoice.Document) error {
		out = append(out, docs...)
		return nil
	})
	return out, err
}

// EachInvoiceDocument is InvoiceDocuments a chunk at a time, read from one
// snapshot while fn runs (store.EachInvoiceForRender); total is how many
// invoices there are in all.
func (s *Service) EachInvoiceDocument(ctx context.Context, session string, asOf clock.Date, fn func(total int, docs []invoice.Document) error) error {
	return s.DB.EachInvoiceForRender(ctx, store.InvoiceFilter{Session: session}, asOf.String(), func(total int, rs []store.RenderInvoice) error {
		docs := make([]invoice.Document, len(rs))
		for i, r := range rs {
			docs[i] = s.invoiceDocument(r, asOf)
		}
		return fn(total, docs)
	})
}

// RenderBatch is the batch of invoice render and of the rehearsal: the
// jobs of RenderJobs written by batch (its workers, GC budget, progress).
// started, when not nil, is called once with the number of documents
// before the first is written. It returns that number.
func (s *Service) RenderBatch(ctx context.Context, dir string, bulk bool, session string, asOf clock.Date,
	more []invoice.Document, batch invoice.Batch, started func(total int)) (int, error) {
	total := 0
	jobs := s.RenderJobs(ctx, dir, bulk, session, asOf, more, func(n int) {
		total = n
		if started != nil {
			started(n)
		}
	})
	return total, batch.Write(ctx, jobs)
}

// RenderJobs yields the jobs of a batch render into dir (invoice render,
// and the rehearsal's): when bulk is set, every invoice of session (all of
// them when session is ""), read a chunk at a time while the first ones
// render (EachInvoiceDocument), then the documents of more, gathered by
// the caller beforehand. total, when not nil, is called once with the
// number of jobs, before the first one is yielded.
func (s *Service) RenderJobs(ctx context.Context, dir string, bulk bool, session string, asOf clock.Date,
	more []invoice.Document, total func(int)) invoice.Jobs {
	job := func(d invoice.Document) invoice.Job {
		return invoice.Job{Path: filepath.Join(dir, d.FileName()), Doc: d}
	}
	return func(yield func(invoice.Job) bool) error {
		counted := false
		count := func(n int) {
			if !counted && total != nil {
				total(n + len(more))
			}
			counted = true
		}
		if bulk {
			err := s.EachInvoiceDocument(ctx, session, asOf, func(n int, docs []invoice.Document) error {
				count(n)
				for _, d := range docs {
					if !yield(job(d)) {
						return errStopped
					}
				}
				return nil
			})
			if errors.Is(err, errStopped) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("read the invoices to render: %w", err)
			}
		}
		count(0) // no invoice selected
		for _, d := range more {
			if !yield(job(d)) {
				break
			}
		}
		return nil
	}
}

// errStopped ends a read whose consumer stopped taking rows.
var errStopped = errors.New("stopped")

// invoiceDocument builds the document of an invoice from what was read.
func (s *Service) invoiceDocument(r store.RenderInvoice, asOf clock.Date) invoice.Document {
	inv := r.Invoice
	d := s.baseDocument(inv)
	d.Kind, d.AsOf = invoice.Invoice, asOf
	var paid money.Cents
	for _, p := range r.Payments {
		date, _ := clock.ParseDate(p.Date)
		d.Payments = append(d.Payments, invoice.Payment{Date: date, Method: methodLabel(p.Method), Ref: p.Ref, Amount: p.Amount})
		paid += p.Amount
	}
	d.Credited = r.CreditedAsOf
	d.StillDue = max(inv.TTC-r.CreditedAsOf-paid, 0)
	for _, in := range r.Instalments {
		due, _ := clock.ParseDate(in.Due)
		if in.Status != string(schedule.InstalmentPaid) && in.Status != string(schedule.InstalmentCancelled) && !due.IsZero() && due.After(asOf) {
			d.NextDues = append(d.NextDues, invoice.Due{Date: due, Amount: in.Amount})
		}
	}
	return d
}

// documentIssuer is the issuer a document prints: the one it stored at
// issue. Documents issued before migration 0007 stored none; they print the
// config's, as they always did.
func (s *Service) documentIssuer(is store.DocIssuer) invoice.Party {
	if is.Name == "" {
		return invoice.Party{Name: s.Issuer.Name, Address: s.Issuer.Address, SIRET: s.Issuer.SIRET}
	}
	return invoice.Party{Name: is.Name, Address: splitLines(is.Address), SIRET: is.SIRET}
}

// splitLines splits a stored multi-line field; "" gives no line.
func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// CreditNoteDocument gathers the PDF of a credit note.
func (s *Service) CreditNoteDocument(ctx context.Context, number string) (invoice.Document, error) {
	cn, err := s.DB.CreditNoteByNumber(ctx, number)
	if err != nil {
		return invoice.Document{}, err
	}
	inv, err := s.DB.Invoice(ctx, cn.InvoiceNumber)
	if err != nil {
		return invoice.Document{}, err
	}
	d := s.baseDocument(inv)
	d.Issuer = s.documentIssuer(cn.Issuer)
	// The due date and business mentions are the invoice's: a credit note
	// asks for no payment.
	d.DueDate, d.Mentions = clock.Date{}, nil
	// Nor its libellé: "Paiement en ligne" or "Règlement par chèque" says
	// how the invoice was paid, which an exemption's or a correction's
	// credit note is not about; its Motif says what it is.
	d.Libelle = ""
	date, _ := clock.ParseDate(cn.Date)
	issued, _ := time.Parse(time.RFC3339, cn.IssuedAt)
	d.Kind, d.Number, d.Date, d.IssuedAt, d.RefInvoice, d.Reason = invoice.CreditNote, cn.Number, date, issued, inv.Number, cn.Reason
	d.Lines = []invoice.Line{{Designation: "Avoir sur la facture n° " + inv.Number, Inscrits: 1, Qty: 1, AmountHT: cn.Amount}}
	d.HT, d.TVA, d.TTC, d.AsOf = cn.Amount, 0, cn.Amount, date
	return d, nil
}

func (s *Service) baseDocument(inv store.Invoice) invoice.Document {
	date, _ := clock.ParseDate(inv.Date)
	issued, _ := time.Parse(time.RFC3339, inv.IssuedAt)
	due, _ := clock.ParseDate(inv.DueDate)
	d := invoice.Document{
		Number: inv.Number, Date: date, Libelle: inv.Libelle, Session: inv.Session, IssuedAt: issued,
		Issuer: s.documentIssuer(inv.Issuer),
		Client: invoice.Party{Name: inv.ClientName, Address: splitLines(inv.ClientAddress), SIRET: siret.Format(inv.ClientSIRET)},
		HT:     inv.HT, TVA: inv.TVA, TTC: inv.TTC, VATMention: inv.VATMention,
		Student: inv.StudentName, ClientPO: inv.ClientRef, DueDate: due, Mentions: splitLines(inv.Mentions),
	}
	for _, l := range inv.Lines {
		d.Lines = append(d.Lines, invoice.Line{Designation: l.Designation, Inscrits: 1, Qty: l.Qty, DiscountPct: l.DiscountPct * 100, VATPct: l.VATRate, AmountHT: l.HT()})
	}
	return d
}

func methodLabel(m string) string {
	switch m {
	case "card":
		return "Carte bancaire"
	case "cheque":
		return "Chèque"
	case "transfer":
		return "Virement"
	case "cash":
		return "Espèces"
	}
	return m
}

// CreditNoteDocuments gathers the PDF of every credit note, in number
// order (invoice render --all).
func (s *Service) CreditNoteDocuments(ctx context.Context) ([]invoice.Document, error) {
	cns, err := s.DB.ListCreditNotes(ctx, "")
	if err != nil {
		return nil, err
	}
	out := make([]invoice.Document, 0, len(cns))
	for _, cn := range cns {
		d, err := s.CreditNoteDocument(ctx, cn.Number)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}
