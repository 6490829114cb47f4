package csvin

import (
	"strings"
	"testing"
)

func TestParseVariants(t *testing.T) {
	cases := map[string]string{
		"comma":     "Student_ID,Last_Name\n1,Durand\n2,\"Martin, Jr\"\n",
		"semicolon": "\xef\xbb\xbfstudent_id;last_name\r\n1;Durand\r\n2;\"Martin, Jr\"\r\n",
		"multiline": "student_id,last_name\n1,Durand\n2,\"Martin, Jr\"\n\n",
	}
	for name, data := range cases {
		f, err := Parse("s.csv", []byte(data))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(f.Records) != 2 || f.Records[1].Get("last_name") != "Martin, Jr" || f.Records[1].Line != 3 {
			t.Fatalf("%s: got %+v", name, f.Records)
		}
	}
}

func TestLineNumbersAfterEmbeddedNewline(t *testing.T) {
	f, err := Parse("s.csv", []byte("id,address\n1,\"12 rue X\nBât. B\"\n2,ok\n"))
	if err != nil {
		t.Fatal(err)
	}
	if f.Records[0].Get("address") != "12 rue X\nBât. B" || f.Records[1].Line != 4 {
		t.Fatalf("got %+v", f.Records)
	}
}

func TestRefusals(t *testing.T) {
	cases := map[string]string{
		"":                      "empty",
		"id,name\n1,Andr\xe9\n": "s.csv:2: the file is not UTF-8",
		"id,name\n1,\"open\n":   "s.csv:2",
		"id,name\n1\n":          "s.csv:2: has 1 fields, the header has 2",
		"id,ID\n1,2\n":          "appears twice",
	}
	for data, want := range cases {
		_, err := Parse("s.csv", []byte(data))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q) = %v; want %q", data, err, want)
		}
	}
}

func TestBool(t *testing.T) {
	for _, s := range []string{"1", "oui", "YES", "true", " o "} {
		if v, err := Bool(s); err != nil || !v {
			t.Errorf("Bool(%q) = %v, %v", s, v, err)
		}
	}
	for _, s := range []string{"", "0", "Non", "no", "false"} {
		if v, err := Bool(s); err != nil || v {
			t.Errorf("Bool(%q) = %v, %v", s, v, err)
		}
	}
	if _, err := Bool("peut-être"); err == nil {
		t.Error("want error")
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"id,name\n1,a\n", "\xef\xbb\xbfid;name\r\n1;\"a;b\"\r\n", "a\n\"", "id\n\xff"} {
		f.Add([]byte(s))
	}
	f.Add(utf16("id\tname\r\n1\tZoé\r\n", false, true))
	f.Add(utf16("id;name\n1;a\n", true, false))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse("f.csv", data)
		if err != nil {
			return
		}
		for _, r := range file.Records {
			if r.Line < 2 {
				t.Fatalf("record line %d before the header", r.Line)
			}
		}
	})
}

func TestReaderStreams(t *testing.T) {
	data := "id,address\n1,a\n\n2\n3,\"c\nd\"\n4,e,f\n5,g\n" // a line break only in an address
	rd, err := NewReader("s.csv", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	if n := rd.Estimate(); n != 6 {
		t.Fatalf("estimate %d, want 6 (an overestimate: one field has a newline)", n)
	}
	var got []string
	for {
		rec, ok, err := rd.Next()
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		got = append(got, rec.Get("id")+":"+rec.Get("address"))
	}
	if strings.Join(got, " ") != "1:a 3:c\nd 5:g" {
		t.Fatalf("got %q", got)
	}
	if es := rd.ShapeErrors(); len(es) != 2 || es[0].Line != 4 || es[1].Line != 7 {
		t.Fatalf("shape errors %+v", es)
	}
	if _, err := Parse("s.csv", []byte(data)); err == nil || !strings.Contains(err.Error(), "s.csv:4: has 1 fields") {
		t.Fatalf("Parse: %v", err)
	}
}

// utf16 encodes s as UTF-16 (little or big endian), with or without BOM.
func utf16(s string, big, bom bool) []byte {
	var out []byte
	if bom {
		if big {
			out = append(out, 0xfe, 0xff)
		} else {
			out = append(out, 0xff, 0xfe)
		}
	}
	for _, r := range s {
		if r > 0xffff {
			panic("test text is in the BMP")
		}
		if big {
			out = append(out, byte(r>>8), byte(r))
		} else {
			out = append(out, byte(r), byte(r>>8))
		}
	}
	return out
}

// TestParseSpreadsheetSaves: what Excel and LibreOffice write besides CSV
// UTF-8 is read as the clerk meant it: "Texte Unicode" (UTF-16LE, BOM,
// tabs), UTF-16 without a BOM or big-endian, a tab-separated paste. Line
// numbers and accents survive.
func TestParseSpreadsheetSaves(t *testing.T) {
	text := "student_id\tlast_name\r\n22100001\tZoé Dubois\r\n22100002\t\"Martin, Jr\"\r\n"
	cases := map[string][]byte{
		"utf16le bom (Texte Unicode)": utf16(text, false, true),
		"utf16be bom":                 utf16(text, true, true),
		"utf16le no bom":              utf16(text, false, false),
		"utf16be no bom":              utf16(text, true, false),
		"tsv utf-8":                   []byte(text),
		"tsv utf-8 bom":               append([]byte("\xef\xbb\xbf"), text...),
	}
	for name, data := range cases {
		f, err := Parse("s.txt", data)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if len(f.Records) != 2 || f.Records[0].Get("last_name") != "Zoé Dubois" || f.Records[1].Get("last_name") != "Martin, Jr" || f.Records[1].Line != 3 {
			t.Errorf("%s: got %+v", name, f.Records)
		}
	}
	// A tab in the header of a comma file does not make it a TSV.
	f, err := Parse("s.csv", []byte("student_id,last_name,note\n1,Durand,a\tb\n"))
	if err == nil || !strings.Contains(err.Error(), "s.csv:2") {
		t.Errorf("a tab inside a cell of a comma file must be refused with its line, got %v %+v", err, f)
	}
	// Odd bytes after a UTF-16 BOM are not a file to guess at.
	if _, err := Parse("s.csv", []byte{0xff, 0xfe, 'a', 0, 0x00, 0xd8, 'b'}); err == nil || !strings.Contains(err.Error(), "UTF-16") {
		t.Errorf("broken UTF-16: %v", err)
	}
}
