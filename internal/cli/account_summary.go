package cli

import (
	"context"
	"fmt"

	"github.com/inpctl/inpctl/internal/billing"
)

// accountBrief is the part of a student's account that student show
// prints: the four figures as of today, the plan of the year's order, the
// next debit and a block.
type accountBrief struct {
	billing.Summary
	Plan      *billing.PlanLine    `json:"plan"`
	NextDebit *billing.ComingDebit `json:"next_debit"`
	Blocked   string               `json:"blocked_reason"`
}

// accountBriefOf computes a student's accountBrief as of today; the plan
// is shown when it belongs to year's order.
func accountBriefOf(ctx context.Context, env *Env, studentID, year string) (accountBrief, error) {
	today, err := env.Today()
	if err != nil {
		return accountBrief{}, err
	}
	doc, rows, err := loadAccount(ctx, env, studentID, today)
	if err != nil {
		return accountBrief{}, err
	}
	b := accountBrief{Summary: doc.Summary, Blocked: doc.Blocked}
	if p := doc.Plan; p != nil {
		for _, o := range rows.Orders {
			if o.Number == p.OrderNumber && (year == "" || o.Year == year) {
				b.Plan = p
			}
		}
	}
	if b.Plan != nil && len(doc.Coming) > 0 {
		b.NextDebit = &doc.Coming[0]
	}
	return b, nil
}

// KV is the brief as "label  value" lines (writeKV skips empty values).
func (b accountBrief) KV() [][2]string {
	kv := [][2]string{
		{"Débit", b.Debit.String()}, {"Crédit", b.Credit.String()},
		{"Solde", b.Balance.String()}, {"Position", b.Position.String()},
		{"Échéancier", acctPlanSummary(b.Plan)}, {"Blocage", b.Blocked},
	}
	if c := b.NextDebit; c != nil {
		kv = append(kv, [2]string{"Prochain prélèvement", fmt.Sprintf("%s le %s (%s)", c.Amount, frDate(c.Due), acctDebitState(*c))})
	}
	return kv
}
