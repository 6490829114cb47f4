package cli

import (
	"encoding/csv"
	"io"
	"regexp"
	"strings"
	"sync"

	"github.com/inpctl/inpctl/internal/config"
	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/money"
	"github.com/spf13/cobra"
)

// The CSV of -o csv comes in two dialects (issue 20), chosen with
// --csv-dialect or the config's output.csv:
//
//   - rfc4180 (the default, for scripts): comma-separated UTF-8 without
//     BOM, LF, amounts with a decimal point (628.00), the table's headers.
//   - excel-fr (for the offices' spreadsheets): what a French Excel or
//     LibreOffice opens right with a double click. ";" separated (the list
//     separator of a French Windows), UTF-8 with a BOM (without it Excel
//     reads the file as Windows-1252: "Zoé" becomes "ZoÃ©"), CRLF, amounts
//     with a comma decimal and no thousands separator (628,00 is a number in
//     a French locale, 628.00 is text), dates DD/MM/YYYY (ISO dates
//     converted), French headers.
//
// A text cell that a spreadsheet would read as a number or a date — a fee
// code "01", a student number, a NUMTRANS "0000000001", a SIRET, an
// instalment "1/5" — is written as the formula ="01". Both Excel and
// LibreOffice evaluate it on opening (LibreOffice's import evaluates
// formulas by default) to the text 01, its zeros kept; the other ways were
// each wrong in one of the two: a quoted "01" is a number to both (quotes
// only delimit), a leading apostrophe shows in the cell, a leading tab or
// an invisible character stays in the value and breaks lookups, and a
// "sep=;" first line makes Excel ignore the BOM. The formula holds only
// digits and / . , : - (nothing else is given that form), so it cannot run
// anything. Every other text cell keeps the formula guard of both dialects
// (CSVSafe): one starting with = + - @, a tab or a CR is prefixed with '.

// CSVCell is one cell of a CSV row and how the dialect writes it.
type CSVCell struct {
	s    string
	kind byte // 't' text, 'n' number, 'a' amount
	c    money.Cents
}

// CSVText is a text cell (names, codes, numbers of documents, dates).
func CSVText(s string) CSVCell { return CSVCell{s: s, kind: 't'} }

// CSVNumber is a number given as text (a count, a plain decimal).
func CSVNumber(s string) CSVCell { return CSVCell{s: s, kind: 'n'} }

// CSVAmount is an amount.
func CSVAmount(c money.Cents) CSVCell { return CSVCell{c: c, kind: 'a'} }

// csvWriter writes rows in a dialect. The first write of excel-fr is the BOM.
type csvWriter struct {
	w       io.Writer
	cw      *csv.Writer
	excel   bool
	started bool
	rec     []string
}

// CSV returns a writer of CSV rows on stdout in the printer's dialect.
func (p *Printer) CSV() *csvWriter { return newCSVWriter(p.csvOut(), p.Dialect) }

func (p *Printer) csvOut() io.Writer {
	if p.Dialect == config.CSVExcelFR && p.Raw != nil {
		return p.Raw
	}
	return p.Out
}

func newCSVWriter(w io.Writer, dialect string) *csvWriter {
	c := &csvWriter{w: w, cw: csv.NewWriter(w), excel: dialect == config.CSVExcelFR}
	if c.excel {
		c.cw.Comma, c.cw.UseCRLF = ';', true
	}
	return c
}

func (c *csvWriter) start() error {
	if c.started {
		return nil
	}
	c.started = true
	if c.excel {
		_, err := io.WriteString(c.w, "\uFEFF")
		return err
	}
	return nil
}

// Head writes the header row (French headers in excel-fr).
func (c *csvWriter) Head(heads ...string) error {
	if err := c.start(); err != nil {
		return err
	}
	c.rec = c.rec[:0]
	for _, h := range heads {
		if c.excel {
			if fr, ok := frHeads[h]; ok {
				h = fr
			}
		}
		c.rec = append(c.rec, CSVSafe(cleanText(h)))
	}
	return c.cw.Write(c.rec)
}

// Row writes one row.
func (c *csvWriter) Row(cells ...CSVCell) error {
	if err := c.start(); err != nil {
		return err
	}
	c.rec = c.rec[:0]
	for _, cell := range cells {
		c.rec = append(c.rec, c.cell(cell))
	}
	return c.cw.Write(c.rec)
}

// Flush writes what is buffered (the BOM of an empty excel-fr file too).
func (c *csvWriter) Flush() error {
	if err := c.start(); err != nil {
		return err
	}
	c.cw.Flush()
	return c.cw.Error()
}

// Compiled at first use, not at package init: most commands never use them.
var (
	isoDateRe     = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`) })
	frDateRe      = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\d{2}/\d{2}/\d{4}$`) })
	plainDecRe    = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^-?\d+\.\d+$`) })
	looksNumberRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9][0-9/.,:-]*$`) })
)

func (c *csvWriter) cell(cell CSVCell) string {
	switch cell.kind {
	case 'a':
		if c.excel {
			return strings.Replace(cell.c.Plain(), ".", ",", 1)
		}
		return cell.c.Plain()
	case 'n':
		s := cleanText(cell.s)
		if c.excel && plainDecRe().MatchString(s) {
			s = strings.Replace(s, ".", ",", 1)
		}
		return CSVSafe(s)
	}
	s := cleanText(cell.s)
	if c.excel {
		switch {
		case isoDateRe().MatchString(s):
			return frDate(s)
		case frDateRe().MatchString(s):
			return s
		case looksNumberRe().MatchString(s):
			return `="` + s + `"`
		}
	}
	return CSVSafe(s)
}

// frHeads are the French headers of excel-fr for the headers that are not
// French already.
var frHeads = map[string]string{
	"currency": "Devise", "date": "Date", "type": "Type", "side": "Sens", "number": "Numéro",
	"student_id": "N° étudiant", "name": "Nom", "amount": "Montant", "method": "Mode", "reference": "Référence",
	"Step": "Étape", "Items": "Éléments", "Duration": "Durée", "Items/s": "Éléments/s",
}

// CSVSafe prefixes a cell that a spreadsheet would run as a formula
// (starting with = + - @, a tab or a carriage return) with a quote. Plain
// negative numbers are left alone so amounts stay numbers.
func CSVSafe(s string) string {
	if s == "" || !strings.ContainsAny(s[:1], "=+-@\t\r") {
		return s
	}
	if s[0] == '-' && isPlainNumber(s[1:]) {
		return s
	}
	return "'" + s
}

func isPlainNumber(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if (r < '0' || r > '9') && r != '.' && r != ',' {
			return false
		}
	}
	return true
}

// csvCommands are the commands that write CSV with -o csv; every other one
// refuses -o csv (exit 2) before it runs, rather than print its table
// (TestEveryCommandWritesCSVOrRefusesIt).
var csvCommands = map[string]bool{
	"inpctl account export": true, "inpctl account list": true, "inpctl account show": true,
	"inpctl charge": true, "inpctl charge reconcile": true, "inpctl reconcile": true,
	"inpctl credit-note list": true, "inpctl db check": true,
	"inpctl dossier list": true, "inpctl dossier show": true, "inpctl fees list": true,
	"inpctl invoice list": true, "inpctl invoice show": true,
	"inpctl mail list": true, "inpctl mail send": true, "inpctl mail show": true,
	"inpctl pay simulate": true, "inpctl payment list": true, "inpctl rehearse": true,
	"inpctl schedule approve": true, "inpctl schedule list": true, "inpctl schedule show": true,
	"inpctl student list": true, "inpctl student show": true,
	"inpctl reconcile paybox": true,
	"inpctl report summary":   true, "inpctl report instalments": true, "inpctl report refunds": true,
}

// checkCSVFlags checks --csv-dialect and refuses -o csv for a command
// that has no CSV (exit 2, before anything is done).
func checkCSVFlags(cmd *cobra.Command, f globalFlags) error {
	if f.csvDialect != "" && !config.ValidCSVDialect(f.csvDialect) {
		return fault.New(fault.Usage, "--csv-dialect %q is not a CSV dialect", f.csvDialect).
			WithHint("use --csv-dialect rfc4180 (scripts) or --csv-dialect excel-fr (French Excel and LibreOffice)")
	}
	if f.output != "csv" || cmd.Name() == "help" || strings.HasPrefix(cmd.CommandPath(), "inpctl completion") {
		return nil
	}
	if !csvCommands[cmd.CommandPath()] {
		return errNoCSV(strings.TrimPrefix(cmd.CommandPath(), "inpctl "))
	}
	return nil
}

func errNoCSV(what string) error {
	return fault.New(fault.Usage, "-o csv: %s has no CSV output", what).WithHint("use -o table or -o json")
}

// csvDialect is the dialect of -o csv: --csv-dialect, else the config's
// output.csv, else rfc4180.
func (e *Env) csvDialect() string {
	if e.flags.csvDialect != "" {
		return e.flags.csvDialect
	}
	if cfg, err := e.Config(); err == nil && cfg.Output.CSV != "" {
		return cfg.Output.CSV
	}
	return config.CSVRFC4180
}
