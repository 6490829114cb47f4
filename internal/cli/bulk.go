package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/inpctl/inpctl/internal/billing"
	"github.com/inpctl/inpctl/internal/csvin"
	"github.com/inpctl/inpctl/internal/fault"
)

// bulkFile is a --from command: a CSV file of one change per student,
// checked whole, then applied all or nothing (dossier set-code,
// schedule request).
type bulkFile[T any] struct {
	// columns are the required columns besides student_id.
	columns []string
	// row builds a line's change; student_id is already checked (empty,
	// twice in the file), bad reports a problem of another field.
	row func(r csvin.Record, bad func(field, msg string)) T
	// apply writes every change or none: the rule refusals come back
	// with their lines.
	apply func(ctx context.Context, rows []T, file string) (int, []billing.RowError, error)
	// done says what was done: the line on stderr, the JSON key of the
	// count and the table line.
	done func(n int, file string) (info, key, line string)
}

// runBulk reads path, reports every bad line of the file itself (usage,
// exit 2), then applies the changes and reports every refused line
// (rowFault); nothing is written unless every line goes through.
func runBulk[T any](ctx context.Context, env *Env, path string, b bulkFile[T]) error {
	f, err := csvin.ReadFile(path)
	if err != nil {
		return err
	}
	if err := f.Require(append([]string{"student_id"}, b.columns...)...); err != nil {
		return err
	}
	var errs csvin.Errors
	seen := map[string]int{}
	rows := make([]T, 0, len(f.Records))
	for _, r := range f.Records {
		bad := func(field, msg string) {
			errs = append(errs, csvin.LineError{File: f.Name, Line: r.Line, Field: field, Msg: msg})
		}
		if id := r.Get("student_id"); id == "" {
			bad("student_id", "is empty")
		} else if prev, dup := seen[id]; dup {
			bad("student_id", fmt.Sprintf("%s appears twice in the file (lines %d and %d)", id, prev, r.Line))
		} else {
			seen[id] = r.Line
		}
		rows = append(rows, b.row(r, bad))
	}
	if len(errs) > 0 {
		return errs.Fault()
	}
	n, rowErrs, err := b.apply(ctx, rows, f.Name)
	if err != nil {
		return err
	}
	if len(rowErrs) > 0 {
		return rowFault(f.Name, rowErrs)
	}
	info, key, line := b.done(n, f.Name)
	env.Infof("%s", info)
	return PrintObject(env.Printer(), map[string]int{key: n}, func(w io.Writer) error {
		_, err := io.WriteString(w, line+"\n")
		return err
	})
}

// rowFault reports the rule refusals of a bulk file, every line, with the
// kind of the first (refusals are conflicts, exit 5; unknown students 4).
func rowFault(file string, rows []billing.RowError) error {
	lines := make([]string, len(rows))
	kind := fault.Conflict
	for i, r := range rows {
		lines[i] = fmt.Sprintf("%s:%d: %v", file, r.Line, r.Err)
		if fault.KindOf(r.Err) == fault.Usage {
			kind = fault.Usage
		}
	}
	return &fault.Error{Kind: kind, Msg: fmt.Sprintf("%d line(s) refused, nothing was written:\n%s", len(rows), strings.Join(lines, "\n")),
		Hint: "fix these lines and run the command again"}
}
