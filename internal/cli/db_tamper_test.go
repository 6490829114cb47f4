package cli

// Issue 17 item 5: every way of changing the books behind inpctl's back that
// the issue lists is a case here. Each case starts from a copy of one
// rehearsed year (invoices, credit notes, card and cheque payments, a refund,
// Paybox notifications, attempts, tariffs, the audit log), sealed before any
// change. The forger has the database file and SQLite: guard triggers are
// dropped for the change and put back exactly as they were afterwards, so
// that the schema fingerprint (E017) is clean and the chain checks alone
// must see the change. Then db check must fail with the case's code, and
// db check --against the seal taken before must fail too.

import (
	"bytes"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// tamperBase is the rehearsed year and its seal, made once per test binary.
var tamperBase struct {
	once          sync.Once
	db, seal, key string
	err           error
}

func tamperYear(t *testing.T) (db, seal, key string) {
	t.Helper()
	b := &tamperBase
	b.once.Do(func() {
		dir, err := os.MkdirTemp("", "inpctl-tamper-")
		if err != nil {
			b.err = err
			return
		}
		year := filepath.Join(dir, "year")
		env := rehearsalEnv(dir)
		if code := Run(env, []string{"rehearse", "--students", "60", "--dir", year}); code != 0 {
			b.err = fmt.Errorf("rehearse: exit %d: %s", code, env.IO.Err.(*bytes.Buffer).String())
			return
		}
		keys := filepath.Join(dir, "keys")
		if err := os.Mkdir(keys, 0o700); err != nil {
			b.err = err
			return
		}
		b.db, b.seal, b.key = filepath.Join(year, "inpctl.db"), filepath.Join(dir, "before.seal"), filepath.Join(keys, "seal.key")
		env = tamperEnv(dir, b.db, b.key)
		if code := Run(env, []string{"db", "check", "--seal", b.seal}); code != 0 {
			b.err = fmt.Errorf("db check --seal: exit %d: %s", code, env.IO.Err.(*bytes.Buffer).String())
		}
	})
	if b.err != nil {
		t.Fatal(b.err)
	}
	return b.db, b.seal, b.key
}

func tamperEnv(dir, db, key string) *Env {
	return rehearsalEnv(dir, "INPCTL_DB", db, "INPCTL_SEAL_KEY_FILE", key, "INPCTL_NOW", "2026-07-01T09:00:00+02:00")
}

// dbCheckCodes runs db check (with args) on db and returns its exit status
// and the codes of its error findings, sorted and without repeats.
func dbCheckCodes(t *testing.T, dir, db, key string, args ...string) (int, []string) {
	t.Helper()
	env := tamperEnv(dir, db, key)
	code := Run(env, append([]string{"db", "check", "-o", "json"}, args...))
	var fs []struct {
		Code    string `json:"code"`
		Warning bool   `json:"warning"`
	}
	out := env.IO.Out.(*bytes.Buffer).Bytes()
	if err := json.Unmarshal(out, &fs); err != nil {
		t.Fatalf("db check %v: exit %d, output not JSON (%v): %s %s", args, code, err, out, env.IO.Err.(*bytes.Buffer).String())
	}
	var codes []string
	for _, f := range fs {
		if !f.Warning && !slices.Contains(codes, f.Code) {
			codes = append(codes, f.Code)
		}
	}
	slices.Sort(codes)
	return code, codes
}

// forger is an open connection to a copied database, as anyone with the
// file and SQLite has it.
type forger struct {
	t  *testing.T
	db *sql.DB
}

func openForger(t *testing.T, path string) *forger {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1) // one connection: temp tables and the transaction stay with it
	t.Cleanup(func() { db.Close() })
	return &forger{t: t, db: db}
}

func (f *forger) exec(stmts ...string) {
	f.t.Helper()
	for _, s := range stmts {
		if _, err := f.db.Exec(s); err != nil {
			f.t.Fatalf("forger: %s: %v", s, err)
		}
	}
}

// unguarded runs change with every trigger of the database dropped except
// keep (the _chain triggers, when the forger wants the chains recomputed),
// then creates the dropped triggers again from their own SQL text: the
// schema is as the migrations made it once the change is done.
func (f *forger) unguarded(keep func(name string) bool, change func()) {
	f.t.Helper()
	if err := withoutTriggers(f.db, keep, func() error { change(); return nil }); err != nil {
		f.t.Fatal(err)
	}
}

// withoutTriggers is unguarded for a script (sqlexec -unguarded).
func withoutTriggers(db *sql.DB, keep func(name string) bool, change func() error) error {
	rows, err := db.Query(`SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name`)
	if err != nil {
		return err
	}
	type trig struct{ name, sql string }
	var dropped []trig
	for rows.Next() {
		var tr trig
		if err := rows.Scan(&tr.name, &tr.sql); err != nil {
			return err
		}
		if keep == nil || !keep(tr.name) {
			dropped = append(dropped, tr)
		}
	}
	if err := rows.Close(); err != nil {
		return err
	}
	for _, tr := range dropped {
		if _, err := db.Exec(`DROP TRIGGER "` + tr.name + `"`); err != nil {
			return err
		}
	}
	if err := change(); err != nil {
		return err
	}
	for _, tr := range dropped {
		if _, err := db.Exec(tr.sql); err != nil {
			return fmt.Errorf("create trigger %s again: %w", tr.name, err)
		}
	}
	return nil
}

// cmdSQLExec runs SQL statements on the script's database, as someone with
// the file and SQLite would (a script that shows what db check and a seal
// see):
//
//	sqlexec [-unguarded | -keep-chains] STATEMENT…
//
// -unguarded drops every trigger for the statements and creates them again
// after, exactly as they were; -keep-chains does so with every trigger but
// the _chain ones, so that rows inserted again are chained again.
func cmdSQLExec(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("sqlexec does not support !")
	}
	var keep func(string) bool
	unguarded := len(args) > 0 && (args[0] == "-unguarded" || args[0] == "-keep-chains")
	if unguarded {
		if args[0] == "-keep-chains" {
			keep = keepChains
		}
		args = args[1:]
	}
	if len(args) == 0 {
		ts.Fatalf("usage: sqlexec [-unguarded | -keep-chains] STATEMENT…")
	}
	db, err := sql.Open("sqlite", ts.Getenv("INPCTL_DB"))
	ts.Check(err)
	defer db.Close()
	db.SetMaxOpenConns(1)
	run := func() error {
		for _, s := range args {
			if _, err := db.Exec(s); err != nil {
				return fmt.Errorf("%s: %w", s, err)
			}
		}
		return nil
	}
	if unguarded {
		ts.Check(withoutTriggers(db, keep, run))
		return
	}
	ts.Check(run())
}

func keepChains(name string) bool { return strings.HasSuffix(name, "_chain") }

// rechain rewrites the chain of series (its table has the same name) from
// its rows as they are now, in the order of their links, through the
// table's own _chain trigger: what a forger who knows inpctl_chain does
// after changing a row. Only a seal can tell.
func (f *forger) rechain(series string) {
	f.t.Helper()
	f.exec(
		`CREATE TEMP TABLE ord AS SELECT k1, n FROM chain_links WHERE series = '`+series+`'`,
		`CREATE TEMP TABLE saved AS SELECT * FROM `+series,
		`DELETE FROM `+series,
		`DELETE FROM chain_links WHERE series = '`+series+`'`,
		`UPDATE chain_heads SET n = 0, head = '', total = 0 WHERE series = '`+series+`'`,
		`INSERT INTO `+series+` SELECT s.* FROM saved s JOIN ord o ON o.k1 = s.id ORDER BY o.n`,
		`DROP TABLE temp.ord`, `DROP TABLE temp.saved`)
}

// rechainAudit recomputes the audit log's hashes from its first row on,
// with the formula of store.auditHash (the source is public), and moves
// the audit head of chain_heads to the new last hash.
func (f *forger) rechainAudit() {
	f.t.Helper()
	rows, err := f.db.Query(`SELECT id, at, operator, command, args, entity, summary FROM audit_log ORDER BY id`)
	if err != nil {
		f.t.Fatal(err)
	}
	type row struct {
		id   int64
		cols [6]string
		prev string
		hash string
	}
	var all []row
	prev := ""
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.cols[0], &r.cols[1], &r.cols[2], &r.cols[3], &r.cols[4], &r.cols[5]); err != nil {
			f.t.Fatal(err)
		}
		h := sha256.New()
		for _, s := range append([]string{prev}, r.cols[:]...) {
			fmt.Fprintf(h, "%d:%s\n", len(s), s)
		}
		r.prev, r.hash = prev, hex.EncodeToString(h.Sum(nil))
		prev = r.hash
		all = append(all, r)
	}
	if err := rows.Close(); err != nil {
		f.t.Fatal(err)
	}
	for _, r := range all {
		if _, err := f.db.Exec(`UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?`, r.prev, r.hash, r.id); err != nil {
			f.t.Fatal(err)
		}
	}
	if _, err := f.db.Exec(`UPDATE chain_heads SET n = ?, head = ? WHERE series = 'audit_log'`, len(all), prev); err != nil {
		f.t.Fatal(err)
	}
}

// tampering is one change behind inpctl's back.
type tampering struct {
	name string
	do   func(f *forger)
	// check is the code db check alone must report; "" when the forger
	// recomputed the chain, which only the seal can tell (db check must
	// then pass: the case proves the seal is needed, not decorative).
	check string
	// against is the code db check --against the earlier seal must report.
	against string
}

func tamperings() []tampering {
	ug := func(stmts ...string) func(f *forger) {
		return func(f *forger) { f.unguarded(nil, func() { f.exec(stmts...) }) }
	}
	lastInvoice := `(SELECT MAX(id) FROM invoices)`
	return []tampering{
		// The guards themselves.
		{name: "guard trigger dropped", check: "E017", against: "E017",
			do: func(f *forger) { f.exec(`DROP TRIGGER payments_no_delete`) }},
		{name: "guard trigger weakened", check: "E017", against: "E017",
			do: func(f *forger) {
				f.exec(`DROP TRIGGER attempts_outcome_final`,
					`CREATE TRIGGER attempts_outcome_final BEFORE UPDATE OF state ON attempts WHEN 0 BEGIN SELECT RAISE(ABORT, 'x'); END`)
			}},
		{name: "chain trigger dropped", check: "E017", against: "E017",
			do: func(f *forger) { f.exec(`DROP TRIGGER refunds_chain`) }},
		{name: "trigger added", check: "E017", against: "E017",
			do: func(f *forger) {
				f.exec(`CREATE TRIGGER payments_spy AFTER INSERT ON payments BEGIN SELECT 1; END`)
			}},
		// Invoices and their lines.
		{name: "invoice amount raised", check: "E018", against: "E021",
			do: ug(`UPDATE invoices SET ttc = ttc + 10000, ht = ht + 10000 WHERE id = 1`)},
		{name: "invoice client changed", check: "E018", against: "E021",
			do: ug(`UPDATE invoices SET client_name = 'Someone Else' WHERE id = 2`)},
		{name: "invoice client address changed", check: "E018", against: "E021",
			do: ug(`UPDATE invoices SET client_address = '1 rue Ailleurs, 63000 Clermont-Ferrand' WHERE id = 3`)},
		{name: "invoice line edited", check: "E018", against: "E021",
			do: ug(`UPDATE invoice_lines SET designation = 'Autre chose' WHERE invoice_id = 1`)},
		{name: "invoice line amount edited", check: "E018", against: "E021",
			do: ug(`UPDATE invoice_lines SET amount_ht = amount_ht + 1, unit_ht = unit_ht + 1 WHERE invoice_id = 4`)},
		{name: "last invoice deleted", check: "E018", against: "E021",
			do: ug(`DELETE FROM invoice_lines WHERE invoice_id = `+lastInvoice, `DELETE FROM invoices WHERE id = `+lastInvoice)},
		{name: "last invoice deleted with its links", check: "E019", against: "E021",
			do: ug(`DELETE FROM chain_links WHERE series = 'invoices' AND n = (SELECT n FROM chain_heads WHERE series = 'invoices')`,
				`DELETE FROM invoice_lines WHERE invoice_id = `+lastInvoice, `DELETE FROM invoices WHERE id = `+lastInvoice)},
		{name: "last credit note deleted", check: "E018", against: "E021",
			do: ug(`DELETE FROM credit_notes WHERE id = (SELECT MAX(id) FROM credit_notes)`)},
		// Money movements.
		{name: "payment inserted", check: "E018", against: "E018", // after the sealed rows: the seal allows rows written since, the chain does not
			do: ug(`INSERT INTO payments(number, student_id, date, amount, method, ref, created_at)
				SELECT 'REG-FORGED', student_id, date, 50000, 'cheque', 'CHQ 1', created_at FROM payments WHERE id = 1`)},
		{name: "payment deleted", check: "E018", against: "E021",
			do: ug(`DELETE FROM allocations WHERE payment_id = 2`, `DELETE FROM payments WHERE id = 2`)},
		{name: "payment moved to another student", check: "E018", against: "E021",
			do: ug(`UPDATE payments SET student_id = (SELECT id FROM students WHERE id <> payments.student_id LIMIT 1) WHERE id = 3`)},
		{name: "payment amount changed", check: "E018", against: "E021",
			do: ug(`UPDATE payments SET amount = amount - 100 WHERE id = 4`)},
		{name: "allocation moved to another invoice", check: "E018", against: "E021",
			do: ug(`UPDATE allocations SET invoice_id = (SELECT MIN(id) FROM invoices WHERE id <> allocations.invoice_id) WHERE id = 1`)},
		{name: "refund deleted", check: "E018", against: "E021",
			do: ug(`DELETE FROM refunds`)},
		{name: "refund amount changed", check: "E018", against: "E021",
			do: ug(`UPDATE refunds SET amount = amount + 100`)},
		{name: "notification deleted", check: "E018", against: "E021",
			do: ug(`DELETE FROM notifications WHERE id = (SELECT MAX(id) FROM notifications)`)},
		// Attempts and tariffs, which change in place and keep their versions.
		{name: "approved attempt set back to failed", check: "E020", against: "E020",
			do: ug(`UPDATE attempts SET state = 'failed', code = '00001' WHERE id = (SELECT MIN(id) FROM attempts WHERE state = 'approved')`)},
		{name: "attempt version deleted", check: "E018", against: "E021",
			do: ug(`DELETE FROM attempt_outcomes WHERE id = (SELECT MAX(id) FROM attempt_outcomes)`)},
		{name: "tariff in use changed", check: "E020", against: "E020",
			do: ug(`UPDATE tariffs SET amount = amount + 100 WHERE rowid = (SELECT MIN(rowid) FROM tariffs)`)},
		{name: "tariff version edited", check: "E018", against: "E021",
			do: ug(`UPDATE tariff_history SET amount = amount + 100 WHERE id = 1`)},
		{name: "series total changed", check: "E019", against: "E019", // the sealed rows still add up to the sealed total
			do: ug(`UPDATE chain_heads SET total = total + 100000 WHERE series = 'payments'`)},
		// The audit log.
		{name: "audit row edited", check: "E010", against: "E010",
			do: ug(`UPDATE audit_log SET summary = 'nothing happened' WHERE id = 5`)},
		{name: "last audit rows deleted", check: "E019", against: "E021",
			do: ug(`DELETE FROM audit_log WHERE id > (SELECT MAX(id) - 3 FROM audit_log)`)},
		// A forger who recomputes the chain: only the seal sees it.
		{name: "audit row edited, chain recomputed", check: "", against: "E021",
			do: func(f *forger) {
				f.unguarded(nil, func() {
					f.exec(`UPDATE audit_log SET summary = 'nothing happened' WHERE id = 5`)
					f.rechainAudit()
				})
			}},
		{name: "payment reference edited, chain recomputed", check: "", against: "E021",
			do: func(f *forger) {
				f.unguarded(keepChains, func() {
					f.exec(`UPDATE payments SET ref = 'VIR FORGED' WHERE id = 1`)
					f.rechain("payments")
				})
			}},
		{name: "last credit note deleted, chain recomputed", check: "", against: "E021",
			do: func(f *forger) {
				f.unguarded(keepChains, func() {
					f.exec(`DELETE FROM credit_notes WHERE id = (SELECT MAX(id) FROM credit_notes)`)
					f.rechain("credit_notes")
				})
			}},
	}
}

// TestDBCheckFindsEachTampering is issue 17's "each of the 24 tamperings is
// a seeded test that db check fails", with the seal taken before each.
func TestDBCheckFindsEachTampering(t *testing.T) {
	base, seal, key := tamperYear(t)
	dir := filepath.Dir(filepath.Dir(base))
	// The untouched copy passes both, or the cases below prove nothing.
	if code, codes := dbCheckCodes(t, dir, base, key); code != 0 || len(codes) != 0 {
		t.Fatalf("untouched year: db check exit %d, %v", code, codes)
	}
	if code, codes := dbCheckCodes(t, dir, base, key, "--against", seal); code != 0 || len(codes) != 0 {
		t.Fatalf("untouched year: db check --against exit %d, %v", code, codes)
	}
	cases := tamperings()
	if len(cases) < 24 {
		t.Fatalf("%d tamperings, the issue lists 24", len(cases))
	}
	for _, tc := range cases {
		t.Run(strings.ReplaceAll(tc.name, " ", "_"), func(t *testing.T) {
			cdir := t.TempDir()
			db := filepath.Join(cdir, "inpctl.db")
			copyFile(t, base, db)
			f := openForger(t, db)
			tc.do(f)
			f.db.Close()

			code, codes := dbCheckCodes(t, cdir, db, key)
			switch {
			case tc.check == "" && (code != 0 || len(codes) != 0):
				t.Errorf("a recomputed chain: db check alone cannot tell (the seal does), want it clean, got exit %d %v", code, codes)
			case tc.check != "" && (code != 5 || !slices.Contains(codes, tc.check)):
				t.Errorf("db check: want exit 5 with %s, got exit %d %v", tc.check, code, codes)
			}
			code, codes = dbCheckCodes(t, cdir, db, key, "--against", seal)
			if code != 5 || !slices.Contains(codes, tc.against) {
				t.Errorf("db check --against the seal taken before: want exit 5 with %s, got exit %d %v", tc.against, code, codes)
			}
		})
	}
}

// TestSealRefusesAnotherKeyOrAnEditedSeal: the seal proves nothing if it
// can be edited or re-signed: an edited seal file and a seal checked with
// another key are both E022, whatever the books say.
func TestSealRefusesAnotherKeyOrAnEditedSeal(t *testing.T) {
	base, seal, key := tamperYear(t)
	dir := t.TempDir()
	b, err := os.ReadFile(seal)
	if err != nil {
		t.Fatal(err)
	}
	var s map[string]any
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	series := s["series"].([]any)
	first := series[0].(map[string]any)
	first["count"] = first["count"].(float64) - 1 // "fewer rows were sealed": would hide a deletion
	edited, _ := json.Marshal(s)
	editedPath := filepath.Join(dir, "edited.seal")
	if err := os.WriteFile(editedPath, edited, 0o600); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "inpctl.db")
	copyFile(t, base, db)
	if code, codes := dbCheckCodes(t, dir, db, key, "--against", editedPath); code != 5 || !slices.Contains(codes, "E022") {
		t.Errorf("edited seal: want exit 5 with E022, got exit %d %v", code, codes)
	}
	other := filepath.Join(t.TempDir(), "other.key")
	env := tamperEnv(dir, db, other)
	if code := Run(env, []string{"db", "check", "--seal", filepath.Join(dir, "other.seal")}); code != 0 {
		t.Fatalf("seal with another key: exit %d %s", code, env.IO.Err.(*bytes.Buffer).String())
	}
	if code, codes := dbCheckCodes(t, dir, db, key, "--against", filepath.Join(dir, "other.seal")); code != 5 || !slices.Contains(codes, "E022") {
		t.Errorf("seal of another key: want exit 5 with E022, got exit %d %v", code, codes)
	}
}
