package config

import (
	"regexp"
	"strings"
	"testing"
)

// TestDigitsAndHexKeyAreTheRegexps: the checks that replaced the regexps
// of validateGateway accept exactly what the regexps accepted.
func TestDigitsAndHexKeyAreTheRegexps(t *testing.T) {
	site, rang, ident := regexp.MustCompile(`^\d{7}$`), regexp.MustCompile(`^\d{2,3}$`), regexp.MustCompile(`^\d{1,9}$`)
	hexRe := regexp.MustCompile(`^([0-9A-Fa-f]{2}){20,}$`)
	key := strings.Repeat("0a", 20)
	for _, s := range []string{"", "1", "12", "123", "1234567", "12345678", "123456789", "1234567890", "12a", " 12", "12\n",
		"١٢٣", "1234567\n", key, key[:39], key + "F", key + "Ff", key + "g0", "\n" + key, key + "\n", strings.ToUpper(key)} {
		if digits(s, 7, 7) != site.MatchString(s) || digits(s, 2, 3) != rang.MatchString(s) || digits(s, 1, 9) != ident.MatchString(s) {
			t.Errorf("digits(%q) differs from the regexp", s)
		}
		if hexKey(s) != hexRe.MatchString(s) {
			t.Errorf("hexKey(%q) = %v, regexp %v", s, hexKey(s), hexRe.MatchString(s))
		}
	}
}
