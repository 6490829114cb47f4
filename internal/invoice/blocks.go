package invoice

import (
	"fmt"

	"github.com/inpctl/inpctl/internal/fault"
)

// totalsW is the width of a totals box, flush with the right margin.
const totalsW = 230.0

// colon is French punctuation: a no-break space before the colon.
const colon = "\u00a0:"

// block draws one block.
func (r *renderer) block(b Block) {
	switch b.Style {
	case StyleTitle:
		r.need(lineTitle + 3*lineBody)
		r.lines(b.Lines, true, sizeTitle, lineTitle, accent)
	case StyleHeading:
		r.need(gapHeading + lineHeading + 3*rowH) // keep it with what follows
		r.y += gapHeading
		r.lines(b.Lines, true, sizeHeading, lineHeading, accent)
	case StyleNote:
		r.y += gapNote
		r.lines(b.Lines, false, sizeNote, lineNote, grey)
	case StyleFields:
		r.fields(b.Pairs)
	case StyleTable:
		r.table(b.Table)
	case StyleTotals:
		r.totals(b.Pairs)
	default:
		r.lines(b.Lines, false, sizeBody, lineBody, black)
	}
}

// fields draws "Label : value" lines, the value wrapped after the label.
func (r *renderer) fields(ps []Pair) {
	for _, p := range ps {
		label := p.Label + colon + " "
		r.font(true, sizeBody, black)
		lw := r.width(label)
		r.font(false, sizeBody, black)
		for i, l := range r.wrap(p.Value, textW-lw) {
			r.need(lineBody)
			if i == 0 {
				r.font(true, sizeBody, black)
				r.cell(marginX, r.y, lw, label, false)
				r.font(false, sizeBody, black)
			}
			r.cell(marginX+lw, r.y, textW-lw, l, false)
			r.y += lineBody
		}
	}
	r.y += lineBody
}

// totals draws label/value pairs in a box at the right margin; a bold pair
// (the grand total, the amount still due) gets a rule above it.
func (r *renderer) totals(ps []Pair) {
	x := marginX + textW - totalsW
	r.need(float64(len(ps)) * lineTotals)
	for _, p := range ps {
		if p.Bold {
			r.rule(x, r.y, totalsW, 0.8, 60)
		}
		r.font(p.Bold, sizeBody, black)
		r.cell(x+padCell, r.y+2.5, totalsW/2, p.Label+colon, false)
		r.cell(x+totalsW/2, r.y+2.5, totalsW/2-padCell, p.Value, true)
		r.y += lineTotals
	}
	r.y += gapTable
}

// rule draws a horizontal line of the given thickness and grey level.
func (r *renderer) rule(x, y, w, thick float64, level uint8) {
	r.pdf.SetStrokeColor(level, level, level)
	r.pdf.SetLineWidth(thick)
	r.pdf.Line(x, y, x+w, y)
}

// validate checks what Render relies on: known styles and rectangular
// tables.
func (m Model) validate() error {
	for i, b := range m.Blocks {
		if err := b.validate(); err != nil {
			return fault.Wrap(fault.Failure, err, "invoice model: block %d (%s)", i, b.Style)
		}
	}
	return nil
}

func (b Block) validate() error {
	switch b.Style {
	case StyleTitle, StyleText, StyleHeading, StyleNote, StyleFields, StyleTotals:
		return nil
	case StyleTable:
	default:
		return fmt.Errorf("unknown style %q", b.Style)
	}
	t := b.Table
	switch {
	case t == nil || len(t.Head) == 0:
		return fmt.Errorf("table without columns")
	case len(t.Align) != len(t.Head):
		return fmt.Errorf("align %q for %d columns", t.Align, len(t.Head))
	case len(t.Weights) != 0 && len(t.Weights) != len(t.Head):
		return fmt.Errorf("%d weights for %d columns", len(t.Weights), len(t.Head))
	case t.Foot != nil && len(t.Foot) != len(t.Head):
		return fmt.Errorf("total row has %d cells for %d columns", len(t.Foot), len(t.Head))
	}
	for i, row := range t.Rows {
		if len(row) != len(t.Head) {
			return fmt.Errorf("row %d has %d cells for %d columns", i+1, len(row), len(t.Head))
		}
	}
	return nil
}
