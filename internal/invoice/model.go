// Package invoice turns invoices, credit notes and account statements into
// one-page A4 PDFs.
//
// It works in two steps. Build and BuildStatement are pure: they turn plain
// data filled in by the caller (a Document or a Statement) into a Model, the
// list of what the page shows with every amount, percentage and date already
// formatted in French ("3 770,00 €", "24/06/2025"). Render lays a Model out
// with gopdf and writes the PDF; WriteFile and Batch.Write put it in files
// atomically. The same Model always gives byte-identical PDFs.
//
// invoice is the only package that imports github.com/signintech/gopdf. It
// imports money, clock and fault from the project and nothing else: it knows
// neither the database nor the command line.
package invoice

import (
	"time"
)

// Model is what one PDF shows, already formatted: Render only lays it out.
// It is plain data, so tests compare it as JSON golden files.
type Model struct {
	// Title is the document title ("Facture n° 9201"), also put in the
	// PDF's /Title.
	Title string `json:"title"`
	// Created is the PDF's /CreationDate. The zero time writes no date.
	Created time.Time `json:"created"`
	// Issuer is the top-left block: the name (printed in bold), the
	// address lines and the SIRET line.
	Issuer []string `json:"issuer"`
	// Recipient is the top-right block, placed for a window envelope.
	Recipient []string `json:"recipient"`
	// Blocks are drawn one after another below the header.
	Blocks []Block `json:"blocks"`
	// Footer is printed in small type at the bottom of every page.
	Footer string `json:"footer,omitempty"`
}

// Style says how a Block is drawn.
type Style string

// The block styles.
const (
	StyleTitle   Style = "title"   // Lines in large bold type
	StyleText    Style = "text"    // Lines in body type, wrapped
	StyleFields  Style = "fields"  // Pairs as "Label : value" lines
	StyleHeading Style = "heading" // Lines as a bold section heading
	StyleTable   Style = "table"   // Table
	StyleTotals  Style = "totals"  // Pairs right-aligned, bold ones ruled
	StyleNote    Style = "note"    // Lines in small grey type
)

// Block is one vertical piece of the page.
type Block struct {
	Style Style    `json:"style"`
	Lines []string `json:"lines,omitempty"`
	Pairs []Pair   `json:"pairs,omitempty"`
	Table *Table   `json:"table,omitempty"`
}

// Pair is a label and its value: a field ("Date", "24/06/2025") or a total
// ("Total TTC", "628,00 €").
type Pair struct {
	Label string `json:"label"`
	Value string `json:"value"`
	Bold  bool   `json:"bold,omitempty"`
}

// Table is a grid of formatted cells. Every row, and Foot when present,
// has exactly one cell per Head entry.
type Table struct {
	Head []string `json:"head"`
	// Align has one letter per column: 'l' (left) or 'r' (right).
	Align string `json:"align"`
	// Weights are column widths in percent of the text width; they may sum
	// to less than 100 for a narrower table. Empty means "measure the
	// cells and use the whole width".
	Weights []int      `json:"weights,omitempty"`
	Rows    [][]string `json:"rows"`
	// Foot is an optional total row, printed in bold.
	Foot []string `json:"foot,omitempty"`
}

// text returns a block of the given style holding lines.
func text(s Style, lines ...string) Block { return Block{Style: s, Lines: lines} }

// nonEmpty drops empty strings.
func nonEmpty(ss ...string) []string {
	out := make([]string, 0, len(ss))
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
