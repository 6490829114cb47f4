package cli

import (
	"context"

	"github.com/inpctl/inpctl/internal/billing"
	"github.com/inpctl/inpctl/internal/money"
	"github.com/inpctl/inpctl/internal/schedule"
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
	first, _ := money.Parse(cfg.Schedule.Plans.Five.FirstAmount)
	min, _ := money.Parse(cfg.Schedule.Plans.Five.MinTotal)
	return &billing.Service{
		DB: db, Cat: cat, Year: year, Location: cfg.Location,
		Rules: schedule.Rules{FirstAmount5x: first, MinTotal5x: min, DebitDay: cfg.Schedule.DebitDay},
		Retry: schedule.RetryPolicy{MaxAttempts: cfg.Schedule.Retry.MaxAttempts, Gaps: cfg.Schedule.Retry.GapsDays},
		Issuer: billing.Issuer{Name: cfg.Issuer.Name, Address: cfg.Issuer.Address, SIRET: cfg.Issuer.SIRET,
			VATMention: cfg.Issuer.VATMention, LibelleCard: cfg.Issuer.LibelleCard,
			PaymentTermsDays: cfg.Issuer.PaymentTermsDays, BusinessMentions: cfg.Issuer.BusinessMentions},
	}, nil
}
