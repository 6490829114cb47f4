package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/fees"
)

// TestSQLiteFileHoldsOneSchool (issue 22): a SQLite file is made for one
// school; every table of the books carries it in every row, with no
// statement naming it; the file opened for another school is refused.
func TestSQLiteFileHoldsOneSchool(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "isima.db")
	db, err := Open(ctx, path, testNow, Create, WithSchool("isima"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.LoadCatalogue(ctx, fees.ExampleCatalogue(), testNumbering); err != nil {
		t.Fatal(err)
	}
	orderFor(t, db, "22100001", "ING-GC-3A", "01")
	tables, err := tableNames(ctx, db.sql)
	if err != nil {
		t.Fatal(err)
	}
	for _, tb := range tables {
		if tb == "schema_migrations" {
			continue
		}
		cols, err := tableColumns(ctx, db.sql, tb)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(","+strings.Join(cols, ",")+",", ",school,") {
			t.Errorf("table %s has no school column", tb)
			continue
		}
		var other int
		if err := db.sql.QueryRow(`SELECT COUNT(*) FROM "` + tb + `" WHERE school <> 'isima'`).Scan(&other); err != nil {
			t.Fatal(err)
		}
		if other != 0 {
			t.Errorf("table %s: %d rows of another school", tb, other)
		}
	}
	var students int
	db.sql.QueryRow(`SELECT COUNT(*) FROM students WHERE school = 'isima'`).Scan(&students)
	if students != 1 {
		t.Errorf("the student imported is not isima's (%d rows)", students)
	}
	db.Close()
	if _, err := Open(ctx, path, testNow, MustExist, WithSchool("polytech")); !fault.Is(err, fault.Usage) || !strings.Contains(err.Error(), "holds the books of school isima") {
		t.Fatalf("opened for another school: want a usage error naming isima, got %v", err)
	}
	if _, err := Open(ctx, path, testNow, MustExist, WithSchool("Bad School")); !fault.Is(err, fault.Usage) {
		t.Fatalf("an invalid school code: want a usage error, got %v", err)
	}
	db, err = Open(ctx, path, testNow, MustExist, WithSchool("isima"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	fs, err := db.Check(ctx, testNow.Now())
	if err != nil {
		t.Fatal(err)
	}
	if hasErrors(fs) {
		t.Errorf("db check of an isima file: %v", fs)
	}
}
