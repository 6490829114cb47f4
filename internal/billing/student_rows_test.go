package billing

import (
	"context"
	"strings"
	"testing"

	"github.com/inpctl/inpctl/internal/csvin"
	"github.com/inpctl/inpctl/internal/fees"
	"github.com/inpctl/inpctl/internal/store"
)

// TestStudentSourceRules: every rule of a student row, each reported with
// its line and field, and nothing yielded once a line is bad.
func TestStudentSourceRules(t *testing.T) {
	data := "student_id,last_name,first_name,email,programme,academic_year,apprentice\n" +
		"22100001,Exemple,Zoé,zoe.exemple@etu.example.org,ING-GC-3A,,non\n" +
		"22100002,,Léo,leo@etu,ING-GC-3A,2025-26,peut-être\n" +
		"22100001,Essai,,essai@etu.example.org,ING-XX,,\n" +
		"bad id!,Fictif,Noé,noe@etu.example.org,ING-GC-3A,,oui\n"
	rd, err := csvin.NewReader("students.csv", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	var got []store.ImportRow
	err = NewStudentSource(rd, fees.ExampleCatalogue(), "2025-2026").Rows(func(r store.ImportRow) error {
		got = append(got, r)
		return nil
	})
	if err == nil {
		t.Fatal("bad rows accepted")
	}
	for _, want := range []string{
		"students.csv:3: last_name: is empty",
		`students.csv:3: email: "leo@etu" is not an e-mail address`,
		`students.csv:3: academic_year: "2025-26" is not an academic year`,
		"students.csv:3: apprentice:",
		"students.csv:4: student_id: 22100001 appears twice in the file (lines 2 and 4)",
		"students.csv:4: first_name: is empty",
		`students.csv:4: programme: "ING-XX" is not in the catalogue (known: `,
		`students.csv:5: student_id: "bad id!" is not a student number`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}
	if len(got) != 1 || got[0].Student.ID != "22100001" || got[0].Year != "2025-2026" || got[0].Student.FirstName != "Zoé" {
		t.Errorf("yielded %+v: only the good first row, before the first bad line", got)
	}
}

// TestImportKeepsProgrammeOnceCoded: an import refuses a programme change
// for a student whose dossier has a fee code (the rule is fees', billing
// gives it to the store's import), and writes nothing; without a code the
// change goes through.
func TestImportKeepsProgrammeOnceCoded(t *testing.T) {
	ctx := context.Background()
	s, _ := planSvc(t)
	declare(t, s, "22100001", "01")
	row := func(id, programme string, line int) store.ImportRow {
		return store.ImportRow{Student: store.Student{ID: id, LastName: "Nom", FirstName: "Prénom", Email: id + "@etu.example.org",
			Programme: programme}, Year: fees.ExampleYear, Line: line}
	}
	rows := []store.ImportRow{row("22100001", "ING-INFO-3A", 2), row("22100003", "ING-GC-3A", 3)}
	_, conflicts, err := s.ImportStudentRows(ctx, "s.csv", rows, false)
	if err != nil || len(conflicts) != 1 || conflicts[0].Line != 2 ||
		!strings.Contains(conflicts[0].Msg, "student 22100001 has fee code 01") || !strings.Contains(conflicts[0].Msg, "would change what they owe") {
		t.Fatalf("programme change after a code: %+v %v", conflicts, err)
	}
	for id, want := range map[string]string{"22100001": "ING-GC-3A", "22100003": "MS-EXAMPLE"} {
		if st, _ := s.DB.GetStudent(ctx, id, fees.ExampleYear); st.Programme != want {
			t.Errorf("%s: programme %s after a refused import, want %s", id, st.Programme, want)
		}
	}
	_, conflicts, err = s.ImportStudentRows(ctx, "s.csv", rows[1:], false)
	if err != nil || len(conflicts) != 0 {
		t.Fatalf("programme change without a code: %+v %v", conflicts, err)
	}
	if st, _ := s.DB.GetStudent(ctx, "22100003", fees.ExampleYear); st.Programme != "ING-GC-3A" {
		t.Errorf("22100003: programme %s, want ING-GC-3A", st.Programme)
	}
}
