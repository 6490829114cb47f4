package cli

import (
	"strings"
	"testing"

	"github.com/inpctl/inpctl/internal/gateway/sandbox"
)

// TestLostDeclineKeepsRetryGap (issue 17): a charge run dies after Paybox
// declined a card and before the decline is recorded (a kill, a full
// disk). The next run looks the attempt up; Paybox has no transaction for
// it, which does not prove it was never put to the bank: the card is not
// debited again the same day, the instalment waits the retry gap a decline
// would have given it (3 days), and is charged then, once.
func TestLostDeclineKeepsRetryGap(t *testing.T) {
	y := year{n: 1, cards: map[int]string{1: cardSoftOnce}}
	r := newRig(t, t.TempDir())
	r.setUp(y)
	sb := r.attachSandbox(sandbox.Options{})
	defer sb.close()
	r.at(debitDays[0][0]) // 10 October

	res := r.run(0, []string{"INPCTL_TEST_CRASH=after-answer:1"}, "charge", "--due", "--concurrency", "1")
	if !res.killed {
		t.Fatalf("the run was to die after Paybox's answer: %s", res)
	}
	res = r.must("charge", "--due", "-o", "json")
	if !strings.Contains(res.stdout, "it may have been declined, so the next try waits until 13/10/2025") {
		t.Errorf("the lookup of the lost decline does not say when the next try is:\n%s", res.stdout)
	}
	if n := chargesAt(sb); n != 0 {
		t.Fatalf("the card was debited again the day its decline was lost (%d approved charge(s)): the retry gap was skipped", n)
	}
	r.must("charge", "--due")
	if n := chargesAt(sb); n != 0 {
		t.Fatalf("a third run the same day debited the card (%d approved)", n)
	}

	r.at("2025-10-12T06:00:00+02:00")
	r.must("charge", "--due")
	if n := chargesAt(sb); n != 0 {
		t.Fatalf("charged on the 12th, before the retry gap")
	}
	r.at(debitDays[0][1]) // 13 October
	r.must("charge", "--due")
	checkExactly(t, sb.sb.Records(), r.readBooks(), 1)
	r.dbCheck()
}
