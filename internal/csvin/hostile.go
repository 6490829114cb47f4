package csvin

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/inpctl/inpctl/internal/pan"
	"github.com/inpctl/inpctl/internal/siret"
)

// MaxText is the longest value, in characters, of a column that Limits
// does not name (free text: references, reasons, notes).
const MaxText = 500

// Limits is the longest value, in characters, of each known column.
// They are generous for real data and keep a hostile file (a 1 MB name)
// out of the database, the documents and the terminal.
var Limits = map[string]int{
	"student_id": 32, "last_name": 100, "first_name": 100, "name": 100, "email": 254,
	"programme": 64, "academic_year": 9, "postcode": 16, "city": 100, "country": 100,
	"address": MaxText, "code": 8, "plan": 8, "siret": 20,
}

// multiLine are the columns whose value may span lines (a quoted cell with
// line breaks, as Excel writes a postal address).
var multiLine = map[string]bool{"address": true}

// siretColumns hold a SIRET, which passes the Luhn check like a card
// number: a valid SIRET there is not a card number (package siret says
// how they are told apart: by the field, never by the digits alone).
var siretColumns = map[string]bool{"siret": true, "payer_siret": true}

// cellProblem says what is wrong with a cell of column col, or "": a
// control character (any C0 or C1 character and DEL; a line break only
// in a multi-line column, a tab only in a tab-separated file), a value
// longer than the column's limit, or a card number (package pan), shown
// masked.
func cellProblem(col, v string, sep rune) string {
	for rest := v; ; {
		r, bad := firstControl(rest)
		if !bad {
			break
		}
		if !(r == '\n' && multiLine[col] || r == '\t' && sep == '\t') {
			return fmt.Sprintf("holds a control character (%U): refused, so that a file can never drive a terminal", r)
		}
		rest = rest[strings.IndexRune(rest, r)+1:]
	}
	limit, ok := Limits[col]
	if !ok {
		limit = MaxText
	}
	if n := utf8.RuneCountInString(v); n > limit {
		return fmt.Sprintf("is %d characters long: at most %d", n, limit)
	}
	if siretColumns[col] && siret.Valid(v) {
		return ""
	}
	if ms := pan.Find(v); len(ms) > 0 {
		return fmt.Sprintf("holds a card number (%s): card numbers must never be imported", ms[0].Masked())
	}
	return ""
}

// cellErrors checks every cell of a row (see cellProblem), naming each bad
// field with the line it is on.
func (rd *Reader) cellErrors(cells []string) Errors {
	var es Errors
	for i, v := range cells {
		col := rd.Columns[i]
		if msg := cellProblem(col, v, rd.r.Comma); msg != "" {
			line, _ := rd.r.FieldPos(i)
			if col == "" {
				col = fmt.Sprintf("column %d", i+1)
			}
			es = append(es, LineError{rd.Name, line, col, msg})
		}
	}
	return es
}

// firstControl returns the first control character of s (see cellProblem).
func firstControl(s string) (rune, bool) {
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return r, true
		}
	}
	return 0, false
}
