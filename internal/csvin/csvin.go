// Package csvin reads the CSV files staff receive from other systems
// (student exports, fee-code lists, plan requests) and reports every bad
// line as "file:line: field: problem". It is pure parsing: no business
// rule, no database. csvin imports fault and the standard library.
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
	return Parse(filepath.Base(path), data)
}

// Parse parses data: UTF-8 with or without BOM, a header row, ',' or ';'
// as separator (detected from the header), quoted fields with embedded
// separators and newlines, Windows or Unix line endings. A file that is not
// UTF-8 (Latin-1 from Excel, typically) is refused with a hint.
func Parse(name string, data []byte) (*File, error) {
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
	header, err := r.Read()
	if err != nil {
		return nil, csvError(name, err)
	}
	f := &File{Name: name}
	index := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		if _, dup := index[h]; dup && h != "" {
			return nil, fault.New(fault.Usage, "%s:1: column %q appears twice", name, h)
		}
		index[h] = i
		f.Columns = append(f.Columns, h)
	}
	r.ReuseRecord = false
	var errs Errors
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvError(name, err)
		}
		line, _ := r.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // blank line
		}
		if len(rec) != len(header) {
			errs = append(errs, LineError{name, line, "", fmt.Sprintf("has %d fields, the header has %d", len(rec), len(header))})
			continue
		}
		f.Records = append(f.Records, Record{Line: line, cells: rec, index: index})
	}
	if len(errs) > 0 {
		return nil, errs.Fault()
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

// detectSeparator picks ';' when the first line has more ';' than ','.
func detectSeparator(data []byte) rune {
	first := data
	if i := bytes.IndexByte(data, '\n'); i >= 0 {
		first = data[:i]
	}
	if bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		return ';'
	}
	return ','
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
