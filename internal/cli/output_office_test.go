package cli

import (
	"archive/zip"
	"encoding/xml"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestOfficeReadsExcelFR (issue 20): the excel-fr CSV of inpctl, opened by
// LibreOffice Calc (headless) as a French user's Calc opens it — separator
// ";", the language Français (France), the character set left to the BOM —
// gives numbers that are numbers, dates that are dates, codes and student
// numbers that keep their zeros, accents intact and the formula guard kept.
// Skipped when soffice is not installed (make test-office installs it and
// sets INPCTL_TEST_OFFICE=1, which makes a missing soffice a failure).
func TestOfficeReadsExcelFR(t *testing.T) {
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		if os.Getenv("INPCTL_TEST_OFFICE") != "" {
			t.Fatal("soffice is not installed (make test-office installs libreoffice-calc-nogui)")
		}
		t.Skip("soffice (LibreOffice) is not installed: the excel-fr files are not read back; run make test-office")
	}
	r := newRig(t, t.TempDir())
	students := "student_id,last_name,first_name,email,programme,apprentice,extra_eu,exchange\n" +
		"02100001,Zéro,Zoé,zoe@etu.example.org,ING-GC-3A,non,non,non\n" +
		"22100003,Dupré-Lefèvre,Inès,ines@etu.example.org,ING-GC-3A,non,oui,non\n"
	if err := os.WriteFile(filepath.Join(r.dir, "students.csv"), []byte(students), 0o600); err != nil {
		t.Fatal(err)
	}
	r.must("init", "-q")
	r.must("student", "import", "students.csv", "-q")
	r.must("dossier", "set-code", "02100001", "01", "-q")
	r.must("dossier", "set-code", "22100003", "05", "-q")
	r.must("payment", "record", "02100001", "--amount", "628", "--method", "cheque", "--ref", `=HYPERLINK("x")`, "--date", "2025-07-01", "--yes", "-q")
	r.must("payment", "record", "22100003", "--amount", "3941,50", "--method", "transfer", "--ref", "0000000042", "--allow-credit", "--yes", "-q")
	csvOf := func(name string, args ...string) [][]odsCell {
		out := r.must(append(args, "-o", "csv", "--csv-dialect", "excel-fr")...).stdout
		path := filepath.Join(r.dir, name+".csv")
		if err := os.WriteFile(path, []byte(out), 0o600); err != nil {
			t.Fatal(err)
		}
		return readWithCalc(t, soffice, path)
	}
	pay := csvOf("payments", "payment", "list")
	want := [][]string{
		{"s:Date", "s:N°", "s:N° étudiant", "s:Mode", "s:Référence", "s:TTC", "s:Affecté TTC", "s:Impayé", "s:Devise"},
		{"d:2025-07-01", "s:REG000001", "s:02100001", "s:chèque", `s:'=HYPERLINK("x")`, "f:628", "f:628", "", "s:EUR"},
		{"d:2025-09-05", "s:REG000002", "s:22100003", "s:virement", "s:0000000042", "f:3941.5", "f:3941", "", "s:EUR"},
	}
	checkSheet(t, "payment list", pay, want)
	dos := csvOf("dossiers", "dossier", "list")
	checkSheet(t, "dossier list", dos, [][]string{
		{"s:N° étudiant", "s:Nom", "s:Formation", "s:Dossier", "s:Code", "s:Commande", "s:Total TTC", "s:Devise"},
		{"s:22100003", "s:Dupré-Lefèvre Inès", "s:ING-GC-3A", "s:declared", "s:05", "s:CMD000002", "f:3941", "s:EUR"},
		{"s:02100001", "s:Zéro Zoé", "s:ING-GC-3A", "s:declared", "s:01", "s:CMD000001", "f:628", "s:EUR"},
	})
	acct := csvOf("account", "account", "list")
	if len(acct) != 3 || acct[2][0].String() != "s:22100003" || acct[2][6].String() != "f:-0.5" {
		t.Errorf("account list: the credit of 0,50 € is not the number -0.5: %v", acct)
	}
}

// odsCell is a cell of a sheet as Calc typed it.
type odsCell struct{ typ, value, text string }

// String is "f:628" (a number), "d:2025-07-01" (a date), "s:text", or ""
// for an empty cell.
func (c odsCell) String() string {
	switch c.typ {
	case "float", "percentage", "currency":
		return "f:" + c.value
	case "date":
		return "d:" + c.value
	case "":
		return ""
	}
	return "s:" + c.text
}

func checkSheet(t *testing.T, name string, got [][]odsCell, want [][]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d rows, want %d: %v", name, len(got), len(want), got)
	}
	for i := range want {
		for j := range want[i] {
			g := ""
			if j < len(got[i]) {
				g = got[i][j].String()
			}
			if g != want[i][j] {
				t.Errorf("%s row %d column %d: Calc reads %q, want %q", name, i+1, j+1, g, want[i][j])
			}
		}
	}
}

// readWithCalc converts the CSV at path to ODS with LibreOffice headless
// (the CSV filter: ";" separator, '"' text delimiter, the character set
// from the BOM, from line 1, language 1036 = French (France)) and returns
// the first sheet's cells.
func readWithCalc(t *testing.T, soffice, path string) [][]odsCell {
	t.Helper()
	dir := filepath.Dir(path)
	profile := filepath.Join(dir, "lo-profile")
	cmd := exec.Command(soffice, "-env:UserInstallation=file://"+profile, "--headless", "--norestore",
		"--infilter=CSV:59,34,,1,,1036", "--convert-to", "ods", "--outdir", dir, path)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, out)
	}
	zr, err := zip.OpenReader(strings.TrimSuffix(path, ".csv") + ".ods")
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		if f.Name == "content.xml" {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			return odsCells(t, rc)
		}
	}
	t.Fatal("no content.xml in the ODS")
	return nil
}

// odsCells reads the rows of the first table of an ODS content.xml.
func odsCells(t *testing.T, r io.Reader) [][]odsCell {
	t.Helper()
	const office, tbl = "urn:oasis:names:tc:opendocument:xmlns:office:1.0", "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
	dec := xml.NewDecoder(r)
	var rows [][]odsCell
	var cell *odsCell
	repeat, tables := 1, 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return rows
		}
		if err != nil {
			t.Fatal(err)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			switch {
			case e.Name.Space == tbl && e.Name.Local == "table":
				if tables++; tables > 1 {
					return rows
				}
			case e.Name.Space == tbl && e.Name.Local == "table-row":
				rows = append(rows, nil)
			case e.Name.Space == tbl && e.Name.Local == "table-cell":
				cell, repeat = &odsCell{}, 1
				for _, a := range e.Attr {
					switch {
					case a.Name.Space == office && a.Name.Local == "value-type":
						cell.typ = a.Value
					case a.Name.Space == office && (a.Name.Local == "value" || a.Name.Local == "date-value"):
						cell.value = a.Value
					case a.Name.Space == tbl && a.Name.Local == "number-columns-repeated":
						if n := len(a.Value); n < 4 {
							repeat = atoiOr(a.Value, 1)
						}
					}
				}
			}
		case xml.CharData:
			if cell != nil {
				cell.text += string(e)
			}
		case xml.EndElement:
			if e.Name.Space == tbl && e.Name.Local == "table-cell" && cell != nil {
				for range repeat {
					rows[len(rows)-1] = append(rows[len(rows)-1], *cell)
				}
				cell = nil
			}
		}
	}
}

func atoiOr(s string, def int) int {
	n := 0
	for _, r := range s {
		if r < '0' || r > '9' {
			return def
		}
		n = n*10 + int(r-'0')
	}
	return n
}
