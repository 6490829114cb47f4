package cli

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestServeGroupCommit: a burst through a real inpctl serve of distinct
// notifications, 20 copies of one more and copies with a broken
// signature, all at once. Every good one gets 200 and is in the books
// once (the 20 copies once in all), every broken one 403, and the access
// log shows commits holding more than one notification.
func TestServeGroupCommit(t *testing.T) {
	const n, copies, clients = 60, 20, 16
	r := newRig(t, t.TempDir())
	notices := servePrepare(r, n+1)
	port := freePort(t)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	srv := r.start("serve", "--listen", fmt.Sprintf("127.0.0.1:%d", port))
	waitHealthy(t, base, srv)

	type send struct {
		raw  string
		want int
	}
	var sends []send
	for k, nt := range notices[:n] {
		sends = append(sends, send{nt.raw, http.StatusOK})
		if k%10 == 0 { // the same notification, its signature broken
			sends = append(sends, send{strings.Replace(nt.raw, "Sign=", "Sign=AAAA", 1), http.StatusForbidden})
		}
	}
	for range copies {
		sends = append(sends, send{notices[n].raw, http.StatusOK})
	}
	hc := &http.Client{Timeout: 20 * time.Second}
	got := make([]int, len(sends))
	var wg sync.WaitGroup
	next := make(chan int, len(sends))
	for k := range sends {
		next <- k
	}
	close(next)
	for range clients {
		wg.Go(func() {
			for k := range next {
				got[k], _ = sendIPN(hc, base, sends[k].raw)
			}
		})
	}
	wg.Wait()
	if err := srv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	res := srv.wait(t)
	if res.code != 0 {
		t.Fatalf("inpctl serve after SIGTERM: %s", res)
	}
	for k, s := range sends {
		if got[k] != s.want {
			t.Errorf("send %d: status %d, want %d", k, got[k], s.want)
		}
	}
	applied := cardPayments(r)
	for _, nt := range notices {
		if applied[nt.student] != 1 {
			t.Errorf("%s (%s) is in the books %d times, want once", nt.cmd, nt.student, applied[nt.student])
		}
	}
	if len(applied) != n+1 {
		t.Errorf("%d students with a card payment, want %d", len(applied), n+1)
	}
	largest := 0
	for _, m := range regexp.MustCompile(`GET /paybox/ipn 200 \S+ cmd=\S+ batch=(\d+)`).FindAllStringSubmatch(res.stderr, -1) {
		if b, _ := strconv.Atoi(m[1]); b > largest {
			largest = b
		}
	}
	if largest < 2 {
		t.Errorf("no commit held more than one notification:\n%s", res.stderr)
	}
	if regexp.MustCompile(` 403 .*batch=`).MatchString(res.stderr) {
		t.Errorf("a notification with a bad signature entered a batch:\n%s", res.stderr)
	}
	r.dbCheck()
	t.Logf("%d requests from %d clients, largest commit %d; %s", len(sends), clients, largest, lastLine(res.stderr))
}
