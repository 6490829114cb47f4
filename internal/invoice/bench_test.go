package invoice

import (
	"context"
	"errors"
	"io"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/signintech/gopdf"
)

// BenchmarkRender is Build plus Render of a typical invoice (one line, one
// payment), fonts parsed once.
func BenchmarkRender(b *testing.B) {
	d := paidInvoice()
	if _, err := loadFonts(); err != nil {
		b.Fatal(err)
	}
	defer BatchGC()()
	b.ReportAllocs()
	for b.Loop() {
		if err := Render(io.Discard, Build(d)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRawGopdf draws the same page with bare gopdf calls at fixed
// positions (no model, no measuring, no wrapping), reusing the parsed
// fonts: the floor BenchmarkRender is compared with.
func BenchmarkRawGopdf(b *testing.B) {
	fc, err := loadFonts()
	if err != nil {
		b.Fatal(err)
	}
	defer BatchGC()() // as invoice render runs
	b.ReportAllocs()
	for b.Loop() {
		if err := rawInvoice(io.Discard, fc); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRawGopdf2 is BenchmarkRawGopdf on 2 goroutines at once in one
// process (the fonts parsed once, shared by both): what 2 cores of gopdf
// give, the raw limit `make bench` compares `invoice render --all` with.
// ns/op is wall time per PDF of the pair; PDF/s is its inverse.
func BenchmarkRawGopdf2(b *testing.B) {
	fc, err := loadFonts()
	if err != nil {
		b.Fatal(err)
	}
	defer BatchGC()() // as invoice render runs
	b.ReportAllocs()
	b.ResetTimer()
	var left atomic.Int64
	left.Store(int64(b.N))
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for g := range errs {
		wg.Go(func() {
			for left.Add(-1) >= 0 && errs[g] == nil {
				errs[g] = rawInvoice(io.Discard, fc)
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	if err := errors.Join(errs...); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "PDF/s")
}

// BenchmarkRenderAll writes b.N invoices through RenderAll with 2 workers
// (this machine's cores) into a temporary directory: ns/op is the wall
// time per file of a batch, fsync included.
func BenchmarkRenderAll(b *testing.B) {
	js := jobs(b.TempDir(), b.N)
	b.ResetTimer()
	if err := RenderAll(context.Background(), js, 2, nil); err != nil {
		b.Fatal(err)
	}
}

func rawInvoice(w io.Writer, fc *gopdf.FontContainer) error {
	pdf := &gopdf.GoPdf{}
	pdf.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4, Unit: gopdf.UnitPT})
	pdf.SetInfo(gopdf.PdfInfo{Title: "Facture n° 9201", Creator: "inpctl"})
	for _, f := range []string{fontRegular, fontBold} {
		if err := pdf.AddTTFFontFromFontContainer(f, fc); err != nil {
			return err
		}
	}
	pdf.AddPage()
	at := func(font string, size, x, y, wd float64, s string, align int) {
		_ = pdf.SetFont(font, "", size)
		pdf.SetXY(x, y)
		_ = pdf.CellWithOption(&gopdf.Rect{W: wd, H: 12}, s, gopdf.CellOption{Align: align | gopdf.Top})
	}
	L, R := gopdf.Left, gopdf.Right
	at(fontBold, 12, 45, 40, 260, "Clermont Auvergne INP", L)
	for i, s := range []string{"Campus des Cézeaux", "2 avenue Blaise Pascal", "63178 Aubière Cedex", "SIRET : 130 026 065 00017"} {
		at(fontRegular, 9, 45, 56+float64(i)*12.5, 260, s, L)
	}
	for i, s := range []string{"Camille Exemple", "12 rue des Gras", "63000 Clermont-Ferrand"} {
		at(fontRegular, 9, 320, 118+float64(i)*12.5, 230, s, L)
	}
	at(fontBold, 16, 45, 190, 505, "Facture n° 9201", L)
	for i, s := range []string{"Date : 24/06/2025", "Libellé : Paiement en ligne",
		"Nom de la session : " + session, "Client : Camille Exemple"} {
		at(fontRegular, 9, 45, 212+float64(i)*12.5, 505, s, L)
	}
	pdf.SetFillColor(228, 235, 243)
	pdf.RectFromUpperLeftWithStyle(45, 275, 505, 15, "F")
	x := 45.0
	for i, h := range []string{"Désignation", "Inscrits", "Qté", "Remise (%)", "TVA (%)", "Montant HT"} {
		wd := []float64{202, 50, 35, 61, 61, 96}[i]
		at(fontBold, 8.5, x+4, 277, wd-8, h, R)
		at(fontRegular, 8.5, x+4, 292, wd-8, []string{"Droits de scolarité*", "1", "1", "", "0", "628,00 €"}[i], R)
		x += wd
	}
	pdf.SetLineWidth(0.4)
	pdf.Line(45, 305, 550, 305)
	for i, s := range [][2]string{{"Total HT :", "628,00 €"}, {"Total TVA :", "0,00 €"}, {"Total TTC :", "628,00 €"}} {
		font := fontRegular
		if i == 2 {
			font = fontBold // Total TTC, as Build makes it
		}
		at(font, 9, 324, 315+float64(i)*14, 110, s[0], L)
		at(font, 9, 435, 315+float64(i)*14, 111, s[1], R)
	}
	at(fontRegular, 7.5, 45, 365, 505, DefaultVATMention, L)
	at(fontBold, 10.5, 45, 385, 505, "Règlements reçus au 24/06/2025", L)
	pdf.RectFromUpperLeftWithStyle(45, 402, 505, 15, "F")
	for i, s := range []string{"Date", "Mode", "Référence", "Montant"} {
		at(fontBold, 8.5, 49+float64(i)*126, 404, 118, s, L)
		at(fontRegular, 8.5, 49+float64(i)*126, 419, 118, []string{"24/06/2025", "Carte bancaire", "PBX 600012345", "628,00 €"}[i], L)
	}
	at(fontRegular, 9, 324, 440, 110, "Total réglé :", L)
	at(fontRegular, 9, 435, 440, 111, "628,00 €", R)
	at(fontBold, 9, 324, 454, 110, "Reste dû :", L)
	at(fontBold, 9, 435, 454, 111, "0,00 €", R)
	at(fontRegular, 7, 45, 809, 505, "Clermont Auvergne INP · SIRET : 130 026 065 00017 · Facture n° 9201", gopdf.Center)
	_, err := pdf.WriteTo(w)
	return err
}
