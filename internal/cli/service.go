package cli

import (
	"context"

	"github.com/inpctl/inpctl/internal/billing"
)

// Service opens the store and builds the billing service for the academic
// year (the config's, or year when given).
func (e *Env) Service(ctx context.Context, year string) (*billing.Service, error) {
	cfg, err := e.Config()
	if err != nil {
		return nil, err
	}
	if year, err = yearOrDefault(e, year); err != nil {
		return nil, err
	}
	db, err := e.Store(ctx)
	if err != nil {
		return nil, err
	}
	cat, err := db.Catalogue(ctx)
	if err != nil {
		return nil, err
	}
	rules, retry, err := cfg.ScheduleRules()
	if err != nil {
		return nil, err
	}
	return &billing.Service{
		DB: db, Cat: cat, Year: year, Location: cfg.Location,
		Rules: rules, Retry: retry,
		Issuer: billing.Issuer{Name: cfg.Issuer.Name, Address: cfg.Issuer.Address, SIRET: cfg.Issuer.SIRET,
			VATMention: cfg.Issuer.VATMention, LibelleCard: cfg.Issuer.LibelleCard,
			PaymentTermsDays: cfg.Issuer.PaymentTermsDays, BusinessMentions: cfg.Issuer.BusinessMentions},
	}, nil
}
