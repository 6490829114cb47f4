package synth

import (
	"bytes"
	"strings"
	"testing"
)

func TestGenerateDeterministicAndVaried(t *testing.T) {
	a, b := Generate(500, 7), Generate(500, 7)
	var ba, bb bytes.Buffer
	WriteStudents(&ba, a)
	WriteStudents(&bb, b)
	if ba.String() != bb.String() {
		t.Fatal("same seed must give the same intake")
	}
	seen := map[string]int{}
	ids := map[string]bool{}
	for _, s := range a {
		seen[s.Code]++
		if ids[s.ID] {
			t.Fatalf("duplicate id %s", s.ID)
		}
		ids[s.ID] = true
		if s.Apprentice && s.Code != "01" {
			t.Fatalf("apprentice with code %s", s.Code)
		}
		if s.ExtraEU && !s.Exchange && s.Code != "05" {
			t.Fatalf("extra-EU diploma student with code %s", s.Code)
		}
	}
	for _, code := range []string{"01", "02", "05", "07"} {
		if seen[code] == 0 {
			t.Errorf("no student with code %s in 500", code)
		}
	}
	if !strings.HasPrefix(ba.String(), "student_id,last_name") {
		t.Fatal("missing header")
	}
}
