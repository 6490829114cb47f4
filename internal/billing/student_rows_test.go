package billing

import (
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
