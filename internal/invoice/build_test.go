package invoice

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/inpctl/inpctl/internal/clock"
)

var update = flag.Bool("update", false, "rewrite golden files")

// golden compares m, as indented JSON, with testdata/name.golden.
func golden(t *testing.T, name string, m Model) {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("%s differs from the model (go test -update rewrites it)\n--- got:\n%s", path, buf.Bytes())
	}
}

func TestBuildGolden(t *testing.T) {
	for name, d := range map[string]Document{
		"invoice-paid":   paidInvoice(),
		"invoice-plan":   planInvoice(),
		"invoice-unpaid": unpaidInvoice(),
		"invoice-credit": creditedInvoice(),
		"credit-note":    creditNote(),
	} {
		t.Run(name, func(t *testing.T) { golden(t, name, Build(d)) })
	}
}

func TestBuildStatementGolden(t *testing.T) {
	golden(t, "statement-seed", BuildStatement(seedStatement()))
	golden(t, "statement-long", BuildStatement(longStatement()))
}

// TestBuildInvoicePart: the payments block is the only part that depends
// on AsOf; the invoice part is the same at any date.
func TestBuildInvoicePart(t *testing.T) {
	a, b := paidInvoice(), paidInvoice()
	b.AsOf = b.AsOf.AddDays(30)
	ma, mb := Build(a), Build(b)
	n := len(ma.Blocks) - 3 // heading, payments table, totals
	if !reflect.DeepEqual(ma.Blocks[:n], mb.Blocks[:n]) {
		t.Error("the invoice part changed with AsOf")
	}
	if reflect.DeepEqual(ma.Blocks[n], mb.Blocks[n]) {
		t.Error("the payments heading did not change with AsOf")
	}
	noAsOf := paidInvoice()
	noAsOf.AsOf = clock.Date{}
	if got := len(Build(noAsOf).Blocks); got != n {
		t.Errorf("without AsOf: %d blocks, want %d (no payments block)", got, n)
	}
}

// TestBuildPure: Build and BuildStatement leave their input alone.
func TestBuildPure(t *testing.T) {
	d, want := planInvoice(), planInvoice()
	Build(d)
	if !reflect.DeepEqual(d, want) {
		t.Error("Build changed its Document")
	}
	s, wantS := longStatement(), longStatement()
	BuildStatement(s)
	if !reflect.DeepEqual(s, wantS) {
		t.Error("BuildStatement changed its Statement")
	}
}

func TestFitRows(t *testing.T) {
	secs := []Section{{Rows: make([][]string, 3)}, {Rows: make([][]string, 50)}, {}}
	if got := fitRows(secs, 10000); !reflect.DeepEqual(got, []int{3, 50, 0}) {
		t.Errorf("roomy budget: %v, want all rows", got)
	}
	got := fitRows(secs, 400)
	if got[0] != 3 || got[1] >= 50 || got[1] < 10 || got[2] != 0 {
		t.Errorf("tight budget: %v, want the long section cut, the short one whole", got)
	}
	if got := fitRows(secs, 0); got[0] != 0 || got[1] != 0 {
		t.Errorf("no budget: %v, want nothing shown", got)
	}
}

func TestAlignOf(t *testing.T) {
	s := Section{
		Head:  []string{"Date", "N°", "TTC", "Blocage", "Impayé"},
		Rows:  [][]string{{"24/06/2025", "9196", "3\u202f770,00", "", "-"}},
		Total: []string{"", "", "3\u202f770,00 €", "", "0,00"},
	}
	if got := alignOf(s); got != "lrrrr" {
		t.Errorf("alignOf = %q, want lrrrr", got)
	}
}
