package billing

import (
	"time"

	"github.com/inpctl/inpctl/internal/clock"
)

// The operations of the ledger simulation: each is one direct Service call
// (what one inpctl command does), then the oracle learns what it did.
type simOp struct {
	name   string
	weight int
	run    func(w *simWorld, st *simStudent, year string) (string, error)
}

// simOps: the first one (set-code) is also what a student without an order
// gets most of the time.
var simOps = []simOp{
	{"set-code", 5, (*simWorld).opSetCode},
	{"flow", 60, (*simWorld).opFlow},
	{"validate", 1, func(w *simWorld, st *simStudent, y string) (string, error) {
		_, err := w.svc[y].Validate(w.ctx, st.id)
		return simDone("validate "+st.id+" "+y, err)
	}},
	{"request", 3, (*simWorld).opRequest},
	{"approve", 3, (*simWorld).opApprove},
	{"reject", 1, (*simWorld).opReject},
	{"cancel", 2, func(w *simWorld, st *simStudent, y string) (string, error) {
		_, err := w.svc[y].CancelPlan(w.ctx, st.id, "l'étudiant choisit un autre échéancier")
		return simDone("schedule cancel "+st.id+" "+y, err)
	}},
	{"unblock", 3, func(w *simWorld, st *simStudent, y string) (string, error) {
		return simDone("schedule unblock "+st.id+" "+y, w.svc[y].Unblock(w.ctx, st.id, "carte vue au guichet"))
	}},
	{"pay", 5, (*simWorld).opPay},
	{"cheque", 7, (*simWorld).opCheque},
	{"unpaid", 3, func(w *simWorld, st *simStudent, _ string) (string, error) { return w.opReverse(st, false) }},
	{"void", 2, func(w *simWorld, st *simStudent, _ string) (string, error) { return w.opReverse(st, true) }},
	{"refund", 3, (*simWorld).opRefund},
	{"refund-lost", 2, (*simWorld).opRefundLost},
	{"charge-lost", 2, (*simWorld).opChargeLost},
	{"exempt", 3, (*simWorld).opExempt},
	{"credit-note", 2, (*simWorld).opCreditNote},
	{"invoice", 1, (*simWorld).opInvoice},
	{"set-payer", 3, func(w *simWorld, st *simStudent, y string) (string, error) { return w.opSetPayer(st, y, false) }},
	{"set-payer-share", 3, func(w *simWorld, st *simStudent, y string) (string, error) { return w.opSetPayer(st, y, true) }},
	{"payer-transfer", 3, (*simWorld).opPayerTransfer},
	{"cron", 8, func(w *simWorld, _ *simStudent, _ string) (string, error) { return w.opCron() }},
	{"retry", 4, func(w *simWorld, _ *simStudent, _ string) (string, error) {
		w.clk.now = w.clk.now.AddDate(0, 0, []int{3, 7}[w.rng.IntN(2)])
		return w.charge("")
	}},
	{"wait", 1, func(w *simWorld, _ *simStudent, _ string) (string, error) {
		w.clk.now = w.clk.now.AddDate(0, 0, 1+w.rng.IntN(12))
		return "wait" + simNothing, nil
	}},
	{"charge-id", 3, func(w *simWorld, st *simStudent, _ string) (string, error) { return w.charge(st.id) }},
}

// opFlow is the student's next step as the guide tells it: a code, a plan,
// its approval, the first payment, the monthly debits.
func (w *simWorld) opFlow(st *simStudent, year string) (string, error) {
	o := w.cur(st, year)
	if o == nil {
		return w.opSetCode(st, year)
	}
	if d, err := w.db.Dossier(w.ctx, st.id, year); err == nil {
		if cur, ok, err := w.db.OrderOf(w.ctx, d.ID); err == nil && ok && cur.BlockedReason != "" {
			if w.rng.IntN(2) == 0 {
				return simDone("schedule unblock "+st.id+" "+year, w.svc[year].Unblock(w.ctx, st.id, "l'étudiant a approvisionné son compte"))
			}
			st.card = simCards[w.rng.IntN(len(simCards))] // a new card on the hosted page
			return w.opPay(st, year)
		}
	}
	p, err := w.svc[year].Plan(w.ctx, st.id)
	switch r := w.rng.IntN(10); {
	case err != nil || p.OrderID != o.id || p.Status == "rejected" || p.Status == "cancelled":
		return w.opRequest(st, year)
	case p.Status == "requested" && r == 0:
		return w.opReject(st, year)
	case p.Status == "requested":
		return w.opApprove(st, year)
	case p.Status == "approved":
		return w.opPay(st, year)
	case p.Status == "active" && r < 6:
		return w.opCron()
	case p.Status == "active" && r < 8:
		w.clk.now = w.clk.now.AddDate(0, 0, []int{3, 7}[w.rng.IntN(2)])
		return w.charge("")
	case p.Status == "active":
		return w.opCheque(st, year)
	}
	return w.opCron() // completed: the year goes on
}

// opCron is the cron of the 10th: the clock goes to the next 10th, and
// charge --due runs.
func (w *simWorld) opCron() (string, error) {
	d := w.today()
	next := clock.NewDate(d.Year, d.Month, 10)
	if d.Day >= 10 {
		next = clock.NewDate(d.Year, d.Month+1, 10)
	}
	w.clk.now = next.Time(w.loc).Add(9 * time.Hour)
	return w.charge("")
}

func simDone(desc string, err error) (string, error) {
	if err != nil {
		return refused(desc, err)
	}
	return desc, nil
}

func (w *simWorld) cur(st *simStudent, year string) *orOrder {
	return w.or.current[[2]string{st.id, year}]
}
