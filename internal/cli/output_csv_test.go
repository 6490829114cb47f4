package cli

import (
	"bytes"
	"strings"
	"testing"

	"github.com/inpctl/inpctl/internal/config"
	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/money"
	"github.com/spf13/cobra"
)

// TestEveryCommandWritesCSVOrRefusesIt (issue 20): with -o csv, a command
// either is one that writes CSV (csvCommands) or is refused with exit 2
// before it runs; csvCommands names only commands that exist.
func TestEveryCommandWritesCSVOrRefusesIt(t *testing.T) {
	env := &Env{IO: &IOStreams{In: strings.NewReader(""), Out: &bytes.Buffer{}, Err: &bytes.Buffer{}}, Getenv: func(string) string { return "" }}
	seen := map[string]bool{}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		path := c.CommandPath()
		seen[path] = true
		if c.Runnable() && c.HasParent() && c.Name() != "help" && !strings.HasPrefix(path, "inpctl completion") {
			err := checkCSVFlags(c, globalFlags{output: "csv"})
			if csvCommands[path] && err != nil {
				t.Errorf("%s writes CSV but is refused: %v", path, err)
			}
			if !csvCommands[path] && (err == nil || !fault.Is(err, fault.Usage)) {
				t.Errorf("%s has no CSV but -o csv is not refused with exit 2: %v", path, err)
			}
			if err := checkCSVFlags(c, globalFlags{output: "table"}); err != nil {
				t.Errorf("%s -o table: %v", path, err)
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(newRootCmd(env))
	for path := range csvCommands {
		if !seen[path] {
			t.Errorf("csvCommands names %q, which is no command", path)
		}
	}
	if err := checkCSVFlags(newRootCmd(env), globalFlags{output: "table", csvDialect: "excel"}); !fault.Is(err, fault.Usage) {
		t.Errorf("--csv-dialect excel: %v, want a usage error", err)
	}
}

// TestCSVDialects: the cells of each dialect (issue 20).
func TestCSVDialects(t *testing.T) {
	write := func(dialect string) string {
		var b bytes.Buffer
		cw := newCSVWriter(&b, dialect)
		cw.Head("N° étudiant", "Code", "Date", "Nom", "currency", "Montant", "Échéance", "Référence")
		cw.Row(CSVText("01234567"), CSVText("01"), CSVText("2025-07-01"), CSVText("Zoé; \"la\"\r\nseconde"), CSVText(money.Currency),
			CSVAmount(-394150), CSVText("1/5"), CSVText("=HYPERLINK(\"x\")"))
		cw.Row(CSVText("22104567"), CSVText("05"), CSVText("24/06/2024"), CSVText("-x"), CSVText(money.Currency),
			CSVAmount(62800), CSVNumber("3"), CSVText("@SUM(A1)"))
		if err := cw.Flush(); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	rfc := "N° étudiant,Code,Date,Nom,currency,Montant,Échéance,Référence\n" +
		"01234567,01,2025-07-01,\"Zoé; \"\"la\"\"\nseconde\",EUR,-3941.50,1/5,\"'=HYPERLINK(\"\"x\"\")\"\n" +
		"22104567,05,24/06/2024,'-x,EUR,628.00,3,'@SUM(A1)\n"
	if got := write(config.CSVRFC4180); got != rfc {
		t.Errorf("rfc4180:\n%q\nwant\n%q", got, rfc)
	}
	fr := "\uFEFFN° étudiant;Code;Date;Nom;Devise;Montant;Échéance;Référence\r\n" +
		"\"=\"\"01234567\"\"\";\"=\"\"01\"\"\";01/07/2025;\"Zoé; \"\"la\"\"\r\nseconde\";EUR;-3941,50;\"=\"\"1/5\"\"\";\"'=HYPERLINK(\"\"x\"\")\"\r\n" +
		"\"=\"\"22104567\"\"\";\"=\"\"05\"\"\";24/06/2024;'-x;EUR;628,00;3;'@SUM(A1)\r\n"
	if got := write(config.CSVExcelFR); got != fr {
		t.Errorf("excel-fr:\n%q\nwant\n%q", got, fr)
	}
	var esc bytes.Buffer
	cw := newCSVWriter(&esc, config.CSVExcelFR)
	cw.Row(CSVText("Exemple\x1b[2J\x07\x00\u009b31m"))
	if cw.Flush(); strings.ContainsAny(esc.String(), "\x1b\x07\x00\u009b") || !strings.Contains(esc.String(), "Exemple[2J31m") {
		t.Errorf("control characters are not taken out of cells: %q", esc.String())
	}
	var empty bytes.Buffer
	if err := newCSVWriter(&empty, config.CSVExcelFR).Flush(); err != nil || empty.String() != "\uFEFF" {
		t.Errorf("an empty excel-fr file is its BOM: %q, %v", empty.String(), err)
	}
}
