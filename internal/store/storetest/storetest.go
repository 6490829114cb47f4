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
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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
	u, drop, err := Create(server, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := drop(); err != nil {
			t.Error(err)
		}
	})
	return u
}

// Create creates a database on server, a copy of the database of URL
// template when one is given (PostgreSQL's CREATE DATABASE … TEMPLATE), and
// returns its URL and the function that drops it.
func Create(server, template string) (string, func() error, error) {
	u, err := url.Parse(server)
	if err != nil {
		return "", nil, fmt.Errorf("%s: %w", Env, err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "inpctl_test_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", server)
	if err != nil {
		return "", nil, fmt.Errorf("%s: %w", Env, err)
	}
	ctx := context.Background()
	q := `CREATE DATABASE ` + name
	if template != "" {
		t, err := url.Parse(template)
		if err != nil {
			return "", nil, err
		}
		q += ` TEMPLATE ` + strings.Trim(t.Path, "/")
	}
	// Two copies of one template at once: PostgreSQL refuses the second
	// while the first is made ("being accessed by other users").
	for try := 0; ; try++ {
		_, err = admin.ExecContext(ctx, q)
		if err == nil || try == 50 || !strings.Contains(err.Error(), "being accessed by other users") {
			break
		}
		time.Sleep(time.Duration(20+try*5) * time.Millisecond)
	}
	if err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("create test database on %s: %w", u.Redacted(), err)
	}
	drop := func() error {
		defer admin.Close()
		// WITH (FORCE) ends the connections a failed test left open.
		if _, err := admin.ExecContext(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
			return fmt.Errorf("drop test database %s: %w", name, err)
		}
		return nil
	}
	u.Path = "/" + name
	return u.String(), drop, nil
}

// Drop drops the database of URL db on server (a template Create made).
func Drop(server, db string) error {
	u, err := url.Parse(db)
	if err != nil {
		return err
	}
	admin, err := sql.Open("pgx", server)
	if err != nil {
		return err
	}
	defer admin.Close()
	_, err = admin.ExecContext(context.Background(), `DROP DATABASE IF EXISTS `+strings.Trim(u.Path, "/")+` WITH (FORCE)`)
	return err
}

// WithSchool is a PostgreSQL URL whose connections start with
// inpctl.school set to school, as inpctl's own do: a test's raw SQL then
// sees and writes that school's rows (the column defaults and the
// row-level security of migrations_pg/0013 read it).
func WithSchool(dbURL, school string) string {
	u, err := url.Parse(dbURL)
	if err != nil {
		return dbURL
	}
	q := u.Query()
	q.Set("inpctl.school", school)
	u.RawQuery = q.Encode()
	return u.String()
}
