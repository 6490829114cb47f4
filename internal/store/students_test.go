package store

import (
	"context"
	"testing"
)

func TestImportStudentsUpsert(t *testing.T) {
	db := newTestDB(t)
	ctx := context.Background()
	rows := []ImportRow{
		{Student: Student{ID: "1", LastName: "A", FirstName: "B", Email: "a@b.fr", Programme: "ING-GC-3A"}, Year: "2025-2026", Line: 2},
		{Student: Student{ID: "2", LastName: "C", FirstName: "D", Email: "c@d.fr", Programme: "ING-GC-4A"}, Year: "2025-2026", Line: 3},
	}
	res, conflicts, err := db.ImportStudents(ctx, "s.csv", rows, true)
	if err != nil || len(conflicts) != 0 || res.Created != 2 {
		t.Fatalf("dry run: %+v %v %v", res, conflicts, err)
	}
	if got, _ := db.ListStudents(ctx, StudentFilter{Year: "2025-2026"}); len(got) != 0 {
		t.Fatal("dry run wrote rows")
	}
	res, _, err = db.ImportStudents(ctx, "s.csv", rows, false)
	if err != nil || res.Created != 2 || res.Dossiers != 2 {
		t.Fatalf("import: %+v %v", res, err)
	}
	rows[1].Email = "new@d.fr"
	res, _, _ = db.ImportStudents(ctx, "s.csv", rows, false)
	if res.Updated != 1 || res.Unchanged != 1 || res.Created != 0 {
		t.Fatalf("re-import: %+v", res)
	}
	// A dossier with a fee code pins the programme.
	db.sql.Exec(`UPDATE dossiers SET code='01', status='declared' WHERE student_id='1'`)
	rows[0].Programme = "ING-INFO-3A"
	res, conflicts, err = db.ImportStudents(ctx, "s.csv", rows, false)
	if err != nil || len(conflicts) != 1 || conflicts[0].Line != 2 {
		t.Fatalf("programme change after code: %+v %v %v", res, conflicts, err)
	}
	s, _ := db.GetStudent(ctx, "1", "2025-2026")
	if s.Programme != "ING-GC-3A" {
		t.Fatal("a refused import must change nothing")
	}
}

// A student_id given twice to ImportStudents: the second row updates what
// the first wrote (one student, one dossier), as before rows were streamed.
func TestImportSameIDTwiceUpdates(t *testing.T) {
	db := newTestDB(t)
	rows := []ImportRow{
		{Student: Student{ID: "22100009", LastName: "Exemple", FirstName: "Léo", Email: "leo@etu.example.org", Programme: "ING-GC-3A"}, Year: "2025-2026", Line: 2},
		{Student: Student{ID: "22100009", LastName: "Exemple", FirstName: "Léon", Email: "leo@etu.example.org", Programme: "ING-GC-3A"}, Year: "2025-2026", Line: 3},
	}
	res, conflicts, err := db.ImportStudents(context.Background(), "s.csv", rows, false)
	if err != nil || len(conflicts) > 0 {
		t.Fatalf("import: %v %v", conflicts, err)
	}
	if res.Created != 1 || res.Updated != 1 || res.Dossiers != 1 {
		t.Fatalf("result %+v, want 1 created, 1 updated, 1 dossier", res)
	}
}
