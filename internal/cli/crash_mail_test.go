package cli

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/inpctl/inpctl/internal/mail/smtptest"
)

// TestCrashMailSend kills mail send at random points (SIGKILL after a
// random delay, a server that answers 451 now and then) and runs it again
// until nothing is due: every notice arrives, and a notice that arrives
// twice (killed between the server's 250 and the commit) does so under the
// same Message-ID, never under another one (issue 19; docs/deploy.md).
func TestCrashMailSend(t *testing.T) {
	seeds := 5
	if soak() {
		seeds = 50
	}
	for seed := 1; seed <= seeds; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { crashMailSeed(t, uint64(seed)) })
	}
}

func crashMailSeed(t *testing.T, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 0x3a11))
	r := newRig(t, t.TempDir())
	const n = 12
	var csv strings.Builder
	csv.WriteString("student_id,last_name,first_name,email,programme\n")
	for i := range n {
		fmt.Fprintf(&csv, "2210%04d,Essai%d,Alex,alex.essai%d@etu.example.org,ING-GC-3A\n", i, i, i)
	}
	if err := os.WriteFile(filepath.Join(r.dir, "s.csv"), []byte(csv.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	r.must("init")
	r.must("student", "import", "s.csv")
	for i := range n {
		id := fmt.Sprintf("2210%04d", i)
		r.must("dossier", "set-code", id, "01")
		r.must("payment", "record", id, "--amount", "628,00", "--method", "cheque", "--ref", "CHQ "+id, "--yes")
	}
	var answers []int
	for range 6 {
		if rng.IntN(3) == 0 {
			answers = append(answers, 451)
		} else {
			answers = append(answers, 250)
		}
	}
	srv, err := smtptest.Start(smtptest.Options{DataAnswers: answers})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	env := []string{"INPCTL_MAIL_HOST=127.0.0.1", fmt.Sprintf("INPCTL_MAIL_PORT=%d", srv.Port), "INPCTL_MAIL_TLS=none"}
	kills := 0
	for run := 0; ; run++ {
		if run > 60 {
			t.Fatalf("mail send did not settle after %d runs", run)
		}
		kill := time.Duration(0)
		if rng.IntN(2) == 0 {
			kill = time.Duration(5+rng.IntN(120)) * time.Millisecond
		}
		res := r.run(kill, env, "mail", "send")
		if res.killed {
			kills++
			continue
		}
		if res.code == 3 { // some to retry later (451): move the clock past the back-off
			r.at(r.clock().Add(2 * time.Hour).Format(time.RFC3339))
			continue
		}
		if res.code != 0 {
			t.Fatalf("mail send: %s", res)
		}
		if strings.Contains(res.stderr, "no notice is due") {
			pending := r.must("mail", "list", "--pending", "-o", "csv").stdout
			if strings.Count(pending, "\n") <= 1 { // the header only (or nothing)
				break
			}
			// Left to retry later (a 451): past the longest back-off.
			r.at(r.clock().Add(13 * time.Hour).Format(time.RFC3339))
		}
	}
	byID := map[string]int{}
	for _, m := range srv.Messages() {
		p, err := m.Parse()
		if err != nil {
			t.Fatal(err)
		}
		byID[p.Header.Get("Message-ID")]++
	}
	// One notice per payment: n distinct Message-IDs, each arrived at least once.
	if len(byID) != n {
		t.Errorf("seed %d: %d distinct Message-IDs received, %d notices (kills %d): %v", seed, len(byID), n, kills, byID)
	}
	out := r.must("mail", "list", "-o", "csv").stdout
	if c := strings.Count(out, ",sent,"); c != n {
		t.Errorf("seed %d: %d notices sent in the books, want %d:\n%s", seed, c, n, out)
	}
	t.Logf("seed %d: %d kills, %d messages received for %d notices", seed, kills, len(srv.Messages()), n)
}
