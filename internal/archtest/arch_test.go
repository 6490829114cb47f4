// Package archtest enforces the import rules of docs/style.md §2: what each
// package may import, and that each third-party library has one home.
package archtest

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

const mod = "github.com/inpctl/inpctl"

// allowed lists, per package, the project packages it may import (non-test
// files). A package missing from this table fails the test, so a new
// package must be placed in the layering on purpose.
var allowed = map[string][]string{
	"":               {},
	"cmd/inpctl":     {"internal/cli"},
	"cmd/gendata":    {"internal/synth"},
	"cmd/benchfloor": {"internal/store"},
	// benchipn: the serve benchmark's load generator; it makes real pay
	// requests (billing, as pay link) and signs them on the sandbox.
	"cmd/benchipn": {"internal/billing", "internal/clock", "internal/config", "internal/gateway/paybox", "internal/gateway/sandbox", "internal/store"},
	// cli wires every layer: the commands, the gateways, the mail sandbox
	// (inpctl mail sandbox), the rehearsal.
	"internal/cli": {"internal/atomicfile", "internal/billing", "internal/clock", "internal/config", "internal/csvin", "internal/fault", "internal/fees",
		"internal/gateway", "internal/gateway/paybox", "internal/gateway/sandbox", "internal/invoice", "internal/journal", "internal/mail",
		"internal/mail/smtp", "internal/mail/smtptest", "internal/money", "internal/pan", "internal/rehearse", "internal/schedule",
		"internal/serve", "internal/siret", "internal/store"},
	"internal/billing": {"internal/store", "internal/gateway", "internal/gateway/paybox", "internal/fees", "internal/schedule", "internal/invoice", "internal/money", "internal/clock", "internal/fault", "internal/csvin", "internal/siret", "internal/mail"},
	"internal/config":  {"internal/fees", "internal/schedule", "internal/money", "internal/fault", "internal/pan", "internal/school", "internal/siret"},
	// store takes a series' next position and stores the number docnum
	// formats from it.
	"internal/store":   {"internal/docnum", "internal/fees", "internal/schedule", "internal/money", "internal/clock", "internal/fault", "internal/pan", "internal/school", "internal/siret"},
	"internal/invoice": {"internal/money", "internal/clock", "internal/fault", "internal/atomicfile"},
	// atomicfile: the one way a file is written whole or not at all.
	"internal/atomicfile":      {"internal/fault"},
	"internal/fees":            {"internal/money", "internal/fault"},
	"internal/school":          {},
	"internal/schedule":        {"internal/money", "internal/clock", "internal/fault"},
	"internal/gateway":         {"internal/money", "internal/clock", "internal/pan"},
	"internal/gateway/paybox":  {"internal/gateway", "internal/money", "internal/fault", "internal/pan"},
	"internal/gateway/sandbox": {"internal/gateway", "internal/gateway/paybox", "internal/money", "internal/fault", "internal/pan"},
	"internal/money":           {},
	"internal/clock":           {},
	"internal/fault":           {},
	"internal/csvin":           {"internal/fault", "internal/pan", "internal/siret"},
	"internal/pan":             {},
	"internal/docnum":          {},
	"internal/siret":           {"internal/pan"},
	"internal/synth":           {},
	// serve: the HTTP side (issue 18); the caller gives it the applier.
	"internal/serve":    {"internal/fault"},
	"internal/rehearse": {"internal/billing", "internal/store", "internal/gateway", "internal/gateway/paybox", "internal/gateway/sandbox", "internal/invoice", "internal/synth", "internal/schedule", "internal/money", "internal/clock", "internal/fault"},
	"internal/archtest": {},
	// journal: movements → balanced entries → FEC (issue 20); pure, fed by cli from store.
	// It reads the Paybox back office's export with csvin (file:line: field
	// errors, hostile cells refused) and reports them as fault usage errors.
	"internal/journal": {"internal/money", "internal/csvin", "internal/fault"},
	// mail: the notices' kinds, data, templates and send loop over the
	// outbox (issue 19); billing writes notices with mail's types.
	"internal/mail":          {"internal/store", "internal/money", "internal/clock", "internal/fault"},
	"internal/mail/smtp":     {"internal/mail", "internal/fault"},
	"internal/mail/smtptest": {},
	// storetest: the tests' fresh databases (SQLite, or PostgreSQL with
	// INPCTL_TEST_PG); it creates PostgreSQL databases with database/sql.
	"internal/store/storetest": {},
}

// homes: a third-party (or sensitive standard) import and the only packages
// that may import it directly.
var homes = map[string][]string{
	"github.com/spf13/cobra":            {"internal/cli"},
	"github.com/olekukonko/tablewriter": {"internal/cli"},
	"github.com/spf13/viper":            {"internal/config"},
	"database/sql":                      {"internal/store", "internal/store/storetest"},
	"github.com/jackc/pgx/v5":           {"internal/store", "internal/store/storetest"},
	"modernc.org/sqlite":                {"internal/store"},
	"github.com/signintech/gopdf":       {"internal/invoice"},
	// cmd/benchipn: the load generator and the bare verify-only handler of
	// the serve benchmark (make bench), not part of inpctl.
	"net/http":                    {"internal/gateway/paybox", "internal/gateway/sandbox", "internal/serve", "cmd/benchipn"},
	"github.com/wneessen/go-mail": {"internal/mail/smtp"},
	"github.com/emersion/go-smtp": {"internal/mail/smtptest"},
	"github.com/emersion/go-sasl": {"internal/mail/smtptest"},
	// x/sys: invoice syncs its batch (syncfs), config hardens the process
	// that holds the Paybox key (no core dump).
	"golang.org/x/sys": {"internal/invoice", "internal/config"},
}

// pure packages may not touch the outside world at all.
var pure = map[string][]string{
	"internal/fees":     {"os", "net", "database/sql", "net/http", "time"},
	"internal/schedule": {"os", "net", "database/sql", "net/http"},
	"internal/money":    {"os", "net"},
	"internal/journal":  {"os", "net", "database/sql", "net/http", "time"},
}

type pkg struct {
	ImportPath string
	Imports    []string
}

// listPackages is go list -json of every package of the module (args:
// more flags, e.g. -tags bench).
func listPackages(t *testing.T, args ...string) []pkg {
	t.Helper()
	out, err := exec.Command("go", append(append([]string{"list"}, args...), "-json", mod+"/...")...).Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var ps []pkg
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	return ps
}

func TestImportRules(t *testing.T) {
	for _, p := range listPackages(t) {
		rel := strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, mod), "/")
		ok, known := allowed[rel]
		if !known {
			t.Errorf("%s is not placed in the layering: add it to archtest's allowed table", p.ImportPath)
			continue
		}
		for _, imp := range p.Imports {
			checkImport(t, rel, imp, ok)
		}
	}
}

func checkImport(t *testing.T, rel, imp string, ok []string) {
	t.Helper()
	if strings.HasPrefix(imp, mod) {
		dep := strings.TrimPrefix(strings.TrimPrefix(imp, mod), "/")
		if !contains(ok, dep) {
			t.Errorf("%s imports %s: dependencies point down (style.md §2); allowed: %v", rel, dep, ok)
		}
		return
	}
	for lib, where := range homes {
		if (imp == lib || strings.HasPrefix(imp, lib+"/")) && !contains(where, rel) {
			t.Errorf("%s imports %s: only %v may (one home per library, style.md §2)", rel, imp, where)
		}
	}
	for _, banned := range pure[rel] {
		if imp == banned {
			t.Errorf("%s imports %s: it must stay pure (no I/O, no clock)", rel, imp)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
