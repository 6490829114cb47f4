package archtest

import (
	"encoding/json"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// moneyHomes are the packages where amounts are computed; everywhere else
// (cli, store, the gateways, mail…) amounts are read, passed and printed.
var moneyHomes = map[string]bool{"internal/money": true, "internal/fees": true, "internal/schedule": true, "internal/billing": true, "internal/invoice": true}

// readOnlyMoney are the packages that read, pass, store, send and print
// amounts but compute none. Not (yet) in the list: internal/gateway/sandbox
// (it plays Paybox, whose own rule "refund at most what is left" it must
// compute) and internal/journal (the VAT split of an entry, a rule of its
// own). internal/store sums in SQL where the database's own figure is the
// point (owedSQL, refundedSQL, YearFigures): the check sees Go only.
var readOnlyMoney = []string{"internal/cli", "internal/mail", "internal/mail/smtp", "internal/gateway", "internal/gateway/paybox",
	"internal/store", "internal/rehearse"}

// moneyExceptions are the functions of readOnlyMoney packages allowed to
// compute an amount, each with why ("file: Func" or "file: Type.Method").
var moneyExceptions = map[string]string{}

// TestNoMoneyArithmeticOutsideTheRules: no file of cli (nor of the other
// readOnlyMoney packages) computes an amount (issue 21): an arithmetic
// operation (+ - * / %, their assignments, ++, --, a unary minus) whose
// result is a money.Cents is a rule, and rules live in money, fees,
// schedule, billing and invoice (money.Sum adds rows up for anyone). The
// test type-checks each package's files against the export data of its
// imports (go list -export).
func TestNoMoneyArithmeticOutsideTheRules(t *testing.T) {
	used := map[string]bool{}
	for _, pkg := range readOnlyMoney {
		if moneyHomes[pkg] {
			continue
		}
		for _, bad := range moneyArithmetic(t, pkg) {
			if _, ok := moneyExceptions[bad.fn]; ok {
				used[bad.fn] = true
				continue
			}
			t.Errorf("%s (%s): an amount is computed in %s; move the rule to billing (or money, fees, schedule, invoice), or add the rows up with money.Sum", bad.pos, bad.fn, pkg)
		}
	}
	for fn := range moneyExceptions {
		if !used[fn] {
			t.Errorf("moneyExceptions lists %s, which computes no amount (any more): remove the line", fn)
		}
	}
}

// moneySite is an arithmetic on money: where, and in which function
// ("internal/pkg/file.go: Func", methods as Type.Method).
type moneySite struct{ pos, fn string }

// moneyArithmetic returns the sites in pkg's non-test files of arithmetic
// whose result is a money.Cents.
func moneyArithmetic(t *testing.T, pkg string) []moneySite {
	t.Helper()
	cmd := exec.Command("go", "list", "-export", "-deps", "-json", "./"+pkg)
	cmd.Dir = "../.."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	exports := map[string]string{}
	var files []string
	var dir string
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p struct {
			ImportPath, Export, Dir string
			GoFiles                 []string
		}
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		exports[p.ImportPath] = p.Export
		if p.ImportPath == mod+"/"+pkg {
			files, dir = p.GoFiles, p.Dir
		}
	}
	fset := token.NewFileSet()
	var asts []*ast.File
	for _, f := range files {
		file, err := parser.ParseFile(fset, filepath.Join(dir, f), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		asts = append(asts, file)
	}
	imp := importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) {
		return os.Open(exports[path])
	})
	info := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}}
	conf := types.Config{Importer: imp}
	if _, err := conf.Check(mod+"/"+pkg, fset, asts, info); err != nil {
		t.Fatalf("type-check %s: %v", pkg, err)
	}
	isCents := func(e ast.Expr) bool {
		tv, ok := info.Types[e]
		if !ok {
			return false
		}
		n, ok := tv.Type.(*types.Named)
		return ok && n.Obj().Name() == "Cents" && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == mod+"/internal/money"
	}
	var bad []moneySite
	for i, file := range asts {
		for _, d := range file.Decls {
			fn := pkg + "/" + files[i] + ": " + declName(d)
			add := func(p token.Pos) { bad = append(bad, moneySite{fset.Position(p).String(), fn}) }
			ast.Inspect(d, func(n ast.Node) bool {
				switch x := n.(type) {
				case *ast.BinaryExpr:
					switch x.Op {
					case token.ADD, token.SUB, token.MUL, token.QUO, token.REM:
						if isCents(x) {
							add(x.Pos())
						}
					}
				case *ast.AssignStmt:
					switch x.Tok {
					case token.ADD_ASSIGN, token.SUB_ASSIGN, token.MUL_ASSIGN, token.QUO_ASSIGN, token.REM_ASSIGN:
						if isCents(x.Lhs[0]) {
							add(x.Pos())
						}
					}
				case *ast.IncDecStmt:
					if isCents(x.X) {
						add(x.Pos())
					}
				case *ast.UnaryExpr:
					if x.Op == token.SUB && isCents(x) {
						add(x.Pos())
					}
				}
				return true
			})
		}
	}
	return bad
}

// declName names a top-level declaration: Func, Type.Method, or "var"/
// "const" for the others.
func declName(d ast.Decl) string {
	fd, ok := d.(*ast.FuncDecl)
	if !ok {
		return d.(*ast.GenDecl).Tok.String()
	}
	if fd.Recv == nil || len(fd.Recv.List) == 0 {
		return fd.Name.Name
	}
	typ := fd.Recv.List[0].Type
	if st, ok := typ.(*ast.StarExpr); ok {
		typ = st.X
	}
	if ix, ok := typ.(*ast.IndexExpr); ok {
		typ = ix.X
	}
	if id, ok := typ.(*ast.Ident); ok {
		return id.Name + "." + fd.Name.Name
	}
	return fd.Name.Name
}
