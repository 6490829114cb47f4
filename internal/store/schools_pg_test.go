package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/fees"
	"github.com/inpctl/inpctl/internal/store/storetest"
)

// TestPostgresEveryTableHasASchoolPolicy (issue 22): every table of the
// books but schema_migrations has a school column, row-level security
// ENABLEd and FORCEd, and the policy school for reads and writes (USING
// and WITH CHECK). A migration that adds a table without them fails here.
func TestPostgresEveryTableHasASchoolPolicy(t *testing.T) {
	if !storetest.Postgres() {
		t.Skip("PostgreSQL only (INPCTL_TEST_PG)")
	}
	db := newTestDB(t)
	rows, err := db.sql.Query(`SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
			EXISTS (SELECT 1 FROM information_schema.columns k WHERE k.table_schema = n.nspname AND k.table_name = c.relname AND k.column_name = 'school'),
			COALESCE((SELECT p.polcmd::text || ':' || (p.polqual IS NOT NULL)::text || ':' || (p.polwithcheck IS NOT NULL)::text
				FROM pg_policy p WHERE p.polrelid = c.oid AND p.polname = 'school'), '')
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = current_schema() AND c.relkind = 'r' ORDER BY c.relname`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	seen := 0
	for rows.Next() {
		var name, policy string
		var enabled, forced, hasSchool bool
		if err := rows.Scan(&name, &enabled, &forced, &hasSchool, &policy); err != nil {
			t.Fatal(err)
		}
		if name == "schema_migrations" {
			continue
		}
		seen++
		if !hasSchool || !enabled || !forced || policy != "*:true:true" {
			t.Errorf("table %s: school column %v, row-level security enabled %v, forced %v, policy %q (want a school column, both, and policy school for every command with USING and WITH CHECK)",
				name, hasSchool, enabled, forced, policy)
		}
	}
	if seen < 30 {
		t.Fatalf("only %d tables seen", seen)
	}
}

// TestPostgresSchoolsApart (issue 22): two schools on one PostgreSQL
// database, opened by the books' owner (not a superuser, so row-level
// security holds it): each has its own catalogue (the same codes),
// numbering and students; neither sees the other's. A scolarite clerk of
// one school does not see the other's invoice and may not select the
// other school; a write into the other school is refused by the
// database; a superuser, whom no policy holds, is refused on these books.
func TestPostgresSchoolsApart(t *testing.T) {
	if !storetest.Postgres() {
		t.Skip("PostgreSQL only (INPCTL_TEST_PG)")
	}
	ctx := context.Background()
	super := storetest.DB(t)
	admin, err := sql.Open("pgx", super)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	var b [4]byte
	_, _ = rand.Read(b[:])
	sfx := hex.EncodeToString(b[:])
	schoolA, schoolB := "pa"+sfx, "pb"+sfx
	owner, clerk := "inpctl_t_owner_"+sfx, "inpctl_t_clerk_"+sfx
	dbName := strings.Trim(mustURL(t, super).Path, "/")
	for _, q := range []string{
		`CREATE ROLE ` + owner + ` LOGIN`,
		`ALTER DATABASE ` + dbName + ` OWNER TO ` + owner,
	} {
		if _, err := admin.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		// Roles are the server's, not the database's: the database goes
		// first (it belongs to owner), then the roles.
		a, err := sql.Open("pgx", os.Getenv(storetest.Env))
		if err != nil {
			return
		}
		defer a.Close()
		a.Exec(`DROP DATABASE IF EXISTS ` + dbName + ` WITH (FORCE)`)
		for _, r := range []string{clerk, owner, "inpctl_school_" + schoolA, "inpctl_school_" + schoolB} {
			a.Exec(`DROP ROLE IF EXISTS ` + r)
		}
	})
	as := func(user string) string {
		u := mustURL(t, super)
		u.User = url.User(user)
		return u.String()
	}
	open := func(user, school string, mode OpenMode) (*DB, error) {
		db, err := Open(ctx, as(user), testNow, mode, WithSchool(school))
		if err == nil {
			t.Cleanup(func() { db.Close() })
			db.SetActor(Actor{Operator: "tester", Command: "inpctl test"})
		}
		return db, err
	}
	a, err := open(owner, schoolA, Create)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.LoadCatalogue(ctx, fees.ExampleCatalogue(), testNumbering); err != nil {
		t.Fatal(err)
	}
	if _, err := open(owner, schoolB, MustExist); !fault.Is(err, fault.NoDB) {
		t.Fatalf("a school the books do not hold, not init: want NoDB, got %v", err)
	}
	bdb, err := open(owner, schoolB, Create)
	if err != nil {
		t.Fatal(err)
	}
	if !bdb.SchoolAdded() {
		t.Error("init of a second school: SchoolAdded is false")
	}
	numB := Numbering{OrderPrefix: "CMDB", OrderStart: 1, InvoicePrefix: "B", InvoiceStart: 1, CreditNotePrefix: "AVB", CreditNoteStart: 1, PaymentPrefix: "REGB", PaymentStart: 1}
	if _, err := bdb.LoadCatalogue(ctx, fees.ExampleCatalogue(), numB); err != nil {
		t.Fatalf("the same catalogue for a second school: %v", err)
	}
	issue := func(db *DB, id string) Invoice {
		t.Helper()
		orderID := orderFor(t, db, id, "ING-GC-3A", "01")
		var inv Invoice
		inTx(t, db, func(ctx context.Context, tx *Tx) error {
			var err error
			inv, err = tx.IssueInvoice(ctx, InvoiceDraft{OrderID: orderID, StudentID: id, Date: "2025-09-01", Session: "S", ClientName: "Client",
				Lines: []fees.Line{{Designation: "Droits", Qty: 1, UnitHT: 1}}, HT: 1, TTC: 1})
			return err
		})
		return inv
	}
	invA, invB := issue(a, "22100001"), issue(bdb, "22200001")
	if invA.Number == invB.Number {
		t.Fatalf("both schools issued invoice %s", invA.Number)
	}
	if !strings.HasPrefix(invB.Number, "B") {
		t.Errorf("school B's first invoice is %s, want its own series (prefix B)", invB.Number)
	}
	students := func(db *DB) []string {
		t.Helper()
		vs, err := db.ListStudents(ctx, StudentFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, v := range vs {
			ids = append(ids, v.ID)
		}
		return ids
	}
	if got := strings.Join(students(a), ","); got != "22100001" {
		t.Errorf("school A sees students %s", got)
	}
	if got := strings.Join(students(bdb), ","); got != "22200001" {
		t.Errorf("school B sees students %s", got)
	}
	if _, err := a.Invoice(ctx, invB.Number); !fault.Is(err, fault.NotFound) {
		t.Errorf("school A reading school B's invoice %s: want not found, got %v", invB.Number, err)
	}
	for _, db := range []*DB{a, bdb} {
		fs, err := db.Check(ctx, testNow.Now())
		if err != nil {
			t.Fatal(err)
		}
		if hasErrors(fs) {
			t.Errorf("db check of school %s: %v", db.School(), fs)
		}
	}
	// The owner's backup holds its school's rows (pg_dump cannot read
	// past the policies that hold the owner).
	if _, err := exec.LookPath("pg_dump"); err == nil {
		path := filepath.Join(t.TempDir(), "a.dump")
		if err := a.Backup(ctx, path); err != nil {
			t.Fatalf("the owner's backup of school A: %v", err)
		}
		out, err := exec.Command("pg_restore", "--data-only", "--table=students", "--file=-", path).CombinedOutput()
		if err != nil {
			t.Fatalf("pg_restore: %v: %s", err, out)
		}
		if !strings.Contains(string(out), "22100001") || strings.Contains(string(out), "22200001") {
			t.Errorf("school A's backup: want its student and not school B's:\n%s", out)
		}
	}
	// The database refuses a row written into another school, whatever
	// the statement says.
	_, err = a.sql.Exec(`INSERT INTO journal_exports(date_from, date_to, at, operator, school) VALUES ('2025-09-01', '2025-09-30', 'x', 'x', ?)`, schoolB)
	if err == nil || !strings.Contains(err.Error(), "row-level security") {
		t.Errorf("school A writing a row of school B: want refused by row-level security, got %v", err)
	}

	// A scolarite clerk of school A.
	roles, err := a.RolesSQL(ctx, []string{schoolA, schoolB})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(roles, "CREATE ROLE "+SchoolRole(schoolB)+" NOLOGIN") {
		t.Errorf("db roles --print-sql does not create school B's role:\n%s", roles)
	}
	for _, q := range []string{roles,
		`CREATE ROLE ` + clerk + ` LOGIN IN ROLE inpctl_scolarite, inpctl_school_` + schoolA,
	} {
		if _, err := admin.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	c, err := open(clerk, schoolA, MustExist)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(students(c), ","); got != "22100001" {
		t.Errorf("school A's clerk sees students %s", got)
	}
	if _, err := c.Invoice(ctx, invA.Number); err != nil {
		t.Errorf("school A's clerk reading its invoice: %v", err)
	}
	if _, err := c.Invoice(ctx, invB.Number); !fault.Is(err, fault.NotFound) {
		t.Errorf("school A's clerk reading school B's invoice: want invisible (not found), got %v", err)
	}
	if _, err := open(clerk, schoolB, MustExist); !fault.Is(err, fault.Conflict) || !strings.Contains(err.Error(), "may not work on school "+schoolB) {
		t.Errorf("school A's clerk selecting school B: want refused by the database, got %v", err)
	}
	// Under inpctl: the same clerk's own SQL setting the other school.
	raw, err := sql.Open("pgx", as(clerk))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var n int
	if err := raw.QueryRow(`SELECT COUNT(*) FROM invoices`).Scan(&n); err == nil && n != 0 {
		t.Errorf("a clerk's connection with no school set read %d invoices, want none", n)
	}
	tx, err := raw.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`SELECT set_config('inpctl.school', $1, true)`, schoolB); err != nil {
		t.Fatal(err)
	}
	if err := tx.QueryRow(`SELECT COUNT(*) FROM invoices`).Scan(&n); err == nil {
		t.Errorf("a clerk of school A setting school B read %d invoices, want refused", n)
	}

	if _, err := Open(ctx, super, testNow, MustExist, WithSchool(schoolA)); !fault.Is(err, fault.Conflict) || !strings.Contains(err.Error(), "bypasses row-level security") {
		t.Errorf("a superuser on the books of two schools: want refused, got %v", err)
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
