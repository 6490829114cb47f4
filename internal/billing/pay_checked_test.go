package billing

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/gateway/paybox"
	"github.com/inpctl/inpctl/internal/store"
)

// checkedNotice is the approved notification Paybox would send for id's
// next amount (a fresh pay link), as VerifyIPN would return it.
func checkedNotice(t *testing.T, s *Service, id, numTrans string) paybox.Notification {
	t.Helper()
	pl, err := s.MakePayLink(context.Background(), id, paybox.LinkConfig{URL: "http://sandbox.invalid/pay", Site: "1999888", Rang: "32",
		Identifiant: "107904482", Key: make([]byte, 64), IPNURL: "https://example.org/paybox/ipn", Location: s.Location}, time.Date(2025, 9, 5, 10, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	return paybox.Notification{Amount: pl.Amount, Cmd: pl.Cmd, Auth: "XXXXXX", NumAppel: "A" + numTrans, NumTrans: numTrans, Code: "00000", CardType: "CB"}
}

func cardPaymentsOf(t *testing.T, s *Service) map[string]int {
	t.Helper()
	ps, err := s.DB.ListPayments(context.Background(), store.PaymentFilter{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, p := range ps {
		if p.NumTrans != "" {
			out[p.StudentID]++
		}
	}
	return out
}

// TestApplyCheckedIPNsOneCommit: serve's group commit. A batch holding the
// same notification twice applies it once (the second is a replay seen
// inside the transaction); a batch with a refused notification in the
// middle falls back to one transaction each: the refused one gets its own
// error, the others are applied, a replay of an applied one writes nothing.
func TestApplyCheckedIPNsOneCommit(t *testing.T) {
	s, _ := planSvc(t)
	ctx := context.Background()
	for id, code := range map[string]string{"22100001": "01", "22100002": "05", "22100003": "43"} {
		declare(t, s, id, code)
	}
	a, b := checkedNotice(t, s, "22100001", "1001"), checkedNotice(t, s, "22100003", "1003")
	res, errs := s.ApplyCheckedIPNs(ctx, []paybox.Notification{a, a, b})
	for k, err := range errs {
		if err != nil {
			t.Fatalf("notification %d: %v", k, err)
		}
	}
	if res[0].Outcome != "paid" || res[0].Replay || !res[1].Replay || res[1].Payment != res[0].Payment || res[2].Outcome != "paid" {
		t.Errorf("results %+v", res)
	}
	if got := cardPaymentsOf(t, s); got["22100001"] != 1 || got["22100003"] != 1 {
		t.Errorf("card payments %v, want one each", got)
	}

	unknown := a
	unknown.Cmd, unknown.NumTrans = "NOPE-P99999999", "1999"
	c := checkedNotice(t, s, "22100002", "1002")
	res, errs = s.ApplyCheckedIPNs(ctx, []paybox.Notification{b, unknown, c, c})
	if errs[0] != nil || !res[0].Replay {
		t.Errorf("a replay before the refused one: %+v, %v", res[0], errs[0])
	}
	if !fault.Is(errs[1], fault.NotFound) {
		t.Errorf("an unknown PBX_CMD: %v, want not found", errs[1])
	}
	if errs[2] != nil || errs[3] != nil || res[2].Outcome != "paid" || !res[3].Replay {
		t.Errorf("after the refused one: %+v %v, %+v %v", res[2], errs[2], res[3], errs[3])
	}
	want := map[string]int{"22100001": 1, "22100002": 1, "22100003": 1}
	if got := cardPaymentsOf(t, s); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("card payments %v, want %v", got, want)
	}
}
