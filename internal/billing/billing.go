// Package billing holds the money flows of inpctl: set a fee code (and
// re-invoice), validate dossiers, issue invoices and credit notes, approve
// plans, take payments, charge cards, refund, exempt. It orchestrates the
// store (one transaction per flow, rule check and write together), the pure
// rules of fees and schedule, and the gateway. It never imports cli.
package billing

import (
	"time"

	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/fees"
	"github.com/inpctl/inpctl/internal/money"
	"github.com/inpctl/inpctl/internal/schedule"
	"github.com/inpctl/inpctl/internal/store"
)

// Service runs the flows against one database for one academic year.
type Service struct {
	DB       *store.DB
	Cat      fees.Catalogue
	Year     string
	Location *time.Location
	Rules    schedule.Rules
	Retry    schedule.RetryPolicy
	Issuer   Issuer
}

// Issuer is what invoices say about who issues them.
type Issuer struct {
	Name        string
	Address     []string
	SIRET       string
	VATMention  string
	LibelleCard string
}

// today is the calendar date of a transaction's Now in the school's zone.
func (s *Service) today(tx *store.Tx) clock.Date { return tx.Today(s.Location) }

// eur formats an amount for messages.
func eur(c money.Cents) string { return c.String() }
