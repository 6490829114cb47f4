package billing

import (
	"database/sql"
	"testing"

	"github.com/inpctl/inpctl/internal/store"
)

// rawSQL opens the file of db through a database/sql connection of its
// own, outside the store's Go API, as anyone holding the file could, so a
// test can prove the database itself refuses what the API never does (the
// triggers). The "sqlite" driver is the store's: it has the store's SQL
// functions (store/chain.go), and store.DSN gives it the same pragmas.
func rawSQL(t *testing.T, db *store.DB) *sql.DB {
	t.Helper()
	raw, err := sql.Open("sqlite", store.DSN(db.Path()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return raw
}
