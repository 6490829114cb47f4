package journal

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"strings"

	"github.com/inpctl/inpctl/internal/money"
)

// Fields are the 18 columns of article A47 A-1 of the Livre des
// procédures fiscales, in their order and with their names.
var Fields = []string{"JournalCode", "JournalLib", "EcritureNum", "EcritureDate", "CompteNum", "CompteLib",
	"CompAuxNum", "CompAuxLib", "PieceRef", "PieceDate", "EcritureLib", "Debit", "Credit", "EcritureLet", "DateLet",
	"ValidDate", "Montantdevise", "Idevise"}

// The formats Writer writes.
const (
	FEC = "fec" // |-separated, the FEC's flat file
	CSV = "csv" // the same rows as RFC 4180 CSV
)

// Writer writes entries one line per line of entry, after a header line
// of Fields: streamed, never the whole journal in memory.
type Writer struct {
	format string
	bw     *bufio.Writer
	cw     *csv.Writer
	header bool
	rec    []string
	Lines  int // lines of entries written
}

// NewWriter writes format (FEC or CSV) to w; Flush when done.
func NewWriter(w io.Writer, format string) (*Writer, error) {
	jw := &Writer{format: format, rec: make([]string, len(Fields))}
	switch format {
	case FEC:
		jw.bw = bufio.NewWriterSize(w, 64<<10)
	case CSV:
		jw.cw = csv.NewWriter(w)
	default:
		return nil, fmt.Errorf("unknown journal format %q (fec or csv)", format)
	}
	return jw, nil
}

// Write writes the lines of one entry (the header before the first).
func (w *Writer) Write(e Entry) error {
	if !w.header {
		w.header = true
		if err := w.write(Fields); err != nil {
			return err
		}
	}
	date := Date(e.Date)
	for _, l := range e.Lines {
		r := w.rec
		r[0], r[1], r[2], r[3] = e.Journal.Code, e.Journal.Label, e.Num, date
		r[4], r[5], r[6], r[7] = l.Account.Number, l.Account.Label, l.Aux, l.AuxLabel
		r[8], r[9], r[10] = e.PieceRef, Date(e.PieceDate), e.Label
		r[11], r[12], r[13], r[14] = Amount(l.Debit), Amount(l.Credit), "", ""
		r[15], r[16], r[17] = date, "", ""
		for i := range r {
			r[i] = Sanitize(r[i])
		}
		if err := w.write(r); err != nil {
			return err
		}
		w.Lines++
	}
	return nil
}

func (w *Writer) write(rec []string) error {
	if w.cw != nil {
		return w.cw.Write(rec)
	}
	_, err := w.bw.WriteString(strings.Join(rec, "|") + "\n")
	return err
}

// Flush writes the header if no entry was written, then what is buffered.
func (w *Writer) Flush() error {
	if !w.header {
		w.header = true
		if err := w.write(Fields); err != nil {
			return err
		}
	}
	if w.cw != nil {
		w.cw.Flush()
		return w.cw.Error()
	}
	return w.bw.Flush()
}

// Date turns YYYY-MM-DD into the FEC's YYYYMMDD ("" stays "").
func Date(d string) string { return strings.ReplaceAll(d, "-", "") }

// Amount writes cents with a comma decimal and no thousands separator:
// 1234,50; 0,00.
func Amount(c money.Cents) string { return strings.Replace(c.Plain(), ".", ",", 1) }

// sanitizer turns the FEC's separator, tabs and line breaks into spaces.
var sanitizer = strings.NewReplacer("|", " ", "\t", " ", "\r\n", " ", "\r", " ", "\n", " ")

// Sanitize makes s fit in one FEC field: no |, tab or line break, no
// leading or trailing space.
func Sanitize(s string) string {
	if !strings.ContainsAny(s, "|\t\r\n") && strings.TrimSpace(s) == s {
		return s
	}
	return strings.TrimSpace(sanitizer.Replace(s))
}

// Description is the text of the file that goes with a journal file
// (FILE.txt): its encoding, separator and fields, as the DGFiP's checking
// tool (Test Compta Demat) asks of a FEC.
func Description(format, file, from, to string) string {
	sep, layout := "| (barre verticale, U+007C)", "fichier à plat, une ligne par ligne d'écriture, fin de ligne LF"
	if format == CSV {
		sep, layout = ", (virgule), champs entre guillemets si besoin (RFC 4180)", "CSV RFC 4180, une ligne par ligne d'écriture, fin de ligne LF"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Fichier des écritures comptables : %s\n", file)
	fmt.Fprintf(&b, "Période : du %s au %s\n", Date(from), Date(to))
	fmt.Fprintf(&b, "Structure : %s (article A47 A-1 du Livre des procédures fiscales)\n", layout)
	b.WriteString("Codage des caractères : UTF-8, sans BOM\n")
	fmt.Fprintf(&b, "Séparateur de champs : %s\n", sep)
	b.WriteString("Première ligne : les noms des champs\n")
	b.WriteString("Dates : AAAAMMJJ\n")
	b.WriteString("Montants : virgule décimale, sans séparateur de milliers, Debit et Credit en euros\n")
	b.WriteString("Devise : EUR (Montantdevise et Idevise vides)\n")
	b.WriteString("Champs, dans l'ordre :\n")
	for i, f := range Fields {
		fmt.Fprintf(&b, "%2d %s\n", i+1, f)
	}
	return b.String()
}
