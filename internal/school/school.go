// Package school is what a school's code is (issue 22): the one rule config
// checks a config's schools with and store checks again before the code
// goes into SQL text (SQLite's migration 0013) and a role name
// (inpctl_school_CODE).
package school

// Default is the school of a config that names none, and of the books made
// before schools existed: Polytech Clermont's.
const Default = "polytech"

// ValidCode reports whether s may be a school's code: a lower-case letter,
// then lower-case letters, digits or _, at most 31 in all (so that
// inpctl_school_CODE fits PostgreSQL's 63-byte names).
func ValidCode(s string) bool {
	if s == "" || len(s) > 31 || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for _, c := range []byte(s) {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}
