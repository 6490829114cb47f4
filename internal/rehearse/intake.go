package rehearse

import (
	"context"
	"fmt"
	"strings"

	"github.com/inpctl/inpctl/internal/billing"
	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/gateway/sandbox"
	"github.com/inpctl/inpctl/internal/schedule"
	"github.com/inpctl/inpctl/internal/store"
	"github.com/inpctl/inpctl/internal/synth"
)

// file is the name the bulk steps give their input in the audit log.
const file = "rehearsal"

// specialCards are the sandbox cards ~5 % of the students pay with, so the
// year has soft declines that recover, soft declines that block, and a
// lost card (docs/sandbox.md).
var specialCards = []string{sandbox.CardSoftOnce, sandbox.CardSoftAlways, sandbox.CardLost}

// picks are the students chosen for the year's one-off events.
type picks struct {
	exempt, bourse, cheque string
}

// generate makes the intake and chooses who pays with a special card and
// who gets the exemption, the bourse and the cheque.
func (r *run) generate(_ context.Context, _ clock.Date) (int, error) {
	r.students = synth.Generate(r.opt.Students, r.opt.Seed)
	var multi []synth.Student
	for _, s := range r.students {
		if s.Plan == string(schedule.Plan3x) || s.Plan == string(schedule.Plan5x) {
			multi = append(multi, s)
		}
	}
	want := max(len(specialCards), len(r.students)*5/100)
	stride := max(1, len(multi)/want)
	for i, k := 0, 0; i < len(multi) && k < want; i, k = i+stride, k+1 {
		r.cards[multi[i].ID] = specialCards[k%len(specialCards)]
	}
	for _, s := range r.students {
		switch {
		case r.cards[s.ID] != "":
		case r.picks.exempt == "" && s.Plan == string(schedule.Plan5x):
			r.picks.exempt = s.ID
		case r.picks.cheque == "" && s.Plan == string(schedule.Plan3x):
			r.picks.cheque = s.ID
		case r.picks.bourse == "" && s.Plan == string(schedule.Plan1x) && s.Code == "01" && !s.Apprentice:
			r.picks.bourse = s.ID
		}
	}
	r.rep.Counts.Students = len(r.students)
	return len(r.students), nil
}

// importStudents is "student import": the rows a valid CSV would give.
func (r *run) importStudents(ctx context.Context, _ clock.Date) (int, error) {
	rows := make([]store.ImportRow, len(r.students))
	for i, s := range r.students {
		rows[i] = store.ImportRow{Year: r.k.Svc.Year, Line: i + 2, Student: store.Student{
			ID: s.ID, LastName: s.LastName, FirstName: s.FirstName, Email: s.Email, Programme: s.Programme,
			Apprentice: s.Apprentice, ExtraEU: s.ExtraEU, Exchange: s.Exchange,
			Address: s.Address, Postcode: s.Postcode, City: s.City, Country: s.Country,
		}}
	}
	res, conflicts, err := r.k.Svc.ImportStudentRows(ctx, file, rows, false)
	if err != nil {
		return 0, err
	}
	if len(conflicts) > 0 {
		return 0, fmt.Errorf("%d rows refused, first: line %d: %s", len(conflicts), conflicts[0].Line, conflicts[0].Msg)
	}
	return res.Created + res.Updated + res.Unchanged, nil
}

// setCodes is "dossier set-code --from codes.csv".
func (r *run) setCodes(ctx context.Context, _ clock.Date) (int, error) {
	changes := make([]billing.CodeChange, len(r.students))
	for i, s := range r.students {
		changes[i] = billing.CodeChange{StudentID: s.ID, Code: s.Code, Proof: s.Proof, Line: i + 2}
	}
	n, rowErrs, err := r.k.Svc.SetCodes(ctx, changes, file)
	if err != nil {
		return 0, err
	}
	return n, rowError(rowErrs)
}

// validate is "dossier validate --all-declared".
func (r *run) validate(ctx context.Context, _ clock.Date) (int, error) {
	n, refused, err := r.k.Svc.ValidateAll(ctx, "")
	if err != nil {
		return 0, err
	}
	if len(refused) > 0 {
		return 0, fmt.Errorf("%d dossiers refused, first: %w", len(refused), refused[0])
	}
	return n, nil
}

// requestPlans is "schedule request --from plans.csv".
func (r *run) requestPlans(ctx context.Context, _ clock.Date) (int, error) {
	var reqs []billing.PlanRequest
	for i, s := range r.students {
		if s.Plan != "" {
			reqs = append(reqs, billing.PlanRequest{StudentID: s.ID, Plan: s.Plan, Line: i + 2})
		}
	}
	res, rowErrs, err := r.k.Svc.RequestPlans(ctx, reqs, file)
	if err != nil {
		return 0, err
	}
	return res.Recorded, rowError(rowErrs)
}

// approvePlans is "schedule approve --all-requested --yes".
func (r *run) approvePlans(ctx context.Context, _ clock.Date) (int, error) {
	reqs, err := r.k.Svc.ListPlans(ctx, string(schedule.PlanRequested), "")
	if err != nil {
		return 0, err
	}
	ids := make([]string, len(reqs))
	for i, p := range reqs {
		ids[i] = p.StudentID
	}
	res, refusals, err := r.k.Svc.ApprovePlans(ctx, ids)
	if err != nil {
		return 0, err
	}
	if len(refusals) > 0 {
		return 0, fmt.Errorf("%d plans refused, first: %w", len(refusals), refusals[0])
	}
	return len(res.Plans), nil
}

// rowError turns the refusals of a bulk step into one error (nil if none):
// a rehearsal's own intake must never be refused.
func rowError(rows []billing.RowError) error {
	if len(rows) == 0 {
		return nil
	}
	msgs := make([]string, 0, 3)
	for _, r := range rows[:min(3, len(rows))] {
		msgs = append(msgs, fmt.Sprintf("line %d: %v", r.Line, r.Err))
	}
	return fault.New(fault.Failure, "%d rows refused: %s", len(rows), strings.Join(msgs, "; "))
}
