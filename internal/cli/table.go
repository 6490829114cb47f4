package cli

import (
	"bufio"
	"io"
	"strings"

	"github.com/clipperhouse/displaywidth"
)

// textTable is the borderless table every command prints: a header, a
// rule, the rows, and optionally a rule and a footer (the totals). Each
// cell is padded with one space on each side, columns are as wide as their
// widest line, and a cell with newlines takes several lines.
//
// It replaces tablewriter, which printed the same bytes for this layout
// (TestTextTableMatchesTablewriter compares the two), because tablewriter
// cost a third of a short command's run: a 660 kB cache filled at package
// init and another per table (issue 8, account show ≤ 1.3× process start).
// Widths are display widths (displaywidth, what tablewriter measured with):
// accents and € count 1, CJK 2. Tables are for people, not a contract.
type textTable struct {
	head, foot []string
	rows       [][]string
	right      []bool // per column: align right (rows and footer; the header is always left)
}

// tableCell is one cell split on its newlines, with each line's width.
type tableCell struct {
	lines  []string
	widths []int
}

// splitCell splits a cell into its lines; a tab is 4 spaces.
func splitCell(s string) tableCell {
	lines := []string{s}
	if strings.ContainsAny(s, "\n\t") {
		lines = strings.Split(strings.ReplaceAll(s, "\t", "    "), "\n")
	}
	c := tableCell{lines: lines, widths: make([]int, len(lines))}
	for i, l := range lines {
		c.widths[i] = displaywidth.String(l)
	}
	return c
}

// render writes the table to w.
func (t *textTable) render(w io.Writer) error {
	n := len(t.head)
	for _, r := range t.rows {
		n = max(n, len(r))
	}
	n = max(n, len(t.foot))
	if n == 0 {
		return nil
	}
	split := func(r []string) []tableCell {
		out := make([]tableCell, n)
		for i := range out {
			s := ""
			if i < len(r) {
				s = r[i]
			}
			out[i] = splitCell(s)
		}
		return out
	}
	head := split(t.head)
	rows := make([][]tableCell, len(t.rows))
	for i, r := range t.rows {
		rows[i] = split(r)
	}
	var foot []tableCell
	if t.foot != nil {
		foot = split(t.foot)
	}
	width := make([]int, n)
	for _, r := range append(append([][]tableCell{head}, rows...), foot) {
		for i, c := range r {
			for _, cw := range c.widths {
				width[i] = max(width[i], cw)
			}
		}
	}
	total := 0
	for _, cw := range width {
		total += cw + 2
	}
	rule := strings.Repeat("─", total) + "\n"
	// A caller's buffer is written into and left for the caller to flush
	// (bufio.NewWriter would return it and Flush it here).
	bw, callers := w.(*bufio.Writer)
	if !callers {
		bw = bufio.NewWriter(w)
	}
	t.writeRow(bw, head, width, false)
	bw.WriteString(rule)
	for _, r := range rows {
		t.writeRow(bw, r, width, true)
	}
	if foot != nil {
		bw.WriteString(rule)
		t.writeRow(bw, foot, width, true)
	}
	if callers {
		return nil
	}
	return bw.Flush()
}

// writeRow writes one row, as many lines as its tallest cell.
func (t *textTable) writeRow(w *bufio.Writer, r []tableCell, width []int, aligned bool) {
	height := 1
	for _, c := range r {
		height = max(height, len(c.lines))
	}
	for l := range height {
		if l > 0 && aligned && blankLine(r, l) {
			continue // as tablewriter did: a row's blank lines after its first are dropped
		}
		for i, c := range r {
			s, sw := "", 0
			if l < len(c.lines) {
				s, sw = c.lines[l], c.widths[l]
			}
			pad := strings.Repeat(" ", width[i]-sw)
			w.WriteByte(' ')
			if aligned && i < len(t.right) && t.right[i] {
				w.WriteString(pad)
				w.WriteString(s)
			} else {
				w.WriteString(s)
				w.WriteString(pad)
			}
			w.WriteByte(' ')
		}
		w.WriteByte('\n')
	}
}

// blankLine reports whether line l of row r is empty in every cell.
func blankLine(r []tableCell, l int) bool {
	for _, c := range r {
		if l < len(c.lines) && c.lines[l] != "" {
			return false
		}
	}
	return true
}
