package invoice

import "strings"

// rowKind is the part of a table a row belongs to.
type rowKind int

const (
	rowHead rowKind = iota // bold, on a tinted band
	rowBody                // hairline below
	rowFoot                // bold, ruled above
)

// headFill tints the header band.
var headFill = [3]uint8{228, 235, 243}

// table draws t across the text width, repeating its header on each new
// page.
func (r *renderer) table(t *Table) {
	ws := r.columns(t)
	r.need(2 * rowH)
	r.row(t.Head, t.Align, ws, rowHead)
	for _, row := range t.Rows {
		if r.need(r.rowHeight(row, ws, rowBody)) {
			r.row(t.Head, t.Align, ws, rowHead)
		}
		r.row(row, t.Align, ws, rowBody)
	}
	if t.Foot != nil {
		if r.need(r.rowHeight(t.Foot, ws, rowFoot)) {
			r.row(t.Head, t.Align, ws, rowHead)
		}
		r.row(t.Foot, t.Align, ws, rowFoot)
	}
	r.y += gapTable
}

// columns returns the column widths: the weights when given, otherwise
// the widest cell of each column plus padding, with what is left of the
// text width shared out evenly. When the cells are too wide together, a
// column keeps at least its longest word (its whole cells when it is
// right-aligned: an amount never wraps, "€" never alone on a line) and the
// rest of the width goes to the columns that would wrap, in proportion to
// what they lack: a long Blocage text wraps in its own column instead of
// squeezing the dates and numbers beside it. Only when even the words do
// not fit is everything shrunk alike.
func (r *renderer) columns(t *Table) []float64 {
	ws := make([]float64, len(t.Head))
	if len(t.Weights) > 0 {
		for i, w := range t.Weights {
			ws[i] = float64(w) * textW / 100
		}
		return ws
	}
	least := make([]float64, len(ws))
	total, floor := 0.0, 0.0
	for i := range ws {
		whole := i < len(t.Align) && t.Align[i] == 'r'
		measure := func(c string) {
			ws[i] = max(ws[i], r.width(c))
			if whole {
				least[i] = max(least[i], r.width(c))
				return
			}
			for _, w := range strings.Split(c, " ") {
				least[i] = max(least[i], r.width(w))
			}
		}
		r.font(true, sizeTable, black)
		measure(t.Head[i])
		if t.Foot != nil {
			measure(t.Foot[i])
		}
		r.font(false, sizeTable, black)
		for _, row := range t.Rows {
			measure(row[i])
		}
		ws[i] += 2 * padCell
		least[i] += 2 * padCell
		total += ws[i]
		floor += least[i]
	}
	switch {
	case total <= textW:
		for i := range ws {
			ws[i] += (textW - total) / float64(len(ws))
		}
	case floor <= textW:
		spare, lack := textW-floor, total-floor
		for i := range ws {
			ws[i] = least[i] + (ws[i]-least[i])*spare/lack
		}
	default:
		for i := range ws {
			ws[i] *= textW / total
		}
	}
	return ws
}

// rowFont sets the font of a row kind.
func (r *renderer) rowFont(k rowKind) {
	r.font(k != rowBody, sizeTable, black)
}

// cellLines wraps each cell of a row in its column.
func (r *renderer) cellLines(cells []string, ws []float64, k rowKind) ([][]string, int) {
	r.rowFont(k)
	out := make([][]string, len(cells))
	most := 1
	for i, c := range cells {
		out[i] = r.wrap(c, ws[i]-2*padCell)
		most = max(most, len(out[i]))
	}
	return out, most
}

// rowHeight is the height a row will take.
func (r *renderer) rowHeight(cells []string, ws []float64, k rowKind) float64 {
	_, n := r.cellLines(cells, ws, k)
	return float64(n)*lineTable + padCell
}

// row draws one row at r.y and moves below it.
func (r *renderer) row(cells []string, align string, ws []float64, k rowKind) {
	lines, n := r.cellLines(cells, ws, k)
	h := float64(n)*lineTable + padCell
	width := 0.0
	for _, w := range ws {
		width += w
	}
	switch k {
	case rowHead:
		r.pdf.SetFillColor(headFill[0], headFill[1], headFill[2])
		r.pdf.RectFromUpperLeftWithStyle(marginX, r.y, width, h, "F")
	case rowFoot:
		r.rule(marginX, r.y, width, 0.8, 60)
	}
	r.rowFont(k)
	x := marginX
	for i, cl := range lines {
		for j, l := range cl {
			r.cell(x+padCell, r.y+padCell/2+float64(j)*lineTable, ws[i]-2*padCell, l, align[i] == 'r')
		}
		x += ws[i]
	}
	r.y += h
	if k == rowBody {
		r.rule(marginX, r.y, width, 0.4, 200)
	}
}
