package cli

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/gateway/sandbox"
	"github.com/inpctl/inpctl/internal/money"
	"github.com/inpctl/inpctl/internal/store"
)

// refundYear: students on code 01 who paid 628,00 € on the hosted page and
// then got a bourse (code 02): each has 628,00 € to refund by card.
const refundStudents = 4

func refundTemplate(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	r := newRig(t, dir)
	var b strings.Builder
	b.WriteString("student_id,last_name,first_name,email,programme\n")
	for i := 1; i <= refundStudents; i++ {
		fmt.Fprintf(&b, "%s,Nom%d,Prénom%d,e%d@etu.example.org,ING-GC-3A\n", studentID(i), i, i, i)
	}
	writeFile(t, filepath.Join(dir, "students.csv"), b.String())
	r.must("init")
	r.must("student", "import", "students.csv")
	for i := 1; i <= refundStudents; i++ {
		r.must("dossier", "set-code", studentID(i), "01")
	}
	r.must("pay", "simulate", "--all-pending", "--yes")
	for i := 1; i <= refundStudents; i++ {
		r.must("dossier", "set-code", studentID(i), "02", "--proof", "attestation CROUS", "--reason", "bourse obtenue", "--yes")
	}
	return dir
}

// TestCrashRefund (issue 17) refunds every student's credit by card through
// a sandbox that loses answers (--drop-rate) and fails requests
// (--fail-rate), killing refund at random points (after its intent, after
// the answer, on a timer), the clerk running reconcile whenever a refund is
// unknown and refunding again only what the books still show as credit.
// Then, counted from the sandbox's own journal, every refund Paybox made is
// recorded once, to the cent, and nothing was refunded twice; and two
// payments on one link (with replays and kills) are both recorded once.
func TestCrashRefund(t *testing.T) {
	seeds := 5
	if soak() {
		seeds = 50
	}
	tmpl := refundTemplate(t)
	t.Run("seeds", func(t *testing.T) {
		forSeeds(t, seeds, func(t *testing.T, seed uint64) { refundSeed(t, tmpl, seed) })
	})
}

func refundSeed(t *testing.T, tmpl string, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 0x17))
	r := newRig(t, t.TempDir())
	copyDir(t, tmpl, r.dir)
	r.at("2025-10-02T10:00:00+02:00")
	twoOnOneLink(t, r, rng) // with the built-in sandbox, whose public key pay ipn knows
	sb := r.attachSandbox(sandbox.Options{DropRate: 0.3, FailRate: 0.1, Seed: int64(seed), Latency: 2 * time.Millisecond})
	defer sb.close()
	var kills, unknown, unavailable, reconciles int
	for i := 1; i <= refundStudents; i++ {
		id := studentID(i)
		for tries := 0; ; tries++ {
			if tries > 40 {
				t.Fatalf("%s: the credit was not refunded after 40 tries", id)
			}
			credit, open := r.refundState(id)
			if open > 0 {
				reconciles++
				r.expect([]int{0}, "reconcile")
				continue
			}
			if credit == 0 {
				break
			}
			amount := min(credit, money.Cents(31400))
			var env []string
			var kill time.Duration
			switch rng.IntN(5) {
			case 0:
				env = []string{"INPCTL_TEST_CRASH=refund-after-intent:1"}
			case 1:
				env = []string{"INPCTL_TEST_CRASH=refund-after-answer:1"}
			case 2:
				kill = time.Duration(5+rng.IntN(120)) * time.Millisecond
			}
			res := r.run(kill, env, "refund", id, "--amount", amount.Plain(), "--reason", "bourse", "--yes")
			switch {
			case res.killed:
				kills++
			case res.code == ExitUnknown:
				unknown++
			case res.code == ExitGateway:
				unavailable++
			case res.code == ExitOK:
			default:
				t.Fatalf("refund %s %s: %s", id, amount, res)
			}
			if res.code == ExitUnknown && !strings.Contains(res.stderr, "inpctl reconcile") {
				t.Errorf("an unknown refund does not say what to do: %s", res.stderr)
			}
		}
	}
	checkRefundsExactly(t, r, sb.sb)
	r.dbCheck()
	t.Logf("seed %d: %d refunds killed, %d unknown (exit 8), %d unavailable (exit 6), %d reconcile runs", seed, kills, unknown, unavailable, reconciles)
}

// refundState is a student's credit (refunds in flight reserve theirs) and
// the number of refund attempts still sent or unknown.
func (r *rig) refundState(id string) (money.Cents, int) {
	r.t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, r.db(), clock.Fixed(r.clock()), store.MustExist)
	if err != nil {
		r.t.Fatal(err)
	}
	defer db.Close()
	var credit money.Cents
	if err := db.InTx(ctx, func(tx *store.Tx) (err error) { credit, err = tx.StudentCredit(ctx, id); return err }); err != nil {
		r.t.Fatal(err)
	}
	open, err := db.OpenAttempts(ctx)
	if err != nil {
		r.t.Fatal(err)
	}
	n := 0
	for _, a := range open {
		if a.Kind == "refund" {
			n++
		}
	}
	return credit, n
}

// twoOnOneLink pays one link twice on the sandbox and applies both
// notifications, each several times (Paybox resends), killing pay ipn at
// random: both payments end recorded once.
func twoOnOneLink(t *testing.T, r *rig, rng *rand.Rand) {
	id := studentID(refundStudents + 1)
	writeFile(t, filepath.Join(r.dir, "more.csv"), "student_id,last_name,first_name,email,programme\n"+id+",Nom,Prénom,x@etu.example.org,ING-GC-3A\n")
	r.must("student", "import", "more.csv")
	r.must("dossier", "set-code", id, "01")
	link := strings.TrimSpace(r.must("pay", "link", id).stdout)
	var ipns []string
	// Two tabs paid: on purpose, as Paybox would answer 00015 to the second.
	sb, err := sandbox.New(sandbox.Options{StatePath: r.db() + ".sandbox", Now: r.clock, Hosted: sandbox.HostedOptions{AllowDuplicate: true}})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		q, err := sb.Pay(link, "")
		if err != nil {
			t.Fatal(err)
		}
		ipns = append(ipns, q)
	}
	sb.Close()
	for _, q := range append(ipns, ipns...) {
		for {
			cmd, out, errb := r.command(nil, "pay", "ipn", "-")
			cmd.Stdin = strings.NewReader(q)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			if rng.IntN(3) == 0 {
				time.AfterFunc(time.Duration(rng.IntN(60))*time.Millisecond, func() { _ = cmd.Process.Kill() })
			}
			res := finish(cmd, out, errb, time.Now(), t)
			if res.killed {
				continue
			}
			if res.code != 0 {
				t.Fatalf("pay ipn: %s", res)
			}
			break
		}
	}
}

// checkRefundsExactly compares the sandbox's journal with the books: every
// refund Paybox made belongs to an approved refund attempt and is one
// refund row of the same amount; every hosted-page payment is one card
// payment; refunds per payment match.
func checkRefundsExactly(t *testing.T, r *rig, sb *sandbox.Sandbox) {
	ctx := context.Background()
	db, err := store.Open(ctx, r.db(), clock.Fixed(r.clock()), store.MustExist)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	pays, err := db.ListPayments(ctx, store.PaymentFilter{Method: "card"})
	if err != nil {
		t.Fatal(err)
	}
	byTrans := map[string]store.Payment{}
	var booked money.Cents
	for _, p := range pays {
		if _, dup := byTrans[p.NumTrans]; dup {
			t.Errorf("NUMTRANS %s recorded twice", p.NumTrans)
		}
		byTrans[p.NumTrans] = p
		booked += p.Refunded
	}
	var paid money.Cents
	hosted := 0
	for _, tx := range sb.Records() {
		if tx.Type != sandbox.TypeHosted {
			continue
		}
		hosted++
		p, ok := byTrans[tx.NumTrans]
		if !ok {
			t.Errorf("Paybox took %s (NUMTRANS %s) on the hosted page: not in the books", tx.Amount, tx.NumTrans)
			continue
		}
		if p.Refunded != tx.Refunded {
			t.Errorf("payment %s: Paybox refunded %s, the books %s", p.Number, tx.Refunded, p.Refunded)
		}
		paid += tx.Refunded
	}
	if hosted != refundStudents+2 || len(pays) != hosted {
		t.Errorf("%d hosted-page payments at Paybox, %d card payments in the books, want %d", hosted, len(pays), refundStudents+2)
	}
	var refunded money.Cents
	for _, rf := range sb.Refunds() {
		refunded += rf.Amount
	}
	if refunded != paid || booked != refunded || refunded != refundStudents*62800 {
		t.Errorf("Paybox refunded %s (per payment %s), the books %s, want %s", refunded, paid, booked, money.Cents(refundStudents*62800))
	}
}
