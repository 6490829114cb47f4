// Package synth generates fictitious but realistic intakes of students for
// the demo, rehearsals and benchmarks: names, programmes, situations, and
// the fee code and plan each would end up with. Deterministic for a seed.
// Every name is made up; no card number is produced here. synth imports
// only the standard library.
package synth

import (
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
)

// Student is one generated student and what the year holds for them.
type Student struct {
	ID, LastName, FirstName, Email, Programme string
	Apprentice, ExtraEU, Exchange             bool
	Address, Postcode, City, Country          string
	Code, Proof                               string // the fee code staff will set
	Plan                                      string // 1x, 3x or 5x ("" for a zero-amount order)
}

var (
	lastNames = []string{"Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
		"Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier",
		"Morel", "Girard", "Andre", "Mercier", "Dupont", "Lambert", "Bonnet", "Francois", "Martinez", "Legrand",
		"Exemple", "Essai", "Fictif", "Modele", "Nguyen", "Diallo", "Benali", "Kowalski", "Rossi", "Silva"}
	firstNames = []string{"Camille", "Léa", "Manon", "Chloé", "Inès", "Jade", "Louise", "Zoé", "Lucas", "Hugo",
		"Théo", "Nathan", "Louis", "Jules", "Gabriel", "Arthur", "Maël", "Noé", "Élise", "Anaïs",
		"Yasmine", "Amadou", "Mei", "Oskar", "Sofia", "Ibrahim", "Clément", "Margaux", "Baptiste", "Océane"}
	cities = []struct{ postcode, city string }{
		{"63000", "Clermont-Ferrand"}, {"63170", "Aubière"}, {"63100", "Clermont-Ferrand"}, {"63400", "Chamalières"},
		{"03100", "Montluçon"}, {"43000", "Le Puy-en-Velay"}, {"15000", "Aurillac"}, {"69007", "Lyon"},
	}
	streets = []string{"rue Blaise Pascal", "avenue des Landais", "boulevard Lafayette", "rue de l'Oradou", "place de Jaude", "rue Montlosier"}
	abroad  = []string{"Maroc", "Sénégal", "Chine", "Brésil", "Viêt Nam", "Tunisie", "Cameroun", "Inde"}
)

// Generate returns n students for academic year year, deterministic for seed.
func Generate(n int, seed uint64) []Student {
	r := rand.New(rand.NewPCG(seed, 0x1a2b3c))
	out := make([]Student, n)
	for i := range out {
		out[i] = one(r, i)
	}
	return out
}

func one(r *rand.Rand, i int) Student {
	s := Student{
		ID:        fmt.Sprintf("2%07d", 2100000+i),
		LastName:  lastNames[r.IntN(len(lastNames))],
		FirstName: firstNames[r.IntN(len(firstNames))],
		Country:   "France",
	}
	s.Email = fmt.Sprintf("%s.%s.%d@etu.example.org", ascii(s.FirstName), ascii(s.LastName), i)
	c := cities[r.IntN(len(cities))]
	s.Address = fmt.Sprintf("%d %s", 1+r.IntN(120), streets[r.IntN(len(streets))])
	s.Postcode, s.City = c.postcode, c.city
	p := r.IntN(100)
	switch {
	case p < 8:
		s.Programme, s.Apprentice, s.Code = "ING-GE-APP-3A", true, "01"
	case p < 11:
		s.Programme, s.Code = "MS-EXAMPLE", pick(r, "42", "43")
	case p < 13:
		s.Programme, s.Code = "FC-EXAMPLE", "20"
	default:
		s.Programme = []string{"ING-GC-3A", "ING-GC-4A", "ING-GC-5A", "ING-INFO-3A"}[r.IntN(4)]
		s.situation(r, i)
	}
	s.Plan = plan(r, s)
	return s
}

func (s *Student) situation(r *rand.Rand, i int) {
	p := r.IntN(100)
	switch {
	case p < 10:
		s.ExtraEU, s.Code = true, "05"
		s.Country = abroad[r.IntN(len(abroad))]
	case p < 14:
		s.ExtraEU, s.Exchange, s.Code = true, true, "07"
		s.Country = abroad[r.IntN(len(abroad))]
		s.Proof = fmt.Sprintf("convention mobilité %d", 100+i%900)
	case p < 40:
		s.Code, s.Proof = "02", fmt.Sprintf("attestation CROUS 2025-%05d", i)
	case p < 43 && s.Programme == "ING-GC-5A":
		s.Code, s.Proof = "08", fmt.Sprintf("contrat de professionnalisation n° %d", 7000+i)
	case p < 45:
		s.Code = "14"
	default:
		s.Code = "01"
	}
}

func plan(r *rand.Rand, s Student) string {
	switch s.Code {
	case "02", "07", "08", "42": // nothing to pay, or paid by the company
		return ""
	case "05", "43", "20", "25":
		return []string{"1x", "3x", "5x", "5x"}[r.IntN(4)]
	}
	return []string{"1x", "1x", "1x", "3x"}[r.IntN(4)]
}

func pick(r *rand.Rand, opts ...string) string { return opts[r.IntN(len(opts))] }

func ascii(s string) string {
	repl := map[rune]string{'é': "e", 'è': "e", 'ë': "e", 'ï': "i", 'É': "e", 'ç': "c", 'à': "a", 'ô': "o"}
	var out []rune
	for _, c := range s {
		if v, ok := repl[c]; ok {
			out = append(out, []rune(v)...)
			continue
		}
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		out = append(out, c)
	}
	return string(out)
}

func yn(b bool) string {
	if b {
		return "oui"
	}
	return "non"
}

// WriteStudents writes the students import CSV.
func WriteStudents(w io.Writer, students []Student) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"student_id", "last_name", "first_name", "email", "programme", "apprentice", "extra_eu", "exchange", "address", "postcode", "city", "country"})
	for _, s := range students {
		cw.Write([]string{s.ID, s.LastName, s.FirstName, s.Email, s.Programme, yn(s.Apprentice), yn(s.ExtraEU), yn(s.Exchange), s.Address, s.Postcode, s.City, s.Country})
	}
	cw.Flush()
	return cw.Error()
}

// WriteCodes writes the fee-code list for dossier set-code --from.
func WriteCodes(w io.Writer, students []Student) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"student_id", "code", "proof"})
	for _, s := range students {
		cw.Write([]string{s.ID, s.Code, s.Proof})
	}
	cw.Flush()
	return cw.Error()
}

// WritePlans writes the plan requests for schedule request --from (students
// with something to pay only).
func WritePlans(w io.Writer, students []Student) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"student_id", "plan"})
	for _, s := range students {
		if s.Plan != "" {
			cw.Write([]string{s.ID, s.Plan})
		}
	}
	cw.Flush()
	return cw.Error()
}
