// Package billing holds the money flows of inpctl: set a fee code (and
// re-invoice), validate dossiers, issue invoices and credit notes, approve
// plans, take payments, charge cards, refund, exempt. It orchestrates the
// store (one transaction per flow, rule check and write together), the pure
// rules of fees and schedule, and the gateway. It never imports cli.
package billing

import (
	"strings"
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
	// ChargeWait is how long a plan change waits for a card debit of the
	// same student in flight (DefaultChargeWait if zero).
	ChargeWait time.Duration
}

// Issuer is what invoices say about who issues them.
type Issuer struct {
	Name        string
	Address     []string
	SIRET       string
	VATMention  string
	LibelleCard string
	// PaymentTermsDays and BusinessMentions are for an invoice to a
	// business (a financed order's payer): its due date is the issue date
	// plus PaymentTermsDays, and it prints BusinessMentions (Code de
	// commerce L441-9, L441-10, D441-5). Zero and nil take the defaults.
	PaymentTermsDays int
	BusinessMentions []string
}

// DefaultPaymentTermsDays is the payment term of an invoice to a business
// when the config names none (L441-10: 30 days unless agreed otherwise).
const DefaultPaymentTermsDays = 30

// DefaultBusinessMentions are printed on an invoice to a business when the
// config names none.
var DefaultBusinessMentions = []string{
	"Pas d'escompte pour paiement anticipé.",
	"En cas de retard de paiement, pénalités au taux de la BCE majoré de 10 points (art. L441-10 du Code de commerce).",
	"Indemnité forfaitaire pour frais de recouvrement : 40,00 € (art. L441-10 et D441-5 du Code de commerce).",
}

// docIssuer is the issuer as documents issued now print it.
func (s *Service) docIssuer() store.DocIssuer {
	return store.DocIssuer{Name: s.Issuer.Name, Address: strings.Join(s.Issuer.Address, "\n"), SIRET: s.Issuer.SIRET}
}

// today is the calendar date of a transaction's Now in the school's zone.
func (s *Service) today(tx *store.Tx) clock.Date { return tx.Today(s.Location) }

// eur formats an amount for messages.
func eur(c money.Cents) string { return c.String() }
