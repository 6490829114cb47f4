package billing

import (
	"database/sql"
	"testing"

	"github.com/inpctl/inpctl/internal/school"
	"github.com/inpctl/inpctl/internal/store"
	"github.com/inpctl/inpctl/internal/store/storetest"
)

// rawSQL opens the file of db through a database/sql connection of its
// own, outside the store's Go API, as anyone holding the file could, so a
// test can prove the database itself refuses what the API never does (the
// triggers). The "sqlite" driver is the store's: it has the store's SQL
// functions (store/chains.go), and store.DSN gives it the same pragmas.
func rawSQL(t *testing.T, db *store.DB) *sql.DB {
	t.Helper()
	return rawOpen(t, db.Path())
}

// rawOpen opens the database name as rawSQL does: a SQLite file, or a
// PostgreSQL database (INPCTL_TEST_PG; the tests' URLs have no password).
func rawOpen(t *testing.T, name string) *sql.DB {
	t.Helper()
	driver, dsn := "sqlite", store.DSN(name)
	if store.IsURL(name) {
		driver, dsn = "pgx", storetest.WithSchool(name, school.Default)
	}
	raw, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return raw
}
