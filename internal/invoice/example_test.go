package invoice

import (
	"os"
	"strings"
	"testing"
)

// TestExamplePNG writes the example invoice behind docs/invoice-example.png
// when INVOICE_EXAMPLE_PDF names the output file (and the statement when
// INVOICE_EXAMPLE_STATEMENT_PDF does). Convert it with
//
//	pdftoppm -png -r 80 -singlefile example.pdf docs/invoice-example
func TestExamplePNG(t *testing.T) {
	out := os.Getenv("INVOICE_EXAMPLE_PDF")
	stmt := os.Getenv("INVOICE_EXAMPLE_STATEMENT_PDF")
	if out == "" && stmt == "" {
		t.Skip("set INVOICE_EXAMPLE_PDF=path to write the example invoice")
	}
	if out != "" {
		doc := paidInvoice()
		if strings.Contains(out, "plan") {
			doc = planInvoice()
		}
		if strings.Contains(out, "avoir") {
			doc = creditNote()
		}
		if err := WriteFile(out, Build(doc)); err != nil {
			t.Fatal(err)
		}
	}
	if stmt != "" {
		s := seedStatement()
		if strings.Contains(stmt, "long") {
			s = longStatement()
		}
		if err := WriteFile(stmt, BuildStatement(s)); err != nil {
			t.Fatal(err)
		}
	}
}
