package config

import (
	"github.com/inpctl/inpctl/internal/fees"
	"github.com/inpctl/inpctl/internal/money"
)

// FeeCatalogue converts the catalogue as written (amounts as text) into
// fees.Catalogue. Validate has already checked every amount parses.
func (c Config) FeeCatalogue() (fees.Catalogue, error) {
	cat := fees.Catalogue{Codes: map[string]fees.Code{}, Programmes: map[string]fees.Programme{}}
	for _, e := range c.Catalogue.Codes {
		cat.Codes[e.Code] = fees.Code{ID: e.Code, Label: e.Label, NeedsProof: e.NeedsProof, Financed: e.Financed}
	}
	for _, p := range c.Catalogue.Programmes {
		fp := fees.Programme{ID: p.ID, Label: p.Label, Session: p.Session, Sessions: p.Sessions, SessionYear: c.AcademicYear, Codes: append([]string{}, p.Codes...),
			Diploma: p.Diploma, Apprenticeship: p.Apprenticeship, Tariffs: map[string]map[string]money.Cents{}}
		for year, tariffs := range p.Tariffs {
			fp.Tariffs[year] = map[string]money.Cents{}
			for code, amount := range tariffs {
				a, err := money.Parse(amount)
				if err != nil {
					return cat, err
				}
				fp.Tariffs[year][code] = a
			}
		}
		cat.Programmes[p.ID] = fp
	}
	return cat, nil
}
