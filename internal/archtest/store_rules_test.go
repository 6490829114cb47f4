package archtest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestStoreUsesRuleTypesOnly: internal/store reads and writes rows; the
// rules of fees and schedule (the plan lifecycle, splits, due dates,
// transitions) are called by billing, never by store. store may name
// their types (and convert to them), not call their functions.
func TestStoreUsesRuleTypesOnly(t *testing.T) {
	funcs := map[string]map[string]bool{"fees": exportedFuncs(t, "../fees"), "schedule": exportedFuncs(t, "../schedule")}
	files, err := filepath.Glob("../store/*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if pkg, ok := sel.X.(*ast.Ident); ok && funcs[pkg.Name][sel.Sel.Name] {
				t.Errorf("%s: store calls %s.%s: a rule belongs to billing, store only holds rows", fset.Position(sel.Pos()), pkg.Name, sel.Sel.Name)
			}
			return true
		})
	}
}

// exportedFuncs lists the package-level exported functions of the package
// in dir (methods and types are not listed).
func exportedFuncs(t *testing.T, dir string) map[string]bool {
	t.Helper()
	fset := token.NewFileSet()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, e := range entries {
		if name := e.Name(); e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, e.Name()), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			if fn, ok := d.(*ast.FuncDecl); ok && fn.Recv == nil && fn.Name.IsExported() {
				out[fn.Name.Name] = true
			}
		}
	}
	if len(out) == 0 {
		t.Fatalf("no exported functions found in %s", dir)
	}
	return out
}

// TestStoreSaysAPaymentsFreePartOnce: what a payment has allocated is
// written once in store's SQL (allocatedSQL, and unallocatedSQL, its free
// part, built on it and refundedSQL), not copied into each query that
// needs it (issue 21).
func TestStoreSaysAPaymentsFreePartOnce(t *testing.T) {
	files, err := filepath.Glob("../store/*.go")
	if err != nil {
		t.Fatal(err)
	}
	const sub = "FROM allocations a WHERE a.payment_id = p.id"
	var where []string
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for range strings.Count(string(b), sub) {
			where = append(where, filepath.Base(f))
		}
	}
	if len(where) != 1 {
		t.Errorf("%q is written %d times in store (%v): use allocatedSQL or unallocatedSQL", sub, len(where), where)
	}
}
