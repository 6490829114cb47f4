package billing

import (
	"context"
	"fmt"
	"testing"

	"github.com/inpctl/inpctl/internal/schedule"
)

// TestStateMachineTriggersMatchSchedule: the database's guards
// (plans_transition, instalments_transition, migration 0006) allow exactly
// the moves schedule's state machines allow, pair by pair. The Go machine
// says why a move is refused; the triggers refuse a write that skipped it.
// (An instalment may be rewritten in the status it has: its amount
// changes when the plan is recomputed.)
func TestStateMachineTriggersMatchSchedule(t *testing.T) {
	s, _ := planSvc(t)
	ctx := context.Background()
	declare(t, s, "22100002", "05")
	db := rawSQL(t, s.DB)
	raw := func(q string, args ...any) error {
		_, err := db.ExecContext(ctx, fmt.Sprintf(q, args...))
		return err
	}
	fresh := func(planStatus string) {
		t.Helper()
		if err := raw(`DELETE FROM instalments`); err != nil {
			t.Fatal(err)
		}
		if err := raw(`DELETE FROM plans`); err != nil {
			t.Fatal(err)
		}
		if err := raw(`INSERT INTO plans(id, order_id, plan, status, requested_at) SELECT 1, id, '3x', '%s', 'x' FROM orders LIMIT 1`, planStatus); err != nil {
			t.Fatal(err)
		}
	}
	for _, from := range schedule.PlanStatuses() {
		for _, to := range schedule.PlanStatuses() {
			fresh(string(from))
			got := raw(`UPDATE plans SET status = '%s'`, to) == nil
			if want := schedule.CheckPlanTransition(from, to) == nil; got != want {
				t.Errorf("plan %s → %s: the trigger allows it: %v, schedule: %v", from, to, got, want)
			}
		}
	}
	for _, from := range schedule.InstalmentStatuses() {
		for _, to := range schedule.InstalmentStatuses() {
			fresh("active")
			if err := raw(`INSERT INTO instalments(plan_id, seq, amount, status) VALUES (1, 1, 100, '%s')`, from); err != nil {
				t.Fatal(err)
			}
			got := raw(`UPDATE instalments SET status = '%s'`, to) == nil
			want := from == to || schedule.CheckInstalmentTransition(from, to) == nil
			if got != want {
				t.Errorf("instalment %s → %s: the trigger allows it: %v, schedule: %v", from, to, got, want)
			}
		}
	}
}
