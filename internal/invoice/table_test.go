package invoice

import (
	"strings"
	"testing"

	"github.com/signintech/gopdf"
)

// A long Blocage text in the statement's Commandes table wraps in its own
// column: the date, the number and the amounts keep their width (they
// overlapped when every column was shrunk alike: the date over the number,
// "€" alone on a line; issue 21).
func TestColumnsWrapOnlyTheLongText(t *testing.T) {
	fc, err := loadFonts()
	if err != nil {
		t.Fatal(err)
	}
	pdf := &gopdf.GoPdf{}
	pdf.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4, Unit: gopdf.UnitPT})
	for _, f := range []string{fontRegular, fontBold} {
		if err := pdf.AddTTFFontFromFontContainer(f, fc); err != nil {
			t.Fatal(err)
		}
	}
	r := &renderer{pdf: pdf}
	long := "refus définitif de la carte le 10/10/2025 : 00141 (carte perdue), " + strings.Repeat("commande bloquée jusqu'à une nouvelle carte ", 3)
	tb := &Table{
		Head:  []string{"Date", "N°", "Code", "Blocage", "HT", "TTC", "Financé TTC", "Facturé TTC"},
		Align: "llllrrrr",
		Rows:  [][]string{{"01/09/2025", "CMD000001", "05", long, "3 941,00 €", "3 941,00 €", "", "3 941,00 €"}},
	}
	ws := r.columns(tb)
	sum := 0.0
	for i, w := range ws {
		sum += w
		r.font(false, sizeTable, black)
		for _, c := range []string{tb.Head[i], tb.Rows[0][i]} {
			if i == 3 {
				continue
			}
			if lines := r.wrap(c, w-2*padCell); len(lines) > 1 && (tb.Align[i] == 'r' || !strings.Contains(c, " ")) {
				t.Errorf("column %q: %q wraps to %q", tb.Head[i], c, lines)
			}
		}
	}
	if sum > textW+0.01 {
		t.Errorf("columns %.1f wide, the text width is %.1f", sum, textW)
	}
	if n := len(r.wrap(long, ws[3]-2*padCell)); n < 2 {
		t.Errorf("the Blocage text fits on %d line: the test does not exercise the squeeze", n)
	}
}
