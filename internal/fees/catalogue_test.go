package fees

import (
	"reflect"
	"strings"
	"testing"

	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/money"
)

func TestDefaultCodes(t *testing.T) {
	want := map[string]string{
		"01": "Etudiant non boursier",
		"02": "Etudiant Boursier",
		"05": "Etudiants internationaux extra-communautaires en formation diplômante",
		"07": "Exonérations : exemple Mobilité entrante sous convention",
		"08": "Etudiants de 3ème Année ayant signé un contrat de professionnalisation",
		"14": "Tarif réduit Césure",
		"20": "Formation continue",
		"25": "Etudiants internationaux extra-communautaires en formation Continue",
		"42": "Mastère spécialisé - Financement entreprise dont contrats pros",
		"43": "Mastère spécialisé - Financement personnel",
	}
	codes := DefaultCodes()
	if len(codes) != len(want) {
		t.Fatalf("%d codes", len(codes))
	}
	for id, label := range want {
		c := codes[id]
		if c.ID != id || c.Label != label {
			t.Errorf("code %s = %+v, want label %q", id, c, label)
		}
		proof := id == "02" || id == "07" || id == "08"
		if c.NeedsProof != proof || c.Financed != (id == "42") {
			t.Errorf("code %s flags: %+v", id, c)
		}
	}
}

func TestExampleCatalogue(t *testing.T) {
	c := ExampleCatalogue()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if got := c.Years(); !reflect.DeepEqual(got, []string{"2025-2026"}) {
		t.Errorf("Years = %v", got)
	}
	want := map[string]struct {
		codes              string
		diploma, apprentis bool
	}{
		"ING-GC-3A":     {"01 02 05 07 14", true, false},
		"ING-GC-4A":     {"01 02 05 07 14", true, false},
		"ING-GC-5A":     {"01 02 05 07 08 14", true, false},
		"ING-INFO-3A":   {"01 02 05 07 14", true, false},
		"ING-GE-APP-3A": {"01", true, true},
		"MS-EXAMPLE":    {"42 43", false, false},
		"FC-EXAMPLE":    {"20 25", false, false},
	}
	if len(c.Programmes) != len(want) {
		t.Fatalf("%d programmes", len(c.Programmes))
	}
	for id, w := range want {
		p := c.Programmes[id]
		if strings.Join(p.Codes, " ") != w.codes || p.Diploma != w.diploma || p.Apprenticeship != w.apprentis {
			t.Errorf("%s = %+v", id, p)
		}
		if p.Label == "" || p.Session == "" {
			t.Errorf("%s has no label or session", id)
		}
	}
	// Two calls give independent values: callers may change one.
	c.Programmes["ING-GC-3A"].Tariffs[ExampleYear]["01"] = 1
	if got, _ := ExampleCatalogue().Tariff("ING-GC-3A", ExampleYear, "01"); got != 62800 {
		t.Errorf("ExampleCatalogue shares its maps: %d", got)
	}
}

func TestTariff(t *testing.T) {
	c := ExampleCatalogue()
	good := []struct {
		programme, code string
		want            money.Cents
	}{
		{"ING-GC-3A", "01", 62800}, {"ING-GC-3A", "02", 0}, {"ING-GC-3A", "05", 394100},
		{"ING-GC-4A", "07", 0}, {"ING-GC-5A", "08", 0}, {"ING-INFO-3A", "14", 31400},
		{"ING-GE-APP-3A", "01", 62800}, {"FC-EXAMPLE", "20", 650000}, {"FC-EXAMPLE", "25", 820000},
		{"MS-EXAMPLE", "42", 950000}, {"MS-EXAMPLE", "43", 750000},
	}
	for _, g := range good {
		got, err := c.Tariff(g.programme, "2025-2026", g.code)
		if err != nil || got != g.want {
			t.Errorf("Tariff(%s, %s) = %d, %v; want %d", g.programme, g.code, got, err, g.want)
		}
	}
	bad := []struct {
		programme, year, code, want string
		kind                        fault.Kind
	}{
		{"ING-GC-3A", "2024-2025", "01", "no tariff for code 01 in ING-GC-3A for 2024-2025; years with tariffs: 2025-2026", fault.NotFound},
		{"ING-GC-3A", "2025-2026", "08", "code 08 is not allowed for ING-GC-3A; allowed codes: 01, 02, 05, 07, 14", fault.Conflict},
		{"NOPE", "2025-2026", "01", "programme NOPE is not in the fee catalogue; known programmes: FC-EXAMPLE, ING-GC-3A, ING-GC-4A, ING-GC-5A, ING-GE-APP-3A, ING-INFO-3A, MS-EXAMPLE", fault.NotFound},
	}
	for _, b := range bad {
		_, err := c.Tariff(b.programme, b.year, b.code)
		if err == nil || err.Error() != b.want || fault.KindOf(err) != b.kind {
			t.Errorf("Tariff(%s, %s, %s) = %v, want %q", b.programme, b.year, b.code, err, b.want)
		}
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Catalogue)
		want   string
	}{
		{"unknown allowed code", func(c *Catalogue) {
			p := c.Programmes["FC-EXAMPLE"]
			p.Codes = append(p.Codes, "99")
			p.Tariffs["2025-2026"]["99"] = 10
			c.Programmes["FC-EXAMPLE"] = p
		}, `programme FC-EXAMPLE: code "99" is not in the catalogue`},
		{"missing tariff", func(c *Catalogue) {
			delete(c.Programmes["ING-GC-5A"].Tariffs["2025-2026"], "08")
		}, "programme ING-GC-5A, 2025-2026: no tariff for code 08"},
		{"missing tariff in a second year", func(c *Catalogue) {
			c.Programmes["ING-GC-3A"].Tariffs["2026-2027"] = map[string]money.Cents{"01": 64000}
		}, "programme ING-GC-3A, 2026-2027: no tariff for code 02"},
		{"tariff for a code not allowed", func(c *Catalogue) {
			c.Programmes["ING-GC-3A"].Tariffs["2025-2026"]["08"] = 0
		}, "programme ING-GC-3A, 2025-2026: tariff for code 08, which the programme does not allow"},
		{"negative tariff", func(c *Catalogue) {
			c.Programmes["ING-GC-3A"].Tariffs["2025-2026"]["01"] = -1
		}, "programme ING-GC-3A, 2025-2026: tariff for code 01 is out of range: -0,01 €"},
		{"bad year", func(c *Catalogue) {
			p := c.Programmes["MS-EXAMPLE"]
			p.Tariffs["2025-2027"] = p.Tariffs["2025-2026"]
		}, "programme MS-EXAMPLE, 2025-2027: not an academic year (e.g. 2025-2026)"},
		{"three-digit code", func(c *Catalogue) {
			c.Codes["100"] = Code{ID: "100", Label: "x"}
		}, `"100" is not a two-digit fee code`},
		{"code without label", func(c *Catalogue) {
			c.Codes["14"] = Code{ID: "14"}
		}, "code 14 has no label"},
		{"code filed under another id", func(c *Catalogue) {
			c.Codes["15"] = Code{ID: "14", Label: "x"}
		}, `code 14 is filed under "15"`},
		{"bad programme id", func(c *Catalogue) {
			p := c.Programmes["FC-EXAMPLE"]
			p.ID = "FC EX"
			c.Programmes["FC EX"] = p
		}, "programme FC EX: not a programme id (e.g. ING-GC-3A)"},
		{"no session", func(c *Catalogue) {
			p := c.Programmes["FC-EXAMPLE"]
			p.Session = ""
			c.Programmes["FC-EXAMPLE"] = p
		}, "programme FC-EXAMPLE: needs a label and a session"},
		{"code listed twice", func(c *Catalogue) {
			p := c.Programmes["MS-EXAMPLE"]
			p.Codes = []string{"42", "43", "42"}
			c.Programmes["MS-EXAMPLE"] = p
		}, "programme MS-EXAMPLE: code 42 is listed twice"},
		{"apprenticeship without 01", func(c *Catalogue) {
			p := c.Programmes["FC-EXAMPLE"]
			p.Apprenticeship = true
			c.Programmes["FC-EXAMPLE"] = p
		}, "programme FC-EXAMPLE: an apprenticeship programme must allow code 01"},
		{"diploma without 05", func(c *Catalogue) {
			p := c.Programmes["MS-EXAMPLE"]
			p.Diploma = true
			c.Programmes["MS-EXAMPLE"] = p
		}, "programme MS-EXAMPLE: a diploma programme must allow code 05"},
		{"no tariffs", func(c *Catalogue) {
			p := c.Programmes["MS-EXAMPLE"]
			p.Tariffs = nil
			c.Programmes["MS-EXAMPLE"] = p
		}, "programme MS-EXAMPLE: has no tariffs"},
		{"no programmes", func(c *Catalogue) { c.Programmes = nil }, "no programmes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ExampleCatalogue()
			tt.change(&c)
			err := c.Validate()
			if err == nil {
				t.Fatal("valid, want an error")
			}
			if !strings.HasPrefix(err.Error(), "invalid fee catalogue: ") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %q\nwant it to contain %q", err, tt.want)
			}
			if !isType[*ErrCatalogue](err) || fault.KindOf(err) != fault.Usage {
				t.Errorf("%T of kind %v", err, fault.KindOf(err))
			}
		})
	}
}

func TestValidYear(t *testing.T) {
	for y, want := range map[string]bool{
		"2025-2026": true, "1999-2000": true, "2025-2025": false, "2025-2027": false,
		"2025/2026": false, "25-26": false, "": false, "2025-2026 ": false,
	} {
		if ValidYear(y) != want {
			t.Errorf("ValidYear(%q) = %v", y, !want)
		}
	}
}

// TestCodeFromSpreadsheet: Excel's 1 and 5 are the codes 01 and 05; a code
// the catalogue has as written, two digits, or a digit with no "0d" code
// stay as they are (and are refused later as unknown when they are).
func TestCodeFromSpreadsheet(t *testing.T) {
	cat := Catalogue{Codes: map[string]Code{"01": {ID: "01"}, "05": {ID: "05"}, "7": {ID: "7"}, "10": {ID: "10"}}}
	for in, want := range map[string]struct {
		code     string
		restored bool
	}{
		"1": {"01", true}, "5": {"05", true}, "01": {"01", false}, "7": {"7", false},
		"3": {"3", false}, "10": {"10", false}, "": {"", false}, "x": {"x", false}, "05 ": {"05 ", false},
	} {
		if code, restored := cat.CodeFromSpreadsheet(in); code != want.code || restored != want.restored {
			t.Errorf("CodeFromSpreadsheet(%q) = %q, %v; want %q, %v", in, code, restored, want.code, want.restored)
		}
	}
}
