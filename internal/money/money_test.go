package money

import (
	"strings"
	"testing"

	"pgregory.net/rapid"
)

func TestParse(t *testing.T) {
	ok := map[string]Cents{
		"618,00": 61800, "618.00": 61800, "618": 61800, "3 770,00": 377000,
		"3770,5": 377050, "0": 0, "0,01": 1, "3\u202f941,00": 394100,
		"3\u00a0941,00 €": 394100, " 12 ": 1200, "1 000 000": 100000000,
		"628,00 €": 62800,
	}
	for in, want := range ok {
		got, err := Parse(in)
		if err != nil || got != want {
			t.Errorf("Parse(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	bad := map[string]string{
		"": "empty", "  ": "empty", "-1": "sign", "+5": "sign", "12,345": "decimals",
		"1e3": "digits", "abc": "digits", "1,2,3": "digits", "12,": "decimals",
		",5": "whole part", "37 70,00": "grouped", "1,0a": "decimals must be digits",
		"1000000000": "too large", "618 €€": "digits",
	}
	for in, want := range bad {
		_, err := Parse(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q) error = %v; want it to mention %q", in, err, want)
		}
	}
}

func TestFormat(t *testing.T) {
	cases := map[Cents]string{
		0: "0,00 €", 1: "0,01 €", 61800: "618,00 €", 377000: "3\u202f770,00 €",
		100000000: "1\u202f000\u202f000,00 €", -62800: "-628,00 €",
	}
	for c, want := range cases {
		if got := c.String(); got != want {
			t.Errorf("%d.String() = %q; want %q", c, got, want)
		}
	}
	if got := Cents(377050).Plain(); got != "3770.50" {
		t.Errorf("Plain = %q", got)
	}
}

// TestFormatParseIdentity: parse(format(c)) == c for every amount in range.
func TestFormatParseIdentity(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := Cents(rapid.Int64Range(0, int64(MaxCents)).Draw(t, "c"))
		for _, s := range []string{c.String(), c.Format(), c.Plain()} {
			got, err := Parse(s)
			if err != nil || got != c {
				t.Fatalf("Parse(%q) = %d, %v; want %d", s, got, err, c)
			}
		}
	})
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"618,00", "3 770,00", "3770,5", "-1", "1e3", "12,345", "", "€", "0,0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := Parse(s)
		if err != nil {
			return
		}
		if c < 0 || c > MaxCents {
			t.Fatalf("Parse(%q) = %d out of range", s, c)
		}
		if back, err := Parse(c.String()); err != nil || back != c {
			t.Fatalf("round trip of %q: %d → %q → %d, %v", s, c, c.String(), back, err)
		}
	})
}
