package fees

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/inpctl/inpctl/internal/money"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// TestOrderGolden writes the fee breakdown of every (programme, code) pair
// of the example catalogue, one golden file per programme.
func TestOrderGolden(t *testing.T) {
	c := ExampleCatalogue()
	for _, id := range c.ProgrammeIDs() {
		t.Run(id, func(t *testing.T) {
			var b strings.Builder
			p := c.Programmes[id]
			fmt.Fprintf(&b, "%s — %s\nsession %s, year %s, diploma %v, apprenticeship %v\n",
				p.ID, p.Label, p.Session, ExampleYear, p.Diploma, p.Apprenticeship)
			for _, code := range p.Codes {
				lines, tot, err := OrderFor(c, id, ExampleYear, code)
				if err != nil {
					t.Fatal(err)
				}
				fmt.Fprintf(&b, "\ncode %s %s\n", code, c.Codes[code].Label)
				for _, l := range lines {
					fmt.Fprintf(&b, "  %s | qté %d | remise %d %% | TVA %d,%02d %% | PU HT %s | HT %s\n",
						l.Designation, l.Qty, l.DiscountPct, l.VATRate/100, l.VATRate%100, l.UnitHT, l.HT())
				}
				fmt.Fprintf(&b, "  total HT %s | TVA %s | TTC %s | financé TTC %s\n", tot.HT, tot.TVA, tot.TTC, tot.Financed)
			}
			golden(t, filepath.Join("testdata", id+".golden"), b.String())
		})
	}
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (run go test -update and review the diff)\n got:\n%s\nwant:\n%s", path, got, want)
	}
}

func TestOrderFor(t *testing.T) {
	c := ExampleCatalogue()
	tests := []struct {
		programme, code string
		want            Totals
	}{
		{"ING-GC-3A", "01", Totals{HT: 62800, TTC: 62800}},
		{"ING-GC-3A", "02", Totals{}},
		{"ING-GC-3A", "05", Totals{HT: 394100, TTC: 394100}},
		{"MS-EXAMPLE", "42", Totals{HT: 950000, TTC: 950000, Financed: 950000}},
		{"MS-EXAMPLE", "43", Totals{HT: 750000, TTC: 750000}},
	}
	for _, tt := range tests {
		lines, got, err := OrderFor(c, tt.programme, ExampleYear, tt.code)
		if err != nil {
			t.Fatal(err)
		}
		if got != tt.want {
			t.Errorf("%s %s: totals %+v, want %+v", tt.programme, tt.code, got, tt.want)
		}
		if len(lines) != 1 || lines[0] != (Line{Designation: "Droits de scolarité", Qty: 1, UnitHT: tt.want.HT}) {
			t.Errorf("%s %s: lines %+v", tt.programme, tt.code, lines)
		}
	}
	if _, _, err := OrderFor(c, "ING-GC-3A", ExampleYear, "99"); !isType[*ErrUnknownCode](err) {
		t.Errorf("unknown code: %v", err)
	}
	if _, _, err := OrderFor(c, "ING-GC-3A", ExampleYear, "42"); !isType[*ErrCodeNotAllowed](err) {
		t.Errorf("code not allowed: %v", err)
	}
	if _, _, err := OrderFor(c, "ING-GC-3A", "2030-2031", "01"); !isType[*ErrNoTariff](err) {
		t.Errorf("no tariff: %v", err)
	}
}

func TestLineArithmetic(t *testing.T) {
	tests := []struct {
		l       Line
		ht, tva money.Cents
	}{
		{Line{Qty: 1, UnitHT: 62800}, 62800, 0},
		{Line{Qty: 2, UnitHT: 1000, DiscountPct: 10}, 1800, 0},
		{Line{Qty: 1, UnitHT: 999, DiscountPct: 50}, 499, 0}, // 4,995 of discount rounds to 5,00
		{Line{Qty: 1, UnitHT: 1000, VATRate: 2000}, 1000, 200},
		{Line{Qty: 1, UnitHT: 333, VATRate: 550}, 333, 18}, // 18,315 cents
		{Line{Qty: 1, UnitHT: 1000, DiscountPct: 100}, 0, 0},
	}
	for _, tt := range tests {
		if tt.l.HT() != tt.ht || tt.l.TVA() != tt.tva {
			t.Errorf("%+v: HT %d TVA %d, want %d %d", tt.l, tt.l.HT(), tt.l.TVA(), tt.ht, tt.tva)
		}
	}
	got := SumLines([]Line{{Qty: 1, UnitHT: 1000, VATRate: 2000}, {Qty: 3, UnitHT: 500}})
	if got != (Totals{HT: 2500, TVA: 200, TTC: 2700}) {
		t.Errorf("SumLines = %+v", got)
	}
}
