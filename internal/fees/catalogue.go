// Package fees owns the fee catalogue (codes, programmes, tariffs per
// academic year), the dossier rules that decide which fee code a student may
// declare and have validated, and the order lines a dossier costs.
//
// fees is pure: its functions work only on their arguments. It imports only
// money, clock, fault and the standard library; never time.Now, os,
// database/sql or net/http. The catalogue itself comes from the config (and
// is kept in the database); ExampleCatalogue is the example and test one.
package fees

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/inpctl/inpctl/internal/money"
)

// The fee codes of SPEC §3 that the rules name.
const (
	CodeNonBoursier   = "01" // Etudiant non boursier; apprentices must use it
	CodeBoursier      = "02" // Etudiant Boursier
	CodeExtraEU       = "05" // extra-EU students in a diploma programme must use it
	CodeMobility      = "07" // Exonérations : exemple Mobilité entrante sous convention
	CodeProContract   = "08" // 3ème année, contrat de professionnalisation
	CodeCesure        = "14" // Tarif réduit Césure
	CodeFC            = "20" // Formation continue
	CodeFCExtraEU     = "25" // extra-EU students in formation continue
	CodeMSCompany     = "42" // mastère spécialisé paid by a company
	CodeMSSelfFunded  = "43" // mastère spécialisé paid by the student
	CodeForApprentice = CodeNonBoursier
)

// Code is a fee code (type apprenant).
type Code struct {
	ID         string // two digits, e.g. "01"
	Label      string // as in the seed, e.g. "Etudiant non boursier"
	NeedsProof bool   // validation is refused without a supporting document
	Financed   bool   // the order is paid by a third party (code 42)
}

// Programme is a formation, with the codes it allows and their tariffs.
type Programme struct {
	ID      string // e.g. "ING-GC-3A"
	Label   string // e.g. "Ingénieur Polytech - spécialité Génie Civil 3ème année"
	Session string // e.g. "P2225_Y3_3A", printed on invoices of SessionYear
	// Sessions names the session of other academic years ("2024-2025" →
	// "P2224_Y3_3A"); SessionYear is the year Session is for (the config's).
	Sessions    map[string]string
	SessionYear string
	Codes       []string // the codes a student of this programme may declare
	// Diploma marks a national diploma programme: an extra-EU student who is
	// not on exchange must use code 05 there. Mastères spécialisés (a
	// Conférence des grandes écoles label) and formation continue are not.
	Diploma        bool
	Apprenticeship bool                              // every student is an apprentice and must use 01
	Tariffs        map[string]map[string]money.Cents // academic year → code → amount
}

// Allows reports whether p allows code.
func (p Programme) Allows(code string) bool { return slices.Contains(p.Codes, code) }

// Catalogue is the whole fee catalogue.
type Catalogue struct {
	Codes      map[string]Code      // by ID
	Programmes map[string]Programme // by ID
}

// DefaultCodes returns the ten fee codes of SPEC §3 with the seed's labels.
func DefaultCodes() map[string]Code {
	codes := []Code{
		{ID: CodeNonBoursier, Label: "Etudiant non boursier"},
		{ID: CodeBoursier, Label: "Etudiant Boursier", NeedsProof: true},
		{ID: CodeExtraEU, Label: "Etudiants internationaux extra-communautaires en formation diplômante"},
		{ID: CodeMobility, Label: "Exonérations : exemple Mobilité entrante sous convention", NeedsProof: true},
		{ID: CodeProContract, Label: "Etudiants de 3ème Année ayant signé un contrat de professionnalisation", NeedsProof: true},
		{ID: CodeCesure, Label: "Tarif réduit Césure"},
		{ID: CodeFC, Label: "Formation continue"},
		{ID: CodeFCExtraEU, Label: "Etudiants internationaux extra-communautaires en formation Continue"},
		{ID: CodeMSCompany, Label: "Mastère spécialisé - Financement entreprise dont contrats pros", Financed: true},
		{ID: CodeMSSelfFunded, Label: "Mastère spécialisé - Financement personnel"},
	}
	m := make(map[string]Code, len(codes))
	for _, c := range codes {
		m[c.ID] = c
	}
	return m
}

// CodeFromSpreadsheet is the catalogue's code for s as a spreadsheet may
// have left it: Excel reads the codes 01…09 of a CSV as the numbers 1…9 and
// saves them so. A single digit d is the code "0d" when the catalogue has
// that code and not d itself; restored says the zero was put back, so the
// caller can tell the clerk which rows. Anything else is returned as is.
func (c Catalogue) CodeFromSpreadsheet(s string) (code string, restored bool) {
	if _, ok := c.Codes[s]; ok || len(s) != 1 || s[0] < '0' || s[0] > '9' {
		return s, false
	}
	if _, ok := c.Codes["0"+s]; ok {
		return "0" + s, true
	}
	return s, false
}

// CodeIDs returns the IDs of every code, sorted.
func (c Catalogue) CodeIDs() []string { return sortedKeys(c.Codes) }

// ProgrammeIDs returns the IDs of every programme, sorted.
func (c Catalogue) ProgrammeIDs() []string { return sortedKeys(c.Programmes) }

// Years returns every academic year some programme has tariffs for, sorted.
func (c Catalogue) Years() []string {
	seen := map[string]bool{}
	for _, p := range c.Programmes {
		for y := range p.Tariffs {
			seen[y] = true
		}
	}
	return sortedKeys(seen)
}

// Programme returns the programme id, or an *ErrUnknownProgramme.
func (c Catalogue) Programme(id string) (Programme, error) {
	p, ok := c.Programmes[id]
	if !ok {
		return Programme{}, &ErrUnknownProgramme{Programme: id, Known: c.ProgrammeIDs()}
	}
	return p, nil
}

// Tariff returns what code costs in programme for the academic year. It
// fails with *ErrUnknownProgramme, *ErrCodeNotAllowed or *ErrNoTariff.
func (c Catalogue) Tariff(programme, year, code string) (money.Cents, error) {
	p, err := c.Programme(programme)
	if err != nil {
		return 0, err
	}
	if !p.Allows(code) {
		return 0, &ErrCodeNotAllowed{Code: code, Programme: p.ID, Allowed: p.Codes}
	}
	amount, ok := p.Tariffs[year][code]
	if !ok {
		return 0, &ErrNoTariff{Programme: p.ID, Year: year, Code: code, Years: sortedKeys(p.Tariffs)}
	}
	return amount, nil
}

var (
	codeRe        = regexp.MustCompile(`^[0-9]{2}$`)
	programmeIDRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.+/-]*$`)
	yearRe        = regexp.MustCompile(`^([0-9]{4})-([0-9]{4})$`)
)

// ValidYear reports whether y is an academic year such as "2025-2026" (two
// consecutive years).
func ValidYear(y string) bool {
	m := yearRe.FindStringSubmatch(y)
	if m == nil {
		return false
	}
	a, _ := strconv.Atoi(m[1])
	b, _ := strconv.Atoi(m[2])
	return b == a+1
}

// Validate checks the catalogue as a whole and returns an *ErrCatalogue
// listing every problem: codes are two digits with a label; programme ids
// are well formed, each programme has a label, a session and at least one
// code, every code it allows exists, and every allowed code has a
// non-negative tariff for each academic year the programme lists (and no
// tariff for a code it does not allow). An apprenticeship programme must
// allow 01, and a diploma programme that is not an apprenticeship must allow
// 05 when the catalogue has it, or its extra-EU students could never be
// validated.
func (c Catalogue) Validate() error {
	var probs []string
	add := func(format string, args ...any) { probs = append(probs, fmt.Sprintf(format, args...)) }
	if len(c.Codes) == 0 {
		add("no fee codes")
	}
	for _, id := range c.CodeIDs() {
		code := c.Codes[id]
		if !codeRe.MatchString(id) {
			add("%q is not a two-digit fee code", id)
		}
		if code.ID != id {
			add("code %s is filed under %q", code.ID, id)
		}
		if strings.TrimSpace(code.Label) == "" {
			add("code %s has no label", id)
		}
	}
	if len(c.Programmes) == 0 {
		add("no programmes")
	}
	for _, id := range c.ProgrammeIDs() {
		probs = append(probs, c.programmeProblems(id, c.Programmes[id])...)
	}
	if len(probs) > 0 {
		return &ErrCatalogue{Problems: probs}
	}
	return nil
}

func (c Catalogue) programmeProblems(id string, p Programme) []string {
	var probs []string
	add := func(format string, args ...any) {
		probs = append(probs, fmt.Sprintf("programme %s: ", id)+fmt.Sprintf(format, args...))
	}
	if !programmeIDRe.MatchString(id) {
		add("not a programme id (e.g. ING-GC-3A)")
	}
	if p.ID != id {
		add("filed under a different id %q", p.ID)
	}
	if strings.TrimSpace(p.Label) == "" || strings.TrimSpace(p.Session) == "" {
		add("needs a label and a session")
	}
	if len(p.Codes) == 0 {
		add("allows no code")
	}
	for i, code := range p.Codes {
		if _, ok := c.Codes[code]; !ok {
			add("code %q is not in the catalogue", code)
		}
		if slices.Index(p.Codes, code) != i {
			add("code %s is listed twice", code)
		}
	}
	if p.Apprenticeship && !p.Allows(CodeForApprentice) {
		add("an apprenticeship programme must allow code %s", CodeForApprentice)
	}
	if _, has05 := c.Codes[CodeExtraEU]; has05 && p.Diploma && !p.Apprenticeship && !p.Allows(CodeExtraEU) {
		add("a diploma programme must allow code %s", CodeExtraEU)
	}
	if len(p.Tariffs) == 0 {
		add("has no tariffs")
	}
	for _, year := range sortedKeys(p.Tariffs) {
		probs = append(probs, tariffProblems(id, year, p)...)
	}
	return probs
}

func tariffProblems(id, year string, p Programme) []string {
	var probs []string
	add := func(format string, args ...any) {
		probs = append(probs, fmt.Sprintf("programme %s, %s: ", id, year)+fmt.Sprintf(format, args...))
	}
	if !ValidYear(year) {
		add("not an academic year (e.g. 2025-2026)")
	}
	tariffs := p.Tariffs[year]
	for _, code := range p.Codes {
		if _, ok := tariffs[code]; !ok {
			add("no tariff for code %s", code)
		}
	}
	for _, code := range sortedKeys(tariffs) {
		if !p.Allows(code) {
			add("tariff for code %s, which the programme does not allow", code)
		}
		if tariffs[code] < 0 || tariffs[code] > money.MaxCents {
			add("tariff for code %s is out of range: %s", code, tariffs[code])
		}
	}
	return probs
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// SessionFor is the session name printed on an invoice of academic year
// year (issue 16: a 2024 invoice says P2224_Y3_3A, not this year's name).
// Sessions names it when the config does; else Session for SessionYear;
// else Session with its year digits moved to year when it follows one of
// the school's two patterns, P<cohort><yy>_… (P2225_Y3_3A: 25 is the year
// 2025-2026 begins) and P<yy><yy+1>_… (P2526_MS_EX); else "" (the invoice
// prints the programme's label alone rather than another year's session).
func (p Programme) SessionFor(year string) string {
	if s, ok := p.Sessions[year]; ok {
		return s
	}
	if year == p.SessionYear || p.SessionYear == "" {
		return p.Session
	}
	from, ok1 := startYY(p.SessionYear)
	to, ok2 := startYY(year)
	s := p.Session
	if !ok1 || !ok2 || len(s) < 6 || s[0] != 'P' || s[5] != '_' || !allDigits(s[1:5]) {
		return ""
	}
	a, b := s[1:3], s[3:5]
	switch {
	case b == yy(from) && a != yy(from): // P<cohort><yy>
		return "P" + a + yy(to) + s[5:]
	case a == yy(from) && b == yy(from+1): // P<yy><yy+1>
		return "P" + yy(to) + yy(to+1) + s[5:]
	}
	return ""
}

// startYY is the year an academic year "2025-2026" begins, modulo 100.
func startYY(year string) (int, bool) {
	if len(year) != 9 || year[4] != '-' || !allDigits(year[:4]) {
		return 0, false
	}
	return int(year[2]-'0')*10 + int(year[3]-'0'), true
}

func yy(n int) string { n %= 100; return string([]byte{byte('0' + n/10), byte('0' + n%10)}) }

func allDigits(s string) bool {
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}
