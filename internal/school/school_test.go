package school

import "testing"

func TestValidCode(t *testing.T) {
	for s, want := range map[string]bool{
		"polytech": true, "isima": true, "a": true, "ecole_2": true,
		"": false, "2ecole": false, "_a": false, "Isima": false, "is-ima": false, "is ima": false,
		"a'; DROP TABLE x; --": false, "abcdefghijklmnopqrstuvwxyz01234": true, "abcdefghijklmnopqrstuvwxyz012345": false,
	} {
		if got := ValidCode(s); got != want {
			t.Errorf("ValidCode(%q) = %v, want %v", s, got, want)
		}
	}
	if !ValidCode(Default) {
		t.Errorf("the default school %q is not a valid code", Default)
	}
}

func FuzzValidCode(f *testing.F) {
	f.Add("polytech")
	f.Add("x'y")
	f.Fuzz(func(t *testing.T, s string) {
		if !ValidCode(s) {
			return
		}
		// A valid code needs no quoting in SQL text or a role name.
		for _, c := range []byte(s) {
			if c == '\'' || c == '"' || c == ';' || c == ' ' || c == '\\' {
				t.Fatalf("ValidCode(%q) with %q", s, c)
			}
		}
		if len("inpctl_school_"+s) > 63 {
			t.Fatalf("role name of %q too long", s)
		}
	})
}
