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
	res, conflicts, err := db.ImportStudents(ctx, "s.csv", rows, true, nil)
	if err != nil || len(conflicts) != 0 || res.Created != 2 {
		t.Fatalf("dry run: %+v %v %v", res, conflicts, err)
	}
	if got, _ := db.ListStudents(ctx, StudentFilter{Year: "2025-2026"}); len(got) != 0 {
		t.Fatal("dry run wrote rows")
	}
	res, _, err = db.ImportStudents(ctx, "s.csv", rows, false, nil)
	if err != nil || res.Created != 2 || res.Dossiers != 2 {
		t.Fatalf("import: %+v %v", res, err)
	}
	rows[1].Email = "new@d.fr"
	res, _, _ = db.ImportStudents(ctx, "s.csv", rows, false, nil)
	if res.Updated != 1 || res.Unchanged != 1 || res.Created != 0 {
		t.Fatalf("re-import: %+v", res)
	}
	// The check sees what is stored and refuses a row; the refused
	// import writes nothing, not even the rows it did not refuse.
	db.sql.Exec(`UPDATE dossiers SET code='01', status='declared' WHERE student_id='1'`)
	rows[0].Programme = "ING-INFO-3A"
	rows[1].Email = "newer@d.fr"
	var seen []ImportPrior
	refuse := func(r ImportRow, p ImportPrior) string {
		seen = append(seen, p)
		if r.ID == "1" {
			return "refused"
		}
		return ""
	}
	res, conflicts, err = db.ImportStudents(ctx, "s.csv", rows, false, refuse)
	if err != nil || len(conflicts) != 1 || conflicts[0].Line != 2 || conflicts[0].Msg != "refused" {
		t.Fatalf("refused row: %+v %v %v", res, conflicts, err)
	}
	want := []ImportPrior{{Programme: "ING-GC-3A", Dossier: true, DossierProgramme: "ING-GC-3A", Code: "01"}, {Programme: "ING-GC-4A", Dossier: true, DossierProgramme: "ING-GC-4A"}}
	if len(seen) != 2 || seen[0] != want[0] || seen[1] != want[1] {
		t.Fatalf("check saw %+v, want %+v", seen, want)
	}
	s, _ := db.GetStudent(ctx, "1", "2025-2026")
	s2, _ := db.GetStudent(ctx, "2", "2025-2026")
	if s.Programme != "ING-GC-3A" || s2.Email != "new@d.fr" {
		t.Fatal("a refused import must change nothing")
	}
	// The store decides nothing: without a check the change is written
	// (the rule is billing's keepProgramme).
	if _, conflicts, err = db.ImportStudents(ctx, "s.csv", rows, false, nil); err != nil || len(conflicts) != 0 {
		t.Fatalf("no check: %v %v", conflicts, err)
	}
	if s, _ = db.GetStudent(ctx, "1", "2025-2026"); s.Programme != "ING-INFO-3A" {
		t.Fatalf("programme %s, want ING-INFO-3A", s.Programme)
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
	res, conflicts, err := db.ImportStudents(context.Background(), "s.csv", rows, false, nil)
	if err != nil || len(conflicts) > 0 {
		t.Fatalf("import: %v %v", conflicts, err)
	}
	if res.Created != 1 || res.Updated != 1 || res.Dossiers != 1 {
		t.Fatalf("result %+v, want 1 created, 1 updated, 1 dossier", res)
	}
}
