package fees

import "github.com/inpctl/inpctl/internal/money"

// ExampleYear is the academic year of ExampleCatalogue's tariffs.
const ExampleYear = "2025-2026"

// ExampleCatalogue returns the example and test catalogue: the programmes
// and 2025-2026 tariffs of SPEC §3, the same as the catalogue of the
// built-in config.example.yaml (the two must be kept in step). The amounts
// of codes 14, 20, 25, 42 and 43 are examples for the school to set; 628,00 €
// (01) and 3 941,00 € (05) are the national 2025-2026 fees.
//
// Mastères spécialisés (a Conférence des grandes écoles label) and
// formation continue are not national diploma programmes: Diploma is false
// for them, so the extra-EU code 05 rule does not apply there.
func ExampleCatalogue() Catalogue {
	eng := func(id, label, session string, codes ...string) Programme {
		return Programme{ID: id, Label: label, Session: session, Codes: codes, Diploma: true,
			Tariffs: map[string]map[string]money.Cents{ExampleYear: exampleTariffs(codes)}}
	}
	apprentices := eng("ING-GE-APP-3A", "Ingénieur Polytech - Génie Électrique par apprentissage 3ème année",
		"P2225_Y3_GEAPP", "01")
	apprentices.Apprenticeship = true
	master := eng("MS-EXAMPLE", "Mastère spécialisé (exemple)", "P2526_MS_EX", "42", "43")
	master.Diploma = false
	continuing := eng("FC-EXAMPLE", "Formation continue (exemple)", "P2526_FC_EX", "20", "25")
	continuing.Diploma = false
	progs := []Programme{
		eng("ING-GC-3A", "Ingénieur Polytech - spécialité Génie Civil 3ème année", "P2225_Y3_3A",
			"01", "02", "05", "07", "14"),
		eng("ING-GC-4A", "Ingénieur Polytech - spécialité Génie Civil 4ème année", "P2225_Y4_4A",
			"01", "02", "05", "07", "14"),
		eng("ING-GC-5A", "Ingénieur Polytech - spécialité Génie Civil 5ème année", "P2225_Y5_5A",
			"01", "02", "05", "07", "08", "14"),
		eng("ING-INFO-3A", "Ingénieur Polytech - spécialité Informatique 3ème année", "P2225_Y3_INFO",
			"01", "02", "05", "07", "14"),
		apprentices, master, continuing,
	}
	c := Catalogue{Codes: DefaultCodes(), Programmes: map[string]Programme{}}
	for _, p := range progs {
		c.Programmes[p.ID] = p
	}
	return c
}

// exampleAmounts are the 2025-2026 amounts of the example catalogue.
var exampleAmounts = map[string]money.Cents{
	CodeNonBoursier:  62800,
	CodeBoursier:     0,
	CodeExtraEU:      394100,
	CodeMobility:     0,
	CodeProContract:  0,
	CodeCesure:       31400,  // example
	CodeFC:           650000, // example
	CodeFCExtraEU:    820000, // example
	CodeMSCompany:    950000, // example
	CodeMSSelfFunded: 750000, // example
}

func exampleTariffs(codes []string) map[string]money.Cents {
	m := make(map[string]money.Cents, len(codes))
	for _, c := range codes {
		m[c] = exampleAmounts[c]
	}
	return m
}
