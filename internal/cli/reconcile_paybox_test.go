package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/inpctl/inpctl/internal/gateway/sandbox"
)

// TestReconcilePayboxFaultyYear (issue 20): a year charged through a
// sandbox that loses answers and fails (each unknown outcome resolved by
// a lookup), with soft declines, a lost card and a card refund, then
// exported as the back office's transaction export (gateway sandbox
// --export), reconciles with the books: exit 0. A payment made on the
// hosted page whose notification was never applied is then caught: exit
// 3, listed as not in the books with its NUMTRANS.
func TestReconcilePayboxFaultyYear(t *testing.T) {
	r := newRig(t, t.TempDir())
	y := mixedYear(16)
	r.setUp(y)
	sb := r.attachSandbox(sandbox.Options{DropRate: 0.2, FailRate: 0.1, Seed: 11})
	var st settleStats
	for _, days := range debitDays {
		for _, day := range days {
			r.at(day)
			st.add(r.settle(40, nil))
		}
	}
	if st.unknown == 0 {
		t.Fatalf("the year lost no answer: the test proves nothing (%+v)", st)
	}
	// A card refund of a credit (a credit note on an invoice paid by card).
	r.at("2026-01-20T10:00:00+01:00")
	var invs []struct {
		Number string `json:"number"`
	}
	if err := json.Unmarshal([]byte(r.must("invoice", "list", "--student", studentID(1), "-o", "json").stdout), &invs); err != nil || len(invs) != 1 {
		t.Fatalf("the invoice of %s: %v %v", studentID(1), invs, err)
	}
	r.must("credit-note", "issue", invs[0].Number, "--amount", "100", "--reason", "remise accordée", "--yes", "-q")
	if res := r.expect([]int{0, 8}, "refund", studentID(1), "--amount", "100", "--reason", "remise", "--yes", "-q"); res.code == 8 {
		r.must("reconcile", "-q") // the answer was lost: Paybox is asked
	}
	sb.close()

	state := r.db() + ".sandbox"
	r.must("gateway", "sandbox", "--state", state, "--export", "paybox.csv")
	res := r.must("reconcile", "paybox", "paybox.csv")
	t.Logf("%d charge runs, %d outcomes unknown, %d lookups; %s", st.runs, st.unknown, st.reconciled, strings.TrimSpace(res.stderr))
	if !strings.Contains(res.stderr, " 0 differences") || strings.Contains(res.stderr, " 0 matched") {
		t.Fatalf("reconcile: %s", res)
	}

	// The planted fault: a student pays on the hosted page, the
	// notification never reaches inpctl.
	if err := os.WriteFile(filepath.Join(r.dir, "late.csv"), []byte("student_id,last_name,first_name,email,programme\n"+
		"22199999,Oubli,Noé,noe@etu.example.org,ING-GC-3A\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r.must("student", "import", "late.csv", "-q")
	r.must("dossier", "set-code", "22199999", "01", "-q")
	link := strings.TrimSpace(r.must("pay", "link", "22199999").stdout)
	psb, err := sandbox.New(sandbox.Options{StatePath: state, Now: r.clock})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := psb.Pay(link, ""); err != nil {
		t.Fatal(err)
	}
	var numtrans string
	for _, tx := range psb.Records() {
		if tx.Amount == 62800 && tx.Type == sandbox.TypeHosted && tx.Time.Equal(r.clock()) {
			numtrans = tx.NumTrans
		}
	}
	psb.Close()
	r.must("gateway", "sandbox", "--state", state, "--export", "paybox.csv")
	res = r.expect([]int{3}, "reconcile", "paybox", "paybox.csv")
	lines := strings.Split(strings.TrimSpace(res.stdout), "\n")
	if numtrans == "" || len(lines) != 3 || !strings.Contains(lines[2], "absent des livres") || !strings.Contains(lines[2], numtrans) ||
		!strings.Contains(lines[2], "628,00 €") {
		t.Fatalf("the missing notification (NUMTRANS %q) is not the one difference:\n%s", numtrans, res)
	}
}
