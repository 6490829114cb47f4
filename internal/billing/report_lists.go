package billing

import (
	"strconv"

	"github.com/inpctl/inpctl/internal/money"
	"github.com/inpctl/inpctl/internal/schedule"
	"github.com/inpctl/inpctl/internal/store"
)

// ReportInstalmentRow is one instalment due in the month. Its amount is in
// exactly one of Collected, Pending, Failed and Blocked, so Planned is
// their sum on every line and on the total.
type ReportInstalmentRow struct {
	StudentID     string      `json:"student_id"`
	LastName      string      `json:"last_name"`
	FirstName     string      `json:"first_name"`
	Order         string      `json:"order"`
	Instalment    string      `json:"instalment"` // "2/3"
	Due           string      `json:"due_date"`
	Planned       money.Cents `json:"planned_cents"`
	Collected     money.Cents `json:"collected_cents"`
	Pending       money.Cents `json:"pending_cents"`
	Failed        money.Cents `json:"failed_cents"`
	Blocked       money.Cents `json:"blocked_cents"`
	Status        string      `json:"status"` // paid, pending, failed, blocked
	PaidDate      string      `json:"paid_date"`
	Attempts      int         `json:"attempts"`
	NextTry       string      `json:"next_try"`
	LastCode      string      `json:"last_code"`
	BlockedReason string      `json:"blocked_reason"`
	Currency      string      `json:"currency"`
}

// ReportInstalments returns the lines of report instalments, one per
// instalment, and their total (its amounts only).
func ReportInstalments(ins []store.ReportInstalment) (rows []ReportInstalmentRow, total ReportInstalmentRow) {
	rows = make([]ReportInstalmentRow, 0, len(ins))
	for _, in := range ins {
		r := instalmentRow(in)
		total.Planned, total.Collected, total.Pending = total.Planned+r.Planned, total.Collected+r.Collected, total.Pending+r.Pending
		total.Failed, total.Blocked = total.Failed+r.Failed, total.Blocked+r.Blocked
		rows = append(rows, r)
	}
	total.Currency = money.Currency
	return rows, total
}

// instalmentRow puts an instalment's amount in the column of its state: a
// paid one is collected even if its order was blocked later (and the
// block's reason is shown on the lines it holds back only).
func instalmentRow(in store.ReportInstalment) ReportInstalmentRow {
	r := ReportInstalmentRow{StudentID: in.StudentID, LastName: in.LastName, FirstName: in.FirstName, Order: in.Order,
		Instalment: strconv.Itoa(in.Seq) + "/" + strconv.Itoa(schedule.Plan(in.Plan).Instalments()), Due: in.Due, Planned: in.Amount,
		Attempts: in.Attempts, LastCode: in.LastCode, Currency: money.Currency}
	switch {
	case in.Status == "paid":
		r.Status, r.Collected, r.PaidDate = "paid", in.Amount, in.PaidDate
	case in.Blocked != "":
		r.Status, r.Blocked, r.BlockedReason = "blocked", in.Amount, in.Blocked
	case in.Status == "failed":
		r.Status, r.Failed, r.NextTry = "failed", in.Amount, in.NextTry
	default:
		r.Status, r.Pending = "pending", in.Amount
	}
	return r
}

// ReportRefundRow is a credit to refund: the part of a payment that is
// neither allocated to an invoice nor refunded, and where a refund of it
// would go.
type ReportRefundRow struct {
	StudentID  string      `json:"student_id"`
	LastName   string      `json:"last_name"`
	FirstName  string      `json:"first_name"`
	Payment    string      `json:"payment"`
	Date       string      `json:"date"`
	Method     string      `json:"method"`
	NumTrans   string      `json:"numtrans"`
	BackTo     string      `json:"back_to"` // paybox (a card refund, TYPE 00014) or manual
	Paid       money.Cents `json:"payment_cents"`
	Refundable money.Cents `json:"refundable_cents"`
	Currency   string      `json:"currency"`
}

// ReportRefunds returns the lines of report refunds, one per payment with
// a credit, and their total (its amounts only): a card payment is
// refunded through Paybox, any other by hand.
func ReportRefunds(credits []store.ReportCredit) (rows []ReportRefundRow, total ReportRefundRow) {
	rows = make([]ReportRefundRow, 0, len(credits))
	for _, c := range credits {
		back := "manual"
		if c.Method == "card" {
			back = "paybox"
		}
		rows = append(rows, ReportRefundRow{c.StudentID, c.LastName, c.FirstName, c.Payment, c.Date, c.Method, c.NumTrans, back,
			c.Paid, c.Free, money.Currency})
	}
	total = ReportRefundRow{Currency: money.Currency,
		Paid:       money.Sum(rows, func(r ReportRefundRow) money.Cents { return r.Paid }),
		Refundable: money.Sum(rows, func(r ReportRefundRow) money.Cents { return r.Refundable })}
	return rows, total
}
