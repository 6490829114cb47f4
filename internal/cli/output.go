package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"sync"

	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/money"
	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/pkg/twcache"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

// Printer writes data on stdout in the format chosen with -o.
type Printer struct {
	Out    io.Writer
	Err    io.Writer
	Format string // table, json or csv
	// Dialect is the CSV dialect (config.CSVRFC4180 or CSVExcelFR).
	Dialect string
	// Raw is stdout as it is, for CSV: the CSV writer cleans every cell
	// itself, and Out (a cleanWriter) would take the CR out of CRLF.
	Raw io.Writer
}

// Col is one column: its head and how to render a row's cell (table and
// CSV). JSON uses the row type's own json tags. Right aligns amounts.
type Col[T any] struct {
	Head  string
	Cell  func(T) string
	Right bool
	// Money, when set, is the cell's amount: French in tables ("3 941,00 €"),
	// a plain decimal in CSV ("3941.00") so spreadsheets can add it up,
	// with a currency column at the end.
	Money func(T) money.Cents
}

// cell renders a column for tables.
func (c Col[T]) cell(r T) string {
	if c.Money != nil {
		return c.Money(r).String()
	}
	return c.Cell(r)
}

// validFormat checks -o.
func validFormat(f string) error {
	switch f {
	case "table", "json", "csv":
		return nil
	}
	return fault.New(fault.Usage, "-o %q is not an output format", f).WithHint("use -o table, -o json or -o csv")
}

// Print prints rows in the chosen format. An empty list prints "[]" in JSON,
// a header alone in CSV, and in a table nothing on stdout and emptyMsg on
// stderr (an empty result is not an error).
func Print[T any](p *Printer, rows []T, cols []Col[T], emptyMsg string) error {
	if rows == nil {
		rows = []T{}
	}
	switch p.Format {
	case "json":
		return writeJSON(p.Out, rows)
	case "csv":
		return writeCSV(p, rows, cols)
	}
	if len(rows) == 0 {
		if emptyMsg != "" {
			fmt.Fprintln(p.Err, emptyMsg)
		}
		return nil
	}
	return writeTable(p.Out, rows, cols, nil)
}

// PrintWithTotal prints rows with a total line (tables only; JSON and CSV
// carry the rows alone and scripts add them up).
func PrintWithTotal[T any](p *Printer, rows []T, cols []Col[T], total []string) error {
	if p.Format != "table" {
		return Print(p, rows, cols, "")
	}
	return writeTable(p.Out, rows, cols, total)
}

// PrintObject prints one document: JSON as the object itself, a table
// through the given rendering. A command that prints with PrintObject has
// no CSV: -o csv is refused before it runs (csvCommands); reaching here
// with it is a bug, and still refused rather than printing the table.
func PrintObject(p *Printer, v any, table func(io.Writer) error) error {
	switch p.Format {
	case "json":
		return writeJSON(p.Out, v)
	case "csv":
		return errNoCSV("this command")
	}
	return table(p.Out)
}

// PrintObjectCSV prints one document as PrintObject does, and in CSV as
// rows (one row for a record, its lines for a document that has some).
func PrintObjectCSV[T any](p *Printer, v any, table func(io.Writer) error, rows []T, cols []Col[T]) error {
	if p.Format == "csv" {
		return Print(p, rows, cols, "")
	}
	return PrintObject(p, v, table)
}

// colsOf are the columns cols of a part of U (the row of a list inside a
// document), read through part.
func colsOf[T, U any](cols []Col[T], part func(U) T) []Col[U] {
	out := make([]Col[U], len(cols))
	for i, c := range cols {
		out[i] = Col[U]{Head: c.Head, Right: c.Right}
		if c.Cell != nil {
			cell := c.Cell
			out[i].Cell = func(u U) string { return cell(part(u)) }
		}
		if c.Money != nil {
			m := c.Money
			out[i].Money = func(u U) money.Cents { return m(part(u)) }
		}
	}
	return out
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// writeCSV writes the rows in p's dialect with formula guarding: the
// table's columns, amounts as plain decimals, a currency column.
func writeCSV[T any](p *Printer, rows []T, cols []Col[T]) error {
	cw := p.CSV()
	head := make([]string, 0, len(cols)+1)
	hasMoney := false
	for _, c := range cols {
		head = append(head, c.Head)
		hasMoney = hasMoney || c.Money != nil
	}
	if hasMoney {
		head = append(head, "currency")
	}
	if err := cw.Head(head...); err != nil {
		return err
	}
	rec := make([]CSVCell, 0, len(head))
	for _, r := range rows {
		rec = rec[:0]
		for _, c := range cols {
			switch {
			case c.Money != nil:
				rec = append(rec, CSVAmount(c.Money(r)))
			case c.Right:
				rec = append(rec, CSVNumber(c.Cell(r)))
			default:
				rec = append(rec, CSVText(c.Cell(r)))
			}
		}
		if hasMoney {
			rec = append(rec, CSVText(money.Currency))
		}
		if err := cw.Row(rec...); err != nil {
			return err
		}
	}
	return cw.Flush()
}

// writeTable renders a borderless table (not a contract: may change) with
// tablewriter, the table library the project chose, through the table of
// the command's output when w is one (see tableShare), else a new one.
func writeTable[T any](w io.Writer, rows []T, cols []Col[T], total []string) error {
	aligns := make([]tw.Align, len(cols))
	head := make([]string, len(cols))
	for i, c := range cols {
		head[i] = c.Head
		aligns[i] = tw.AlignLeft
		if c.Right {
			aligns[i] = tw.AlignRight
		}
	}
	share := &tableShare{}
	if h, ok := w.(interface{ tables() *tableShare }); ok && h.tables() != nil {
		share = h.tables()
	}
	share.Lock()
	defer share.Unlock()
	defer share.buf.Reset()
	t := share.get()
	t.Options(
		tablewriter.WithRowAlignmentConfig(tw.CellAlignment{PerColumn: aligns}),
		tablewriter.WithFooterAlignmentConfig(tw.CellAlignment{PerColumn: aligns}),
	)
	t.Header(toAny(head)...)
	for _, r := range rows {
		rec := make([]string, len(cols))
		for i, c := range cols {
			rec[i] = c.cell(r)
		}
		if err := t.Append(rec); err != nil {
			return err
		}
	}
	if total != nil {
		t.Footer(toAny(total)...)
	}
	if err := t.Render(); err != nil {
		return err
	}
	_, err := w.Write(share.buf.Bytes())
	return err
}

// tablesWriter is a writer that carries the Env's table (withTables).
type tablesWriter struct {
	io.Writer
	share *tableShare
}

func (t tablesWriter) tables() *tableShare { return t.share }

// withTables gives w the Env's table, for a writer the command wraps
// around its data writer (account show buffers the whole position).
func (e *Env) withTables(w io.Writer) io.Writer { return tablesWriter{w, &e.tables} }

// tableShare is the tablewriter.Table every table a command prints is
// rendered with, Reset between uses: the Env owns one, and its data writer
// (cleanWriter) hands it to writeTable. tablewriter.NewTable allocates a
// 10 240-entry reflection cache (about 400 kB) that a table of strings never
// reads: one per table made a quarter of "account show" (seven tables).
type tableShare struct {
	sync.Mutex
	t   *tablewriter.Table
	buf bytes.Buffer // the table's writer, fixed when it is made
}

// get returns the shared table, made or Reset. The caller holds the lock.
func (s *tableShare) get() *tablewriter.Table {
	if s.t != nil {
		s.t.Reset()
		return s.t
	}
	s.t = tablewriter.NewTable(&s.buf,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{
			Borders: tw.BorderNone,
			Symbols: tw.NewSymbols(tw.StyleLight),
			Settings: tw.Settings{
				Separators: tw.Separators{BetweenColumns: tw.Off, BetweenRows: tw.Off},
				Lines:      tw.Lines{ShowHeaderLine: tw.On, ShowFooterLine: tw.On},
			},
		})),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithFooterAutoFormat(tw.Off),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithTrimSpace(tw.Off),
		// Reset empties the cache by making a new one of its size.
		tablewriter.WithStringerCacheCustom(twcache.NewLRU[reflect.Type, reflect.Value](1)),
	)
	return s.t
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
