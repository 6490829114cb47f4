package cli

// The population of the reliability suite and how a year is set up and
// charged: students on 5x plans, the sandbox they are charged through, and
// settle, which reruns charge --due like cron until nothing is left.

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/inpctl/inpctl/internal/gateway/sandbox"
)

// Special cards of the sandbox (docs/sandbox.md).
const (
	cardSoftOnce   = "1111222233330103"
	cardLost       = "1111222233330301"
	cardLoseAnswer = "1111222233330509"
)

// year describes the students of a rig: n students on 5x plans (code 05,
// ING-INFO-3A), some paying with special cards.
type year struct {
	n     int
	cards map[int]string // student index (1-based) → card; the others use the Paybox test card
}

// paying is how many students pay every instalment (not the lost card).
func (y year) paying() int {
	n := y.n
	for _, c := range y.cards {
		if c == cardLost {
			n--
		}
	}
	return n
}

// mixedYear is the standard population of the suite: mostly good cards,
// a few soft declines once a month, two lost answers and one lost card.
func mixedYear(n int) year {
	y := year{n: n, cards: map[int]string{}}
	for i := 3; i <= n; i += 8 {
		y.cards[i] = cardSoftOnce
	}
	y.cards[5], y.cards[n-1] = cardLoseAnswer, cardLoseAnswer
	y.cards[6] = cardLost
	return y
}

func studentID(i int) string { return fmt.Sprintf("221%05d", i) }

// setUp creates the database and pays every first instalment on
// 05/09/2025 with the built-in sandbox (its state is inpctl.db.sandbox).
func (r *rig) setUp(y year) {
	r.t.Helper()
	var students, codes, plans strings.Builder
	students.WriteString("student_id,last_name,first_name,email,programme,extra_eu\n")
	codes.WriteString("student_id,code\n")
	plans.WriteString("student_id,plan\n")
	for i := 1; i <= y.n; i++ {
		id := studentID(i)
		fmt.Fprintf(&students, "%s,Nom%d,Prénom%d,e%d@etu.example.org,ING-INFO-3A,oui\n", id, i, i, i)
		fmt.Fprintf(&codes, "%s,05\n", id)
		fmt.Fprintf(&plans, "%s,5x\n", id)
	}
	for name, body := range map[string]string{"students.csv": students.String(), "codes.csv": codes.String(), "plans.csv": plans.String()} {
		if err := os.WriteFile(filepath.Join(r.dir, name), []byte(body), 0o600); err != nil {
			r.t.Fatal(err)
		}
	}
	r.at("2025-09-05T10:00:00+02:00")
	r.must("init")
	r.must("student", "import", "students.csv")
	r.must("dossier", "set-code", "--from", "codes.csv")
	r.must("schedule", "request", "--from", "plans.csv")
	r.must("schedule", "approve", "--all-requested", "--yes")
	for i, card := range y.cards {
		r.must("pay", "simulate", studentID(i), "--card", card, "--yes")
	}
	r.must("pay", "simulate", "--all-pending", "--yes")
}

// testSandbox is a Paybox sandbox served over loopback HTTP by the test
// process, so its records can be read while inpctl processes come and go.
type testSandbox struct {
	sb  *sandbox.Sandbox
	srv *httptest.Server
}

// attachSandbox serves a sandbox that replays (and appends to) the rig's
// inpctl.db.sandbox (or opt.StatePath), on the rig's clock, and points
// inpctl at it with the real Paybox client.
func (r *rig) attachSandbox(opt sandbox.Options) *testSandbox {
	r.t.Helper()
	if opt.StatePath == "" {
		opt.StatePath = r.db() + ".sandbox"
	}
	opt.Now = r.clock
	sb, err := sandbox.New(opt)
	if err != nil {
		r.t.Fatal(err)
	}
	s := &testSandbox{sb: sb, srv: httptest.NewServer(sb)}
	r.gw = gatewayEnv(s.srv.URL)
	return s
}

// close stops serving and closes the journal.
func (s *testSandbox) close() {
	s.srv.CloseClientConnections()
	s.srv.Close()
	s.sb.Close()
}

// gatewayEnv points inpctl at a sandbox served at base (http://HOST:PORT).
func gatewayEnv(base string) []string {
	return []string{
		"INPCTL_GATEWAY_KIND=paybox",
		"INPCTL_GATEWAY_PAYBOX_URL=" + base + "/PPPS.php",
		"INPCTL_GATEWAY_PAYBOX_BACKUP_URL=",
		"INPCTL_GATEWAY_PAYBOX_HOSTED_URL=" + base + "/cgi/MYchoix_pagepaiement.cgi",
		"INPCTL_GATEWAY_PAYBOX_HMAC_KEY=" + sandbox.TestKeyHex,
		"INPCTL_GATEWAY_PAYBOX_TIMEOUT=5s",
	}
}

// chargeReport is the JSON of charge --due.
type chargeReport struct {
	Items []struct {
		StudentID string `json:"student_id"`
		Outcome   string `json:"outcome"`
		Reference string `json:"reference"`
	} `json:"items"`
	Summary struct {
		Approved   int `json:"approved"`
		Declined   int `json:"declined"`
		Unknown    int `json:"unknown"`
		Reconciled int `json:"reconciled"`
	} `json:"summary"`
}

func parseCharge(t testing.TB, res result) chargeReport {
	t.Helper()
	var rep chargeReport
	if err := json.Unmarshal([]byte(res.stdout), &rep); err != nil {
		t.Fatalf("charge output is not JSON: %v\n%s", err, res)
	}
	return rep
}

// debitDays are the charge dates of the 5x plans paid on 05/09/2025: each
// month's 10th, then the retry of soft declines three days later.
var debitDays = [][]string{
	{"2025-10-10T06:00:00+02:00", "2025-10-13T06:00:00+02:00"},
	{"2025-11-10T06:00:00+01:00", "2025-11-13T06:00:00+01:00"},
	{"2025-12-10T06:00:00+01:00", "2025-12-13T06:00:00+01:00"},
	{"2026-01-10T06:00:00+01:00", "2026-01-13T06:00:00+01:00"},
}

// catchUpDays are one and two weeks after a month's last debit day: an
// attempt whose outcome was lost and that Paybox does not know waits the
// retry gap a decline would give it (3 days, 7 after a first decline), so
// by the second every instalment of the month can have been charged.
func catchUpDays(days []string) []string {
	last, err := time.Parse(time.RFC3339, days[len(days)-1])
	if err != nil {
		panic(err)
	}
	return []string{last.AddDate(0, 0, 7).Format(time.RFC3339), last.AddDate(0, 0, 14).Format(time.RFC3339)}
}

// runPlan is how one charge run is disturbed: crash hook environment
// (INPCTL_TEST_CRASH), a SIGKILL after a delay, and its concurrency.
type runPlan struct {
	env  []string
	kill time.Duration
	conc int
}

// settleStats counts what settle did.
type settleStats struct {
	runs, kills, timerKills int
	unknown, reconciled     int
}

func (s *settleStats) add(o settleStats) {
	s.runs += o.runs
	s.kills += o.kills
	s.timerKills += o.timerKills
	s.unknown += o.unknown
	s.reconciled += o.reconciled
}

// settle runs charge --due at the rig's time until a run exits 0 having
// nothing left to do (nothing looked up, nothing charged). plan, when set,
// disturbs each run; a killed run is simply run again, as cron would.
func (r *rig) settle(maxRuns int, plan func() runPlan) settleStats {
	r.t.Helper()
	var st settleStats
	for st.runs < maxRuns {
		var p runPlan
		if plan != nil {
			p = plan()
		}
		args := []string{"charge", "--due", "-o", "json"}
		if p.conc > 0 {
			args = append(args, "--concurrency", fmt.Sprint(p.conc))
		}
		st.runs++
		res := r.run(p.kill, p.env, args...)
		if os.Getenv("INPCTL_RELIABILITY_LOG") != "" {
			r.t.Logf("run %v kill=%v env=%v: exit %d killed %v in %s; %s", r.clock().Format("01-02"), p.kill, p.env, res.code, res.killed, res.took, strings.TrimSpace(lastLine(res.stderr)))
		}
		if res.killed {
			st.kills++
			if res.timerKill {
				st.timerKills++
			}
			continue
		}
		if res.code != 0 && res.code != 3 {
			r.t.Fatalf("charge --due at %s (env %v): %s", r.clock().Format(time.RFC3339), p.env, res)
		}
		rep := parseCharge(r.t, res)
		st.unknown += rep.Summary.Unknown
		st.reconciled += rep.Summary.Reconciled
		if res.code == 0 && len(rep.Items) == 0 {
			return st
		}
	}
	r.t.Fatalf("charge --due at %s did not settle in %d runs", r.clock().Format(time.RFC3339), maxRuns)
	return st
}
