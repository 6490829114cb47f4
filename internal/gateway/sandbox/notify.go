package sandbox

import (
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// MaxNotifyTries bounds the calls to PBX_REPONDRE_A for one notification.
const MaxNotifyTries = 8

// DefaultNotifyBackoff is the wait before the second call; it doubles
// after each failed call, up to maxNotifyWait.
const DefaultNotifyBackoff = time.Second

const maxNotifyWait = 30 * time.Second

// Delivery is what became of one call of PBX_REPONDRE_A: the URL called
// (the signed query included), how many calls were made, and whether the
// last one got HTTP 200.
type Delivery struct {
	URL       string
	Tries     int
	Delivered bool
}

// notifier calls PBX_REPONDRE_A in the background and keeps the outcomes.
type notifier struct {
	wg   sync.WaitGroup
	mu   sync.Mutex
	done []Delivery
}

// notify calls target with the signed notification q in the background,
// as Paybox does after a hosted-page payment: an HTTP GET of
// target?q, retried with back-off until it answers 200, at most
// NotifyTries times. Nothing happens without Options.Hosted.Notify or a
// PBX_REPONDRE_A.
func (s *Sandbox) notify(target, q string) {
	if s.opt.Hosted.Notify == nil || target == "" {
		return
	}
	sep := "?"
	if strings.Contains(target, "?") {
		sep = "&"
	}
	u := target + sep + q
	s.notif.wg.Add(1)
	go func() {
		defer s.notif.wg.Done()
		d := s.deliver(u)
		s.notif.mu.Lock()
		s.notif.done = append(s.notif.done, d)
		s.notif.mu.Unlock()
	}()
}

// deliver makes the calls of one notification.
func (s *Sandbox) deliver(u string) Delivery {
	h := s.opt.Hosted
	tries := h.NotifyTries
	if tries <= 0 || tries > MaxNotifyTries {
		tries = MaxNotifyTries
	}
	wait := h.NotifyBackoff
	if wait <= 0 {
		wait = DefaultNotifyBackoff
	}
	sleep := h.Sleep
	if sleep == nil {
		sleep = time.Sleep
	}
	d := Delivery{URL: u}
	for d.Tries < tries {
		if d.Tries > 0 {
			sleep(wait)
			wait = min(2*wait, maxNotifyWait)
		}
		d.Tries++
		resp, err := h.Notify.Get(u)
		if err != nil {
			continue
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			d.Delivered = true
			break
		}
	}
	return d
}

// WaitNotify waits until every call of PBX_REPONDRE_A under way is done,
// or until timeout; it returns the deliveries finished so far (oldest
// first) and whether none is still under way.
func (s *Sandbox) WaitNotify(timeout time.Duration) ([]Delivery, bool) {
	ch := make(chan struct{})
	go func() {
		s.notif.wg.Wait()
		close(ch)
	}()
	all := true
	select {
	case <-ch:
	case <-time.After(timeout):
		all = false
	}
	s.notif.mu.Lock()
	defer s.notif.mu.Unlock()
	return append([]Delivery(nil), s.notif.done...), all
}

// NotifyClient is the client HostedOptions.Notify is usually given: each
// call of PBX_REPONDRE_A gives up after 10 s.
func NotifyClient() *http.Client { return &http.Client{Timeout: 10 * time.Second} }

// Target is d's URL without the notification (the part before '?'): what
// may be shown, never the signature.
func (d Delivery) Target() string {
	t, _, _ := strings.Cut(d.URL, "?")
	return t
}
