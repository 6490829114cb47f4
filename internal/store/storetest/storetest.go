// Package storetest gives each test its own empty database: a SQLite file
// in the test's temporary folder, or, when INPCTL_TEST_PG names a
// PostgreSQL server (scripts/pg.sh start), a database created on it for
// the test and dropped after it (issue 22: the suite runs on both).
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
)

// Env names the PostgreSQL server of the tests: a postgres:// URL whose
// user may create databases.
const Env = "INPCTL_TEST_PG"

// Postgres reports whether the tests run on PostgreSQL.
func Postgres() bool { return os.Getenv(Env) != "" }

// DB returns the name of a new empty database for t: what store.Open and
// --db take.
func DB(t testing.TB) string {
	t.Helper()
	server := os.Getenv(Env)
	if server == "" {
		return filepath.Join(t.TempDir(), "t.db")
	}
	return NewPostgres(t, server)
}

// NewPostgres creates an empty database on server for t and drops it when
// t ends, and returns its URL.
func NewPostgres(t testing.TB, server string) string {
	t.Helper()
	u, err := url.Parse(server)
	if err != nil {
		t.Fatalf("%s: %v", Env, err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "inpctl_test_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", server)
	if err != nil {
		t.Fatalf("%s: %v", Env, err)
	}
	ctx := context.Background()
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
		admin.Close()
		t.Fatalf("create test database on %s: %v", u.Redacted(), err)
	}
	t.Cleanup(func() {
		// WITH (FORCE) ends the connections a failed test left open.
		if _, err := admin.ExecContext(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
			t.Errorf("drop test database %s: %v", name, err)
		}
		admin.Close()
	})
	u.Path = "/" + name
	return u.String()
}
