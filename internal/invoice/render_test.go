package invoice

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/ledongthuc/pdf"
	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"

	"github.com/inpctl/inpctl/internal/fault"
)

func init() {
	model.ConfigPath = "disable" // pdfcpu must not write a config dir in $HOME
}

func render(t testing.TB, m Model) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Render(&buf, m); err != nil {
		t.Fatalf("Render: %v", err)
	}
	return buf.Bytes()
}

// validate checks b with pdfcpu and returns its page count. Strict mode
// wants /FontFamily in font descriptors, which PDF 32000-1 §9.8.1 makes
// optional and gopdf does not write; that one complaint is let through and
// the file is then checked in relaxed mode (pdfcpu's default).
func validate(t *testing.T, b []byte) int {
	t.Helper()
	conf := model.NewDefaultConfiguration()
	conf.ValidationMode = model.ValidationStrict
	if err := api.Validate(bytes.NewReader(b), conf); err != nil {
		if !strings.Contains(err.Error(), "required entry=FontFamily missing") {
			t.Fatalf("pdfcpu strict: %v", err)
		}
		if err := api.Validate(bytes.NewReader(b), model.NewDefaultConfiguration()); err != nil {
			t.Fatalf("pdfcpu relaxed: %v", err)
		}
	}
	n, err := api.PageCount(bytes.NewReader(b), model.NewDefaultConfiguration())
	if err != nil {
		t.Fatalf("pdfcpu page count: %v", err)
	}
	return n
}

// extract reads the text back with an independent reader, with every kind
// of space (the PDF has no-break spaces) turned into a plain one.
func extract(t *testing.T, b []byte) string {
	t.Helper()
	r, err := pdf.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("ledongthuc/pdf: %v", err)
	}
	tr, err := r.GetPlainText()
	if err != nil {
		t.Fatalf("GetPlainText: %v", err)
	}
	raw, err := io.ReadAll(tr)
	if err != nil {
		t.Fatal(err)
	}
	return spaces(string(raw))
}

func spaces(s string) string {
	return strings.NewReplacer("\u00a0", " ", "\u202f", " ").Replace(s)
}

func TestRenderDeterministic(t *testing.T) {
	for name, m := range map[string]Model{
		"invoice": Build(planInvoice()), "statement": BuildStatement(longStatement()),
	} {
		t.Run(name, func(t *testing.T) {
			a, b := render(t, m), render(t, m)
			if !bytes.Equal(a, b) {
				t.Fatal("two renders of the same model differ")
			}
			if !bytes.HasPrefix(a, []byte("%PDF-")) {
				t.Fatalf("not a PDF: %q", a[:8])
			}
		})
	}
	// The creation date is the model's, not the clock's.
	b := render(t, Build(paidInvoice()))
	if !bytes.Contains(b, []byte("/CreationDate(D:20250624101500+02'00')")) {
		t.Error("CreationDate is not IssuedAt")
	}
}

// TestRenderConcurrent renders the same model from several goroutines
// (run with -race): the shared parsed fonts must not leak state between
// documents.
func TestRenderConcurrent(t *testing.T) {
	m := Build(paidInvoice())
	want := render(t, m)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			var buf bytes.Buffer
			if err := Render(&buf, m); err != nil {
				errs <- err
			} else if !bytes.Equal(buf.Bytes(), want) {
				errs <- errors.New("concurrent render differs")
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestRenderText(t *testing.T) {
	cases := []struct {
		name string
		m    Model
		want []string
	}{
		{"invoice", Build(planInvoice()), []string{
			"Facture n° 9202", "24/06/2025", "Paiement en ligne", session, "Camille Exemple",
			"Clermont Auvergne INP", "Campus des Cézeaux", "SIRET : 130 026 065 00017",
			"Droits de scolarité*", "3 770,00 €", "3 812,00 €", "12,5",
			"* Non soumis à la TVA selon l'art. 261-4-4 du C.G.I.",
			"Règlements reçus au 10/09/2025", "1 270,66 €", "Reste dû", "2 541,34 €",
			"Prochaines échéances", "10/11/2025",
		}},
		{"credited invoice", Build(creditedInvoice()), []string{
			"Facture n° 9204", "Total réglé", "1 270,66 €", "Avoirs", "100,00 €", "Reste dû", "2 441,34 €",
		}},
		{"credit note", Build(creditNote()), []string{
			"Avoir n° A-0001", "Avoir sur la facture n° 9201", "Changement de code tarifaire",
			"628,00 €", "261-4-4° du CGI",
		}},
		{"statement", BuildStatement(seedStatement()), []string{
			"Position de compte au 24/06/2025", "22104567", "Règlements (1)", "Remboursé TTC",
			"Débit", "Position", "618,00 €", "Avoirs (0)",
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := render(t, c.m)
			if n := validate(t, b); n != 1 {
				t.Errorf("%d pages, want 1", n)
			}
			got := extract(t, b)
			for _, w := range c.want {
				if !strings.Contains(got, spaces(w)) {
					t.Errorf("extracted text lacks %q\n--- text:\n%s", w, got)
				}
			}
		})
	}
}

// TestStatementOnePage: however many rows, a statement stays on one page
// and says what it left out.
func TestStatementOnePage(t *testing.T) {
	b := render(t, BuildStatement(longStatement()))
	if n := validate(t, b); n != 1 {
		t.Fatalf("%d pages, want 1", n)
	}
	if got := extract(t, b); !strings.Contains(got, "autres lignes non affichées") {
		t.Error("no note about the rows left out")
	}
}

// TestRenderPaginates: an invoice with many lines flows onto more pages,
// repeating the table head and numbering the pages.
func TestRenderPaginates(t *testing.T) {
	d := paidInvoice()
	for range 80 {
		d.Lines = append(d.Lines, Line{Designation: "Module complémentaire", Qty: 1, AmountHT: 1000})
	}
	b := render(t, Build(d))
	n := validate(t, b)
	if n < 2 {
		t.Fatalf("%d pages, want at least 2", n)
	}
	got := extract(t, b)
	if c := strings.Count(got, "Désignation"); c < 2 {
		t.Errorf("table head printed %d times on %d pages, want it repeated", c, n)
	}
	if !strings.Contains(got, "page 2/") {
		t.Error("no page numbers")
	}
}

func TestRenderErrors(t *testing.T) {
	bad := Build(paidInvoice())
	bad.Blocks[2].Table.Rows[0] = bad.Blocks[2].Table.Rows[0][:3]
	err := Render(io.Discard, bad)
	if err == nil || !strings.Contains(err.Error(), "row 1 has 3 cells for 6 columns") {
		t.Errorf("ragged table: err = %v", err)
	}
	err = Render(io.Discard, Model{Blocks: []Block{{Style: "poster"}}})
	if err == nil || fault.KindOf(err) != fault.Failure {
		t.Errorf("unknown style: err = %v", err)
	}
	boom := errors.New("disk full")
	err = Render(failWriter{boom}, Build(paidInvoice()))
	if !errors.Is(err, boom) {
		t.Errorf("failing writer: err = %v, want %v", err, boom)
	}
}

type failWriter struct{ err error }

func (f failWriter) Write([]byte) (int, error) { return 0, f.err }

func TestPercent(t *testing.T) {
	for bp, want := range map[int]string{
		0: "0", 2000: "20", 550: "5,5", 1: "0,01", 1250: "12,5", 10000: "100", -550: "-5,5", 1005: "10,05",
	} {
		if got := percent(bp); got != want {
			t.Errorf("percent(%d) = %q, want %q", bp, got, want)
		}
	}
}
