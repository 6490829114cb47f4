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
