package rehearse

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"time"

	"github.com/inpctl/inpctl/internal/billing"
	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/invoice"
	"github.com/inpctl/inpctl/internal/money"
)

// Names of the steps, as the commands that do the same work.
const (
	stepCharge = "charge --due"
	stepCheck  = "db check"
)

// chargeDays are the days of each month cron's "charge --due" has work:
// the debit day and the two retries (gaps of 3 and 7 days).
var chargeDays = []int{10, 13, 20}

// plan lists the steps of the year in the order they happen.
func (r *run) plan() []planned {
	y := r.firstYear()
	d := func(yy int, m time.Month, day int) clock.Date { return clock.NewDate(yy, m, day) }
	june := d(y, time.June, 20)
	p := []planned{
		{"generate intake", june, r.generate},
		{"student import", june, r.importStudents},
		{"dossier set-code --from", june, r.setCodes},
		{"dossier validate --all-declared", june, r.validate},
		{"schedule request --from", june, r.requestPlans},
		{"schedule approve --all-requested", june, r.approvePlans},
		{"pay simulate (special cards)", d(y, time.July, 1), r.paySpecial},
		{"pay simulate --all-pending", d(y, time.September, 5), r.payPending},
		{"invoice issue + transfer (code 42)", d(y, time.September, 5), r.payFinanced},
	}
	if !r.opt.NoCharges {
		p = append(p, r.months(y)...)
	}
	end := d(y+1, time.June, 30)
	if r.opt.Render {
		p = append(p, planned{"invoice render --all", end, r.render})
	}
	return append(p, planned{stepCheck, end, r.check})
}

// months are the charge runs from September to June, with the year's
// one-off events on their dates (a charge run first on a shared day).
func (r *run) months(y int) []planned {
	var p []planned
	for m := 0; m < 10; m++ {
		for _, day := range chargeDays {
			p = append(p, planned{stepCharge, clock.NewDate(y, time.September+time.Month(m), day), r.charge})
		}
	}
	events := []planned{
		{"schedule exempt", clock.NewDate(y, time.September, 25), r.exempt},
		{"dossier set-code (bourse) + refund", clock.NewDate(y, time.October, 15), r.bourse},
		{"payment record (cheque)", clock.NewDate(y, time.October, 20), r.cheque},
	}
	p = append(p, events...)
	sort.SliceStable(p, func(i, j int) bool { return p[i].day.String() < p[j].day.String() })
	return p
}

// firstYear is 2025 for the academic year 2025-2026.
func (r *run) firstYear() int {
	y, err := strconv.Atoi(r.k.Svc.Year[:min(4, len(r.k.Svc.Year))])
	if err != nil {
		return 2025
	}
	return y
}

// charge is one "charge --due" run of cron on day.
func (r *run) charge(ctx context.Context, day clock.Date) (int, error) {
	items, sum, err := r.k.Svc.Charge(ctx, r.k.Gateway, billing.ChargeOptions{
		Today: day, Now: r.k.Clock.Now, Concurrency: r.opt.Concurrency,
	})
	if err != nil {
		return len(items), err
	}
	c := &r.rep.Counts
	c.Charged += sum.Items
	c.Approved += sum.Approved
	c.Declined += sum.Declined
	c.Failed += sum.Failed + sum.Unknown + sum.Unavailable
	c.Payments += sum.Approved
	r.received = append(r.received, sum.Collected)
	for _, it := range items {
		if it.Blocked && !r.blocked[it.StudentID] {
			r.blocked[it.StudentID] = true
			c.Blocked++
		}
	}
	return sum.Items, nil
}

// exempt is "schedule exempt" for one 5x plan.
func (r *run) exempt(ctx context.Context, _ clock.Date) (int, error) {
	if r.picks.exempt == "" {
		return 0, nil
	}
	if _, err := r.k.Svc.Exempt(ctx, r.picks.exempt, "commission d'exonération, décision n° 12"); err != nil {
		return 0, err
	}
	r.rep.Counts.Exempted++
	return 1, nil
}

// bourse is a student who paid in one go obtaining the bourse: "dossier
// set-code ID 02 --reason" (credit note, new order at 0 €), then "refund"
// of the credit through the gateway.
func (r *run) bourse(ctx context.Context, _ clock.Date) (int, error) {
	id := r.picks.bourse
	if id == "" {
		return 0, nil
	}
	res, err := r.k.Svc.SetCode(ctx, billing.CodeChange{StudentID: id, Code: "02",
		Proof: "attestation CROUS 2025-4242", Reason: "bourse obtenue en octobre"})
	if err != nil {
		return 0, err
	}
	if res.Reinvoiced == nil || res.Reinvoiced.Credit <= 0 {
		return 1, nil
	}
	ref, err := r.k.Svc.Refund(ctx, r.k.Gateway, billing.RefundRequest{StudentID: id, Amount: res.Reinvoiced.Credit,
		Reason: "bourse obtenue en octobre", Now: r.k.Clock.Now()})
	if err != nil {
		return 1, err
	}
	r.refunded = append(r.refunded, ref.Amount)
	return 2, nil
}

// cheque is "payment record --method cheque" for the rest of a 3x plan.
func (r *run) cheque(ctx context.Context, _ clock.Date) (int, error) {
	id := r.picks.cheque
	if id == "" {
		return 0, nil
	}
	p, err := r.k.Svc.Plan(ctx, id)
	if err != nil {
		return 0, err
	}
	rest := p.Unpaid()
	if rest <= 0 {
		return 0, nil
	}
	res, err := r.k.Svc.RecordPayment(ctx, billing.ManualPayment{StudentID: id, Method: "cheque", Ref: "chèque n° 4031877", Amount: rest})
	if err != nil {
		return 0, err
	}
	r.rep.Counts.Cheques++
	r.paid(res.Payment.Amount)
	return 1, nil
}

// paid counts a payment the rehearsal recorded outside a charge run.
func (r *run) paid(c money.Cents) {
	r.rep.Counts.Payments++
	r.received = append(r.received, c)
}

// render is "invoice render --all --out DIR/invoices --as-of day".
func (r *run) render(ctx context.Context, day clock.Date) (int, error) {
	out := filepath.Join(r.opt.Dir, "invoices")
	if err := os.MkdirAll(out, 0o755); err != nil {
		return 0, err
	}
	svc := r.k.Svc
	// What invoice render --all writes: every invoice, then every credit note.
	cns, err := svc.CreditNoteDocuments(ctx)
	if err != nil {
		return 0, err
	}
	return svc.RenderBatch(ctx, out, true, "", day, cns, invoice.Batch{Workers: r.opt.Workers}, nil)
}

// check is "db check", then the figures of the books.
func (r *run) check(ctx context.Context, _ clock.Date) (int, error) {
	f, err := r.k.Svc.DB.Check(ctx, r.k.Clock.Now())
	if err != nil {
		return 0, err
	}
	r.rep.Findings = append(r.rep.Findings, f...)
	r.rep.Figures, err = r.k.Svc.DB.YearFigures(ctx)
	return 1, err
}
