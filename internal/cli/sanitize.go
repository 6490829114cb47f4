package cli

import (
	"fmt"
	"io"
	"strings"
)

// Everything inpctl prints from its data (tables, CSV, JSON, messages,
// warnings, errors) goes through cleanWriter or cleanText: a name or a
// reference that holds ESC or another control character could otherwise
// drive the clerk's terminal (clear it, rewrite its title, fake a line).
// Imports refuse such text (csvin), but the database may hold older rows.
// Only \n and \t are kept. The progress bar and the PDF written to stdout
// (invoice render --out -) use the raw streams.

// cleanWriter drops the C0 control characters other than \n and \t, DEL,
// and the C1 control characters (U+0080 to U+009F, encoded C2 80 to C2 9F)
// of what it writes. For JSON, which escapes C0 itself, DEL and C1 are
// escaped instead (\u009b), so that the data stays exact.
type cleanWriter struct {
	w       io.Writer
	json    bool
	pending bool        // the last byte written was 0xC2, held back
	share   *tableShare // the Env's table (see writeTable), nil elsewhere
}

func (c *cleanWriter) tables() *tableShare { return c.share }

func newCleanWriter(w io.Writer, json bool) io.Writer {
	if cw, ok := w.(*cleanWriter); ok && cw.json == json {
		return w
	}
	return &cleanWriter{w: w, json: json}
}

// Write writes p cleaned; it reports len(p) on success. A 0xC2 at the end
// of p may start a C1 character: it is held until the next write.
func (c *cleanWriter) Write(p []byte) (int, error) {
	if !c.pending && !needsCleaning(p) {
		return c.w.Write(p)
	}
	n := len(p)
	if c.pending {
		c.pending = false
		p = append([]byte{0xC2}, p...)
	}
	out := make([]byte, 0, len(p)+8)
	for i := 0; i < len(p); i++ {
		b := p[i]
		switch {
		case b == '\n' || b == '\t':
			out = append(out, b)
		case b < 0x20 || b == 0x7f:
			if c.json && b == 0x7f {
				out = append(out, `\u007f`...)
			}
		case b == 0xC2 && i+1 == len(p):
			c.pending = true
		case b == 0xC2 && p[i+1] >= 0x80 && p[i+1] <= 0x9f:
			if c.json {
				out = fmt.Appendf(out, `\u%04x`, p[i+1])
			}
			i++
		default:
			out = append(out, b)
		}
	}
	if _, err := c.w.Write(out); err != nil {
		return 0, err
	}
	return n, nil
}

// needsCleaning reports whether p holds a byte cleanWriter may change.
func needsCleaning(p []byte) bool {
	for _, b := range p {
		if (b < 0x20 && b != '\n' && b != '\t') || b == 0x7f || b == 0xC2 {
			return true
		}
	}
	return false
}

// cleanText is s without control characters (see cleanWriter), for the
// messages written on stderr.
func cleanText(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return isControl(r) && r != '\n' && r != '\t' }) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isControl(r) && r != '\n' && r != '\t' {
			return -1
		}
		return r
	}, s)
}
