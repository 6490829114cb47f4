package schedule

// PlanStatus is where a plan stands.
type PlanStatus string

// The plan statuses. A 3x or 5x plan starts requested and must be approved
// by the accounting office; a 1x plan starts approved (see InitialStatus).
const (
	PlanRequested PlanStatus = "requested" // asked for, waiting for the accounting office
	PlanApproved  PlanStatus = "approved"  // may be charged; nothing paid yet
	PlanActive    PlanStatus = "active"    // first instalment paid, the others to come
	PlanCompleted PlanStatus = "completed" // every instalment paid
	PlanRejected  PlanStatus = "rejected"  // refused by the accounting office
	PlanCancelled PlanStatus = "cancelled" // stopped (exemption decision, code change)
)

// PlanStatuses returns every plan status.
func PlanStatuses() []PlanStatus {
	return []PlanStatus{PlanRequested, PlanApproved, PlanActive, PlanCompleted, PlanRejected, PlanCancelled}
}

// InitialStatus returns the status a new plan starts in: requested when the
// plan needs approval, approved otherwise.
func InitialStatus(p Plan) PlanStatus {
	if p.NeedsApproval() {
		return PlanRequested
	}
	return PlanApproved
}

var planNext = map[PlanStatus][]PlanStatus{
	PlanRequested: {PlanApproved, PlanRejected, PlanCancelled},
	PlanApproved:  {PlanActive, PlanCancelled},
	PlanActive:    {PlanCompleted, PlanCancelled},
	PlanCompleted: {PlanActive}, // reopened: an unpaid made the order owe again
	PlanRejected:  {},
	PlanCancelled: {},
}

// CheckPlanTransition is the plan state machine: it returns nil when a plan
// may go from one status to the other, an *ErrTransition otherwise.
//
//	requested → approved | rejected | cancelled
//	approved  → active | cancelled
//	active    → completed | cancelled
//	completed → active (an unpaid or a void made the order owe again)
//	rejected, cancelled: final
func CheckPlanTransition(from, to PlanStatus) error {
	return check("plan", planNext, from, to)
}

// InstalmentStatus is where one instalment stands.
type InstalmentStatus string

// The instalment statuses.
const (
	InstalmentPending   InstalmentStatus = "pending"   // due (now or later), not paid
	InstalmentPaid      InstalmentStatus = "paid"      // paid
	InstalmentFailed    InstalmentStatus = "failed"    // the last attempt was declined
	InstalmentCancelled InstalmentStatus = "cancelled" // will never be charged
)

// InstalmentStatuses returns every instalment status.
func InstalmentStatuses() []InstalmentStatus {
	return []InstalmentStatus{InstalmentPending, InstalmentPaid, InstalmentFailed, InstalmentCancelled}
}

var instalmentNext = map[InstalmentStatus][]InstalmentStatus{
	InstalmentPending: {InstalmentPaid, InstalmentFailed, InstalmentCancelled},
	// failed → failed records one more declined attempt; failed → pending
	// puts an instalment back in the queue (e.g. after a new card).
	InstalmentFailed: {InstalmentPaid, InstalmentFailed, InstalmentCancelled, InstalmentPending},
	// paid → pending: the money counted on it was reversed (impayé,
	// void) or released by a credit note; paid → cancelled: its part of
	// the plan fell to 0 (an exemption). cancelled → pending: the plan's
	// base grew again (an unpaid after an exemption).
	InstalmentPaid:      {InstalmentPending, InstalmentCancelled},
	InstalmentCancelled: {InstalmentPending, InstalmentPaid},
}

// CheckInstalmentTransition is the instalment state machine: it returns nil
// when an instalment may go from one status to the other, an *ErrTransition
// otherwise.
//
//	pending   → paid | failed | cancelled
//	failed    → paid | failed | cancelled | pending
//	paid      → pending | cancelled (the plan's rule recomputed it)
//	cancelled → pending | paid (likewise, on a live plan only)
func CheckInstalmentTransition(from, to InstalmentStatus) error {
	return check("instalment", instalmentNext, from, to)
}

func check[S ~string](entity string, next map[S][]S, from, to S) error {
	if _, ok := next[from]; !ok {
		return &ErrUnknownStatus{Entity: entity, Status: string(from)}
	}
	if _, ok := next[to]; !ok {
		return &ErrUnknownStatus{Entity: entity, Status: string(to)}
	}
	for _, s := range next[from] {
		if s == to {
			return nil
		}
	}
	return &ErrTransition{Entity: entity, From: string(from), To: string(to)}
}
