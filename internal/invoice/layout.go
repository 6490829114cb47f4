package invoice

// Page geometry and type sizes, in PDF points (1/72 inch). Render draws
// with them and BuildStatement uses them to keep a statement on one page.
const (
	pageW        = 595.0 // A4
	pageH        = 842.0
	marginX      = 45.0
	marginTop    = 40.0
	marginBottom = 50.0 // the footer sits in it
	textW        = pageW - 2*marginX
	bottomY      = pageH - marginBottom

	recipientX = 320.0 // a French window envelope's window
	recipientY = 118.0
	headerGap  = 26.0 // between the header and the first block

	sizeBody    = 9.0
	lineBody    = 12.5
	sizeTitle   = 16.0
	lineTitle   = 22.0
	sizeHeading = 10.5
	lineHeading = 16.0
	gapHeading  = 12.0 // space above a heading
	sizeTable   = 8.5
	lineTable   = 11.0 // one text line inside a cell
	padCell     = 4.0  // cell padding, left/right and top/bottom
	rowH        = lineTable + padCell
	gapTable    = 8.0 // space after a table
	lineTotals  = 14.0
	sizeNote    = 7.5
	lineNote    = 10.0
	gapNote     = 6.0
	sizeFooter  = 7.0
)

// blockHeight estimates the height of b when no text wraps: what
// BuildStatement needs to keep a statement on one page.
func blockHeight(b Block) float64 {
	switch b.Style {
	case StyleTitle:
		return float64(len(b.Lines)) * lineTitle
	case StyleHeading:
		return gapHeading + float64(len(b.Lines))*lineHeading
	case StyleFields:
		return float64(len(b.Pairs)+1) * lineBody
	case StyleTable:
		n := 1 + len(b.Table.Rows)
		if b.Table.Foot != nil {
			n++
		}
		return float64(n)*rowH + gapTable
	case StyleTotals:
		return float64(len(b.Pairs))*lineTotals + gapTable
	case StyleNote:
		return gapNote + float64(len(b.Lines))*lineNote
	default:
		return float64(len(b.Lines)) * lineBody
	}
}

// headerHeight is where the first block starts.
func headerHeight(m Model) float64 {
	issuer := marginTop + 16 + float64(len(m.Issuer)-1)*lineBody
	recipient := recipientY + 14 + float64(len(m.Recipient)-1)*lineBody
	return max(issuer, recipient) + headerGap
}
