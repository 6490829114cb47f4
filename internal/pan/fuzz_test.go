package pan

import "testing"

// FuzzFind: whatever the text, Find reports only card numbers, with spans
// that hold their digits, and Mask leaves no card number behind, as an
// independent brute-force reading of the definition sees it: no sequence
// of whole digit groups, joined by single spaces or dashes, is 13 to 19
// digits passing Luhn (and not all zeros).
func FuzzFind(f *testing.F) {
	for _, s := range []string{
		"VIR 22104567 1111222233334444", "1111 2222 3333 4444 5555 6666 7", "4012-0010-3714-1112",
		"0000000009903985", "374907403001005 36133990076017", "x9250004100000127783y", "", "--ref=1-1-1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 300 {
			return
		}
		for _, m := range Find(s) {
			if !IsCardNumber(m.Digits) || m.Start < 0 || m.End > len(s) || m.Start >= m.End {
				t.Fatalf("Find(%q): bad match %+v", s, m)
			}
		}
		out := Mask(s)
		if w, ok := bruteCard(out); ok {
			t.Fatalf("Mask(%q) = %q still holds the card number %q", s, out, w)
		}
		if Contains(out) {
			t.Fatalf("Contains(Mask(%q)) is true", s)
		}
		if Contains(s) != (len(Find(s)) > 0) {
			t.Fatalf("Contains and Find disagree on %q", s)
		}
	})
}

// bruteCard tries every substring of s that starts and ends on a group
// boundary and is digits with single separators between them.
func bruteCard(s string) (string, bool) {
	digit := func(i int) bool { return i >= 0 && i < len(s) && s[i] >= '0' && s[i] <= '9' }
	for i := 0; i < len(s); i++ {
		if !digit(i) || digit(i-1) {
			continue
		}
		var d []byte
		for j := i; j < len(s); j++ {
			c := s[j]
			switch {
			case digit(j):
				d = append(d, c)
			case (c == ' ' || c == '-') && digit(j-1) && digit(j+1):
				continue
			default:
				j = len(s)
				continue
			}
			if len(d) > MaxDigits {
				break
			}
			if !digit(j+1) && len(d) >= MinDigits && IsCardNumber(string(d)) {
				return string(d), true
			}
		}
	}
	return "", false
}
