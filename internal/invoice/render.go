package invoice

import (
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/signintech/gopdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"

	"github.com/inpctl/inpctl/internal/fault"
)

// The embedded fonts: the Go fonts have €, French accents and the no-break
// space, and gopdf writes them as subsets with a ToUnicode map, so text
// copied from the PDF is the text drawn.
const (
	fontRegular = "GoRegular"
	fontBold    = "GoBold"
)

// loadFonts parses the two TTFs once per process: parsing costs more than
// laying a page out. gopdf copies the parsed font into each document
// (AddTTFFontFromFontContainer), so documents never share subset state and
// may be rendered concurrently.
var loadFonts = sync.OnceValues(func() (*gopdf.FontContainer, error) {
	fc := &gopdf.FontContainer{}
	if err := fc.AddTTFFontData(fontRegular, goregular.TTF); err != nil {
		return nil, err
	}
	if err := fc.AddTTFFontData(fontBold, gobold.TTF); err != nil {
		return nil, err
	}
	return fc, nil
})

// Colours, as RGB.
var (
	black  = [3]uint8{0, 0, 0}
	grey   = [3]uint8{90, 90, 90}
	accent = [3]uint8{0, 58, 112} // a dark blue for the names and the title
)

// glyphs replaces what the Go fonts cannot draw: they have no U+202F
// NARROW NO-BREAK SPACE (money's thousands separator), so it becomes a
// no-break space, which copies as U+00A0.
var glyphs = strings.NewReplacer("\u202f", "\u00a0", "\n", " ", "\t", " ")

// Render writes m as an A4 PDF to w. The same Model always gives the same
// bytes: the only date in the file is m.Created.
func Render(w io.Writer, m Model) error {
	if err := m.validate(); err != nil {
		return err
	}
	fc, err := loadFonts()
	if err != nil {
		return fault.Wrap(fault.Failure, err, "load the PDF fonts")
	}
	pdf := &gopdf.GoPdf{}
	pdf.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4, Unit: gopdf.UnitPT})
	pdf.SetInfo(gopdf.PdfInfo{Title: m.Title, Creator: "inpctl", CreationDate: m.Created})
	for _, f := range []string{fontRegular, fontBold} {
		if err := pdf.AddTTFFontFromFontContainer(f, fc); err != nil {
			return fault.Wrap(fault.Failure, err, "add font %s", f)
		}
	}
	r := &renderer{pdf: pdf}
	r.newPage()
	r.header(m)
	for _, b := range m.Blocks {
		r.block(b)
	}
	r.footers(m.Footer)
	if r.err != nil {
		return fault.Wrap(fault.Failure, r.err, "lay out %q", m.Title)
	}
	// gopdf ignores the writer's errors: catch them on the way.
	ew := &errWriter{w: w}
	if _, err := pdf.WriteTo(ew); err != nil {
		return fault.Wrap(fault.Failure, err, "write %q", m.Title)
	}
	if ew.err != nil {
		return fault.Wrap(fault.Failure, ew.err, "write %q", m.Title)
	}
	return nil
}

// renderer holds the page state. Its methods do nothing once err is set,
// so drawing code reads straight through and Render checks once.
type renderer struct {
	pdf *gopdf.GoPdf
	y   float64 // top of the next thing to draw
	err error
}

func (r *renderer) fail(err error) {
	if r.err == nil && err != nil {
		r.err = err
	}
}

func (r *renderer) newPage() {
	r.pdf.AddPage()
	r.y = marginTop
}

// need starts a new page unless h points fit above the bottom margin, and
// reports whether it did.
func (r *renderer) need(h float64) bool {
	if r.y+h <= bottomY || r.y == marginTop {
		return false
	}
	r.newPage()
	return true
}

func (r *renderer) font(bold bool, size float64, rgb [3]uint8) {
	name := fontRegular
	if bold {
		name = fontBold
	}
	r.fail(r.pdf.SetFont(name, "", size))
	r.pdf.SetTextColor(rgb[0], rgb[1], rgb[2])
}

// width is the width of s in the current font.
func (r *renderer) width(s string) float64 {
	if r.err != nil || s == "" {
		return 0
	}
	w, err := r.pdf.MeasureTextWidth(glyphs.Replace(s))
	r.fail(err)
	return w
}

// cell draws s with its top at (x, y), left- or right-aligned in w.
func (r *renderer) cell(x, y, w float64, s string, right bool) {
	if r.err != nil || s == "" {
		return
	}
	align := gopdf.Left | gopdf.Top
	if right {
		align = gopdf.Right | gopdf.Top
	}
	r.pdf.SetXY(x, y)
	r.fail(r.pdf.CellWithOption(&gopdf.Rect{W: w, H: lineBody}, glyphs.Replace(s), gopdf.CellOption{Align: align}))
}

// wrap splits s into lines no wider than w, at spaces; a word wider than w
// stays whole on its own line.
func (r *renderer) wrap(s string, w float64) []string {
	if r.width(s) <= w {
		return []string{s}
	}
	var lines []string
	line := ""
	for _, word := range strings.Split(s, " ") {
		try := word
		if line != "" {
			try = line + " " + word
		}
		if line != "" && r.width(try) > w {
			lines = append(lines, line)
			try = word
		}
		line = try
	}
	return append(lines, line)
}

// lines draws wrapped text, starting a new page when needed.
func (r *renderer) lines(ss []string, bold bool, size, lineH float64, rgb [3]uint8) {
	r.font(bold, size, rgb)
	for _, s := range ss {
		for _, l := range r.wrap(s, textW) {
			r.need(lineH)
			r.cell(marginX, r.y, textW, l, false)
			r.y += lineH
		}
	}
}

// header draws the issuer (top left) and the recipient (top right).
func (r *renderer) header(m Model) {
	y := marginTop
	for i, l := range m.Issuer {
		if i == 0 {
			r.font(true, 12, accent)
			r.cell(marginX, y, recipientX-marginX-10, l, false)
			y += 16
			r.font(false, sizeBody, black)
			continue
		}
		r.cell(marginX, y, recipientX-marginX-10, l, false)
		y += lineBody
	}
	y = recipientY
	for i, l := range m.Recipient {
		if i == 0 {
			r.font(true, 10, black)
			r.cell(recipientX, y, pageW-marginX-recipientX, l, false)
			y += 14
			r.font(false, sizeBody, black)
			continue
		}
		r.cell(recipientX, y, pageW-marginX-recipientX, l, false)
		y += lineBody
	}
	r.y = headerHeight(m)
}

// footers writes the footer on every page, with page numbers when there
// is more than one.
func (r *renderer) footers(footer string) {
	n := r.pdf.GetNumberOfPages()
	for p := 1; p <= n && r.err == nil; p++ {
		r.fail(r.pdf.SetPage(p))
		text := footer
		if n > 1 {
			text = strings.Join(nonEmpty(footer, "page "+strconv.Itoa(p)+"/"+strconv.Itoa(n)), " · ")
		}
		r.pdf.SetStrokeColor(180, 180, 180)
		r.pdf.SetLineWidth(0.5)
		r.pdf.Line(marginX, pageH-38, pageW-marginX, pageH-38)
		r.font(false, sizeFooter, grey)
		if r.err == nil && text != "" {
			r.pdf.SetXY(marginX, pageH-33)
			r.fail(r.pdf.CellWithOption(&gopdf.Rect{W: textW, H: 10}, glyphs.Replace(text),
				gopdf.CellOption{Align: gopdf.Center | gopdf.Top}))
		}
	}
}

// errWriter remembers the first write error.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	e.err = err
	return n, err
}
