// Package csvin reads the CSV files staff receive from other systems
// (student exports, fee-code lists, plan requests) and reports every bad
// line as "file:line: field: problem". It is pure parsing: no business
// rule, no database. csvin imports fault, the standard library and x/text
// (UTF-16 files).
package csvin

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/inpctl/inpctl/internal/fault"
	"golang.org/x/text/encoding/unicode"
)

// Record is one data row: its line number in the file (1-based, the line
// where the row starts) and its cells. The column index is shared by every
// record of a file: a map per row would triple the memory of a 100 000-row
// import.
type Record struct {
	Line  int
	cells []string
	index map[string]int
}

// Get returns the trimmed cell of column name ("" when absent).
func (r Record) Get(name string) string {
	i, ok := r.index[name]
	if !ok {
		return ""
	}
	return strings.TrimSpace(r.cells[i])
}

// File is a parsed CSV file.
type File struct {
	Name    string // as given, for messages
	Columns []string
	Records []Record
}

// LineError is one problem on one line.
type LineError struct {
	File  string
	Line  int
	Field string
	Msg   string
}

func (e LineError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s: %s", e.File, e.Line, e.Field, e.Msg)
}

// Errors is every problem found in a file; as an error it lists them all,
// one per line, and is a usage error (exit 2).
type Errors []LineError

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Fault wraps the errors as a usage fault that says how many lines are bad.
func (es Errors) Fault() error {
	if len(es) == 0 {
		return nil
	}
	return &fault.Error{Kind: fault.Usage, Msg: fmt.Sprintf("%d error(s), nothing was written:\n%s", len(es), es.Error()),
		Hint: "fix these lines and run the command again"}
}

// ReadFile reads and parses path.
func ReadFile(path string) (*File, error) {
	rd, err := Open(path)
	if err != nil {
		return nil, err
	}
	return rd.all()
}

// Parse parses data: UTF-8 with or without BOM, a header row, ',' or ';'
// as separator (detected from the header), quoted fields with embedded
// separators (and line breaks, in an address), Windows or Unix line endings.
// Every cell is checked before a row is returned: no control character,
// no card number, and at most Limits[column] characters (MaxText, 500,
// for a column Limits does not name). A file that is not
// UTF-8 (Latin-1 from Excel, typically) is refused with a hint.
func Parse(name string, data []byte) (*File, error) {
	rd, err := NewReader(name, data)
	if err != nil {
		return nil, err
	}
	return rd.all()
}

// Reader streams the records of a CSV file one at a time, for bulk files
// too large to hold as a File (100 000 students): the header is read and
// checked by Open or NewReader, the records by Next.
type Reader struct {
	File  // Name and Columns; Records stays empty
	r     *csv.Reader
	index map[string]int
	data  []byte
	// shape lists the rows whose field count differs from the header's,
	// and the cells that no field may hold (control characters, too long,
	// card numbers: see cellProblem): those rows are not returned by Next.
	shape Errors
}

// Open reads path and its header row (see Parse for what is accepted).
func Open(path string) (*Reader, error) {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fault.New(fault.Usage, "%s does not exist", path)
	case err != nil:
		return nil, fault.Wrap(fault.Usage, err, "cannot read %s", path)
	case fi.IsDir():
		return nil, fault.New(fault.Usage, "%s is a directory, not a CSV file", path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fault.Wrap(fault.Usage, err, "cannot read %s", path)
	}
	return NewReader(filepath.Base(path), data)
}

// NewReader checks data (see Parse) and reads its header row.
func NewReader(name string, data []byte) (*Reader, error) {
	data, err := fromUTF16(name, data)
	if err != nil {
		return nil, err
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fault.New(fault.Usage, "%s is empty: a header row is expected", name)
	}
	if !utf8.Valid(data) {
		line := 1 + bytes.Count(data[:firstInvalid(data)], []byte("\n"))
		return nil, fault.New(fault.Usage, "%s:%d: the file is not UTF-8 (probably Latin-1/Windows-1252, as Excel saves \"CSV\")", name, line).
			WithHint("save it as \"CSV UTF-8\" in Excel, or convert it: iconv -f latin1 -t utf-8 %s > %s-utf8.csv", name, strings.TrimSuffix(name, ".csv"))
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = detectSeparator(data)
	r.FieldsPerRecord = -1
	// Streaming callers keep cells (substrings of each row's own string),
	// never the slice: it can be reused. all turns this off.
	r.ReuseRecord = true
	header, err := r.Read()
	if err != nil {
		return nil, csvError(name, err)
	}
	header = append([]string(nil), header...)
	rd := &Reader{File: File{Name: name}, r: r, index: map[string]int{}, data: data}
	for i, h := range header {
		if _, bad := firstControl(h); bad {
			return nil, fault.New(fault.Usage, "%s:1: the name of column %d holds a control character", name, i+1)
		}
		h = strings.ToLower(strings.TrimSpace(h))
		if _, dup := rd.index[h]; dup && h != "" {
			return nil, fault.New(fault.Usage, "%s:1: column %q appears twice", name, h)
		}
		rd.index[h] = i
		rd.Columns = append(rd.Columns, h)
	}
	return rd, nil
}

// Next returns the next record, skipping blank lines and setting aside the
// rows with the wrong number of fields (see ShapeErrors); ok is false at the
// end. An unreadable file (a quote never closed) is a usage error. The
// record's cells stay valid after the next call: keep what Get returns,
// never the Record itself beyond the next call.
func (rd *Reader) Next() (rec Record, ok bool, err error) {
	for {
		cells, err := rd.r.Read()
		if err == io.EOF {
			return Record{}, false, nil
		}
		if err != nil {
			return Record{}, false, csvError(rd.Name, err)
		}
		line, _ := rd.r.FieldPos(0)
		if len(cells) == 1 && strings.TrimSpace(cells[0]) == "" {
			continue // blank line
		}
		if len(cells) != len(rd.Columns) {
			rd.shape = append(rd.shape, LineError{rd.Name, line, "", fmt.Sprintf("has %d fields, the header has %d", len(cells), len(rd.Columns))})
			continue
		}
		if es := rd.cellErrors(cells); len(es) > 0 {
			rd.shape = append(rd.shape, es...)
			continue
		}
		return Record{Line: line, cells: cells, index: rd.index}, true, nil
	}
}

// ShapeErrors returns the rows Next set aside for their number of fields
// or for a cell no field may hold (a control character, a value over its
// length limit, a card number). They are reported before, and instead of,
// any other problem of the rows: such a file is not what the command
// expects at all, or is hostile.
func (rd *Reader) ShapeErrors() Errors { return rd.shape }

// Estimate is the number of records the file seems to have (its non-blank
// lines after the header), for a progress bar: fields with embedded
// newlines make it an overestimate.
func (rd *Reader) Estimate() int {
	n := 0
	for rest := rd.data; len(rest) > 0; {
		line := rest
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			line, rest = rest[:i], rest[i+1:]
		} else {
			rest = nil
		}
		if len(bytes.TrimSpace(line)) > 0 {
			n++
		}
	}
	return max(n-1, 0)
}

// all reads every record into a File.
func (rd *Reader) all() (*File, error) {
	rd.r.ReuseRecord = false // the File keeps every record's cells
	f := &rd.File
	for {
		rec, ok, err := rd.Next()
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		f.Records = append(f.Records, rec)
	}
	if len(rd.shape) > 0 {
		return nil, rd.shape.Fault()
	}
	return f, nil
}

// Has reports whether the header names column col.
func (f *File) Has(col string) bool {
	for _, c := range f.Columns {
		if c == col {
			return true
		}
	}
	return false
}

// Require checks the header has every named column.
func (f *File) Require(cols ...string) error {
	have := map[string]bool{}
	for _, c := range f.Columns {
		have[c] = true
	}
	var missing []string
	for _, c := range cols {
		if !have[c] {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return fault.New(fault.Usage, "%s:1: missing column(s) %s", f.Name, strings.Join(missing, ", ")).
			WithHint("the header must name the columns %s (any order, any case)", strings.Join(cols, ", "))
	}
	return nil
}

// detectSeparator picks, of ',', ';' and tab, the one the header line
// holds most (',' on a tie): Excel writes ';' in a French locale, and tabs
// when a sheet is saved as "Texte Unicode" or pasted from the clipboard.
func detectSeparator(data []byte) rune {
	first := data
	if i := bytes.IndexByte(data, '\n'); i >= 0 {
		first = data[:i]
	}
	best, n := ',', bytes.Count(first, []byte(","))
	for _, sep := range []rune{';', '\t'} {
		if c := bytes.Count(first, []byte(string(sep))); c > n {
			best, n = sep, c
		}
	}
	return best
}

// fromUTF16 turns a UTF-16 file into UTF-8: Excel's "Texte Unicode" is
// UTF-16LE with a BOM (and tabs). Without a BOM, a header whose every other
// byte is NUL is UTF-16 too (no CSV header of ours holds a NUL). Anything
// else is returned as it is.
func fromUTF16(name string, data []byte) ([]byte, error) {
	var order unicode.Endianness
	switch {
	case bytes.HasPrefix(data, []byte{0xff, 0xfe}):
		order = unicode.LittleEndian
	case bytes.HasPrefix(data, []byte{0xfe, 0xff}):
		order = unicode.BigEndian
	case len(data) >= 4 && data[0] != 0 && data[1] == 0 && data[2] != 0 && data[3] == 0:
		order = unicode.LittleEndian
	case len(data) >= 4 && data[0] == 0 && data[1] != 0 && data[2] == 0 && data[3] != 0:
		order = unicode.BigEndian
	default:
		return data, nil
	}
	out, err := unicode.UTF16(order, unicode.UseBOM).NewDecoder().Bytes(data)
	// The decoder turns a lone surrogate or an odd last byte into U+FFFD.
	if err != nil || !utf8.Valid(out) || bytes.ContainsRune(out, utf8.RuneError) {
		return nil, fault.New(fault.Usage, "%s: the file looks like UTF-16 (as Excel saves \"Texte Unicode\") but cannot be read as such", name).
			WithHint("save it as \"CSV UTF-8\" in Excel")
	}
	return out, nil
}

func firstInvalid(data []byte) int {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return len(data)
}

func csvError(name string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fault.New(fault.Usage, "%s:%d: %v", name, pe.StartLine, pe.Err).
			WithHint("a quoted field must end with a closing quote; a quote inside a field is written twice (\"\")")
	}
	return fault.Wrap(fault.Usage, err, "%s", name)
}

// Bool parses the booleans staff files use: 1/0, oui/non, yes/no,
// true/false, o/n, y/n; empty is false.
func Bool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "0", "non", "no", "false", "n", "faux":
		return false, nil
	case "1", "oui", "yes", "true", "o", "y", "vrai":
		return true, nil
	}
	return false, fmt.Errorf("%q is not a yes/no value (expected 1/0, oui/non, yes/no or true/false)", s)
}
