package gateway

import "testing"

func TestCardExpiry(t *testing.T) {
	for in, want := range map[string]string{"2702": "2027-02-28", "2402": "2024-02-29", "2512": "2025-12-31", "0001": "2000-01-31"} {
		e, err := ParseYYMM(in)
		if err != nil || e.LastDay().String() != want || e.YYMM() != in {
			t.Errorf("ParseYYMM(%q) = %+v %v, last day %s, want %s", in, e, err, e.LastDay(), want)
		}
		m, err := ParseMMYY(e.MMYY())
		if err != nil || m != e {
			t.Errorf("MMYY round trip of %q: %q → %+v %v", in, e.MMYY(), m, err)
		}
	}
	if e, err := ParseMMYY("02/27"); err != nil || e.YYMM() != "2702" {
		t.Errorf("MM/YY: %+v %v", e, err)
	}
	for _, bad := range []string{"", "270", "27022", "2713", "2700", "27a2", " 2702"} {
		if _, err := ParseYYMM(bad); err == nil {
			t.Errorf("ParseYYMM(%q) accepted", bad)
		}
	}
	for _, bad := range []string{"1327", "0027", "2/27", "ab27"} {
		if _, err := ParseMMYY(bad); err == nil {
			t.Errorf("ParseMMYY(%q) accepted", bad)
		}
	}
	if z := StoredExpiry("junk"); !z.IsZero() || !z.LastDay().IsZero() || z.YYMM() != "" || z.MMYY() != "" {
		t.Errorf("unreadable expiry: %+v", z)
	}
	a, b := StoredExpiry("2511"), StoredExpiry("2601")
	if !a.Before(b) || b.Before(a) || a.Before(a) {
		t.Error("Before")
	}
}

func FuzzParseYYMM(f *testing.F) {
	for _, s := range []string{"2702", "0000", "9912", "2713"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := ParseYYMM(s)
		if err != nil {
			return
		}
		if e.YYMM() != s || e.LastDay().IsZero() {
			t.Fatalf("%q: %+v", s, e)
		}
	})
}
