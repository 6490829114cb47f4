package sandbox

import (
	"errors"
	"io"
	"net/http"
	"net/url"
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

// Delivery is what became of one notification sent to PBX_REPONDRE_A
// so far: the URL called (the signed query included), how many calls were
// made, the last answer (an HTTP status, or why the call failed), whether
// one got HTTP 200, and whether the calls are over (delivered, or out of
// tries).
type Delivery struct {
	URL       string
	Tries     int
	Last      string
	Delivered bool
	Done      bool
}

// notifier calls PBX_REPONDRE_A in the background and keeps every
// notification's delivery from its first call on, so that a caller that
// stops waiting can say which are still being retried.
type notifier struct {
	mu  sync.Mutex
	all []*Delivery
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
	d := &Delivery{URL: target + sep + q}
	s.notif.mu.Lock()
	s.notif.all = append(s.notif.all, d)
	s.notif.mu.Unlock()
	go s.deliver(d)
}

// deliver makes the calls of one notification, recording each in d.
func (s *Sandbox) deliver(d *Delivery) {
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
	record := func(last string, delivered, done bool) {
		s.notif.mu.Lock()
		defer s.notif.mu.Unlock()
		d.Tries++
		d.Last, d.Delivered, d.Done = last, delivered, done
	}
	for n := 1; n <= tries; n++ {
		if n > 1 {
			sleep(wait)
			wait = min(2*wait, maxNotifyWait)
		}
		resp, err := h.Notify.Get(d.URL)
		if err != nil {
			// The error names the URL, signed query included: keep only why.
			why := "no answer"
			var ue *url.Error
			if errors.As(err, &ue) {
				why = ue.Err.Error()
			}
			record(why, false, n == tries)
			continue
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		ok := resp.StatusCode == http.StatusOK
		record(resp.Status, ok, ok || n == tries)
		if ok {
			return
		}
	}
}

// WaitNotify waits until every notification sent so far is done
// (delivered or out of tries), or until timeout; it returns them all,
// oldest first, as they stand, and whether every one is done.
func (s *Sandbox) WaitNotify(timeout time.Duration) ([]Delivery, bool) {
	deadline := time.Now().Add(timeout)
	for {
		ds, all := s.deliveries()
		if all || !time.Now().Before(deadline) {
			return ds, all
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (s *Sandbox) deliveries() ([]Delivery, bool) {
	s.notif.mu.Lock()
	defer s.notif.mu.Unlock()
	out := make([]Delivery, len(s.notif.all))
	all := true
	for i, d := range s.notif.all {
		out[i] = *d
		all = all && d.Done
	}
	return out, all
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
