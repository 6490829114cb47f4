package cli

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/store"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// filters are the values a list command narrows its rows by. A value that
// is not a known programme, fee code, session or academic year can match
// nothing: it is refused with exit 2 naming the known ones (a typo such as
// ING-XX must not read as "no students match" with exit 0). Empty values
// are not checked.
type filters struct {
	Programme, Code, Session, Year string
	// InvoiceSession is a session as invoices print it ("P2225_Y3_3A - …"),
	// checked against the invoices' sessions rather than the programmes'.
	InvoiceSession string
}

// check refuses the first unknown value of f.
func (f filters) check(ctx context.Context, env *Env) error {
	if f == (filters{}) {
		return nil
	}
	db, err := env.Store(ctx)
	if err != nil {
		return err
	}
	cat, err := db.Catalogue(ctx)
	if err != nil {
		return err
	}
	if f.Programme != "" {
		if _, ok := cat.Programmes[f.Programme]; !ok {
			return unknownValue("--programme", "programme", f.Programme, cat.ProgrammeIDs())
		}
	}
	if f.Code != "" {
		if _, ok := cat.Codes[f.Code]; !ok {
			return unknownValue("--code", "fee code", f.Code, sortedKeys(cat.Codes))
		}
	}
	if f.Session != "" {
		var known []string
		for _, p := range cat.Programmes {
			known = append(known, p.Session)
		}
		if known = sortedUnique(known); !slices.Contains(known, f.Session) {
			return unknownValue("--session", "session", f.Session, known)
		}
	}
	if f.InvoiceSession != "" {
		known, err := db.InvoiceSessions(ctx)
		if err != nil {
			return err
		}
		if !slices.Contains(known, f.InvoiceSession) {
			return unknownValue("--session", "invoice session", f.InvoiceSession, known)
		}
	}
	if f.Year != "" {
		years, err := db.DossierYears(ctx)
		if err != nil {
			return err
		}
		cfg, err := env.Config()
		if err != nil {
			return err
		}
		known := sortedUnique(append(append(years, cat.Years()...), cfg.AcademicYear))
		if !slices.Contains(known, f.Year) {
			return unknownValue("--year", "academic year", f.Year, known)
		}
	}
	return nil
}

// unknownValue is the refusal of a filter value, with the known ones (the
// first 30: a catalogue can hold more programmes than a line can show).
func unknownValue(flag, what, v string, known []string) error {
	list := known
	more := ""
	if len(list) > 30 {
		list, more = list[:30], fmt.Sprintf(" … (%d in all)", len(known))
	}
	if len(list) == 0 {
		return fault.New(fault.Usage, "%s %q: there is no %s yet", flag, v, what)
	}
	return fault.New(fault.Usage, "%s %q is not a known %s; known: %s%s", flag, v, what, strings.Join(list, ", "), more)
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func sortedUnique(ss []string) []string {
	out := slices.DeleteFunc(slices.Clone(ss), func(s string) bool { return s == "" })
	slices.Sort(out)
	return slices.Compact(out)
}

// foldName is a name as the lookups compare it: lower case, accents off
// ("Zoé LE GALL" and "zoe le gall" are the same person to a clerk).
func foldName(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	return strings.ToLower(strings.Join(strings.Fields(out), " "))
}

// nameMatches reports whether every word of query is in the student's
// first and last names (in any order, accents and case aside).
func nameMatches(s store.StudentView, query string) bool {
	full := " " + foldName(s.FirstName+" "+s.LastName) + " "
	words := strings.Fields(foldName(query))
	for _, w := range words {
		if !strings.Contains(full, w) {
			return false
		}
	}
	return len(words) > 0
}
