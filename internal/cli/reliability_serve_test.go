package cli

// inpctl serve under a burst of Paybox notifications and a SIGTERM in the
// middle of it (issue 18): what got 200 is in the books once, what did not
// is in them at most once, and Paybox's retries to a restarted server fill
// in the rest without writing anything twice.

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/inpctl/inpctl/internal/gateway/sandbox"
)

// notice is one signed notification of the burst and how it was answered.
type notice struct {
	student, cmd, raw string
	status            int   // the HTTP status, 0 when there was no answer
	err               error // why there was no answer
}

// TestServeSIGTERMDuringBurstLosesNone sends N distinct signed
// notifications to a real inpctl serve from 8 clients at once, sends the
// server SIGTERM when a quarter of them have been answered, and counts,
// from the books, what was applied against what was sent.
func TestServeSIGTERMDuringBurstLosesNone(t *testing.T) {
	const n, clients = 200, 8
	start := time.Now()
	r := newRig(t, t.TempDir())
	notices := servePrepare(r, n)

	port := freePort(t)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	srv := r.start("serve", "--listen", fmt.Sprintf("127.0.0.1:%d", port))
	waitHealthy(t, base, srv)

	// The burst: 8 clients take the notifications in turn; the SIGTERM goes
	// when a quarter of them have an answer, the others still being sent.
	hc := &http.Client{Timeout: 20 * time.Second}
	var next, answered atomic.Int64
	var termOnce sync.Once
	var termAt time.Time
	var wg sync.WaitGroup
	burst := time.Now()
	for range clients {
		wg.Go(func() {
			for k := int(next.Add(1) - 1); k < n; k = int(next.Add(1) - 1) {
				nt := &notices[k]
				nt.status, nt.err = sendIPN(hc, base, nt.raw)
				if answered.Add(1) == n/4 {
					termOnce.Do(func() {
						termAt = time.Now()
						if err := srv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
							t.Error(err)
						}
					})
				}
			}
		})
	}
	wg.Wait()
	res := srv.wait(t)
	if res.code != 0 || res.killed {
		t.Fatalf("inpctl serve after SIGTERM: want exit 0 (requests in flight finish), got %s", res)
	}

	ok, refused := 0, 0
	for _, nt := range notices {
		switch {
		case nt.status == http.StatusOK:
			ok++
		case nt.status != 0:
			t.Errorf("notification %s (%s): status %d: serve answered neither 200 nor nothing", nt.cmd, nt.student, nt.status)
		default:
			refused++
		}
	}
	if logged := strings.Count(res.stderr, " GET /paybox/ipn 200 "); logged != ok {
		t.Errorf("the access log shows %d notifications answered 200, the clients got %d", logged, ok)
	}
	applied := cardPayments(r)
	lost := 0
	for _, nt := range notices {
		got := applied[nt.student]
		switch {
		case nt.status == http.StatusOK && got != 1:
			t.Errorf("notification %s got 200 but is in the books %d times", nt.cmd, got)
		case nt.status != http.StatusOK && got > 1:
			t.Errorf("notification %s (no 200: %v) is in the books %d times", nt.cmd, nt.err, got)
		case nt.status != http.StatusOK && got == 0:
			lost++ // Paybox sends it again: below
		}
	}
	if ok == 0 || refused == 0 {
		t.Errorf("the SIGTERM did not fall inside the burst: %d answered 200, %d not answered", ok, refused)
	}
	firstPass := len(applied)

	// Paybox retries every notification that did not get 200; here every
	// one is sent again, the applied ones too, to a restarted server.
	srv = r.start("serve", "--listen", fmt.Sprintf("127.0.0.1:%d", port))
	waitHealthy(t, base, srv)
	next.Store(0)
	for range clients {
		wg.Go(func() {
			for k := int(next.Add(1) - 1); k < n; k = int(next.Add(1) - 1) {
				if status, err := sendIPN(hc, base, notices[k].raw); status != http.StatusOK {
					t.Errorf("notification %s sent again: status %d (%v), want 200", notices[k].cmd, status, err)
				}
			}
		})
	}
	wg.Wait()
	if err := srv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if res := srv.wait(t); res.code != 0 {
		t.Errorf("inpctl serve (second run) after SIGTERM: %s", res)
	}
	applied = cardPayments(r)
	for _, nt := range notices {
		if applied[nt.student] != 1 {
			t.Errorf("notification %s is in the books %d times after the retries, want once", nt.cmd, applied[nt.student])
		}
	}
	if len(applied) != n {
		t.Errorf("%d card payments in the books after the retries, want %d (one per notification sent)", len(applied), n)
	}
	r.dbCheck()
	t.Logf("%d notifications from %d clients, SIGTERM after %d answers (%s into the burst): %d got 200, %d no answer (%d of them applied all the same, %d left to the retries); after the retries %d applied once each (took %s)",
		n, clients, n/4, termAt.Sub(burst).Round(time.Millisecond), ok, refused, refused-lost, lost, firstPass+lost, time.Since(start).Round(time.Millisecond))
}

// servePrepare imports n students with fee code 01, records a hosted-page
// request for each (pay link) and pays it on the sandbox's page: the
// notifications Paybox would send, not yet applied.
func servePrepare(r *rig, n int) []notice {
	t := r.t
	t.Helper()
	r.intake(n)

	notices := make([]notice, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for k := int(next.Add(1) - 1); k < n; k = int(next.Add(1) - 1) {
				res := r.run(0, nil, "pay", "link", studentID(k+1), "-o", "json")
				var pl struct {
					Cmd string `json:"pbx_cmd"`
					URL string `json:"url"`
				}
				if res.code != 0 || json.Unmarshal([]byte(res.stdout), &pl) != nil {
					t.Errorf("pay link %s: %s", studentID(k+1), res)
					continue
				}
				notices[k] = notice{student: studentID(k + 1), cmd: pl.Cmd, raw: pl.URL}
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	sb, err := sandbox.New(sandbox.Options{StatePath: r.db() + ".sandbox", Now: r.clock})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	for k := range notices {
		if notices[k].raw, err = sb.Pay(notices[k].raw, ""); err != nil {
			t.Fatalf("sandbox hosted page for %s: %v", notices[k].student, err)
		}
	}
	return notices
}

// sendIPN sends one notification as Paybox does (GET, the raw query) and
// returns the status, or 0 and the error when there was no answer.
func sendIPN(hc *http.Client, base, raw string) (int, error) {
	res, err := hc.Get(base + "/paybox/ipn?" + raw)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, res.Body)
	return res.StatusCode, nil
}

// cardPayments counts the card payments of the books by student (each
// student of the burst has one notification).
func cardPayments(r *rig) map[string]int {
	r.t.Helper()
	res := r.must("payment", "list", "--method", "card", "-o", "json")
	var ps []struct {
		StudentID string `json:"student_id"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &ps); err != nil {
		r.t.Fatalf("payment list: %v\n%s", err, res)
	}
	out := map[string]int{}
	for _, p := range ps {
		out[p.StudentID]++
	}
	return out
}

// freePort is a TCP port free on 127.0.0.1 now.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// waitHealthy waits until serve answers /healthz, or fails if it exits.
func waitHealthy(t testing.TB, base string, s *started) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		res, err := http.Get(base + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		if s.cmd.ProcessState != nil || errors.Is(err, net.ErrClosed) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	_ = s.cmd.Process.Kill()
	t.Fatalf("inpctl serve did not answer /healthz: %s", s.wait(t))
}
