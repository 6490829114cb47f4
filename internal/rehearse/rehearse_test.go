package rehearse

import (
	"testing"
	"time"

	"github.com/inpctl/inpctl/internal/billing"
)

func testRun(opt Options) *run {
	paris, _ := time.LoadLocation("Europe/Paris")
	return &run{k: Kit{Svc: &billing.Service{Year: "2025-2026", Location: paris}, Clock: NewClock(time.Time{})},
		opt: opt, rep: &Report{}, cards: map[string]string{}, blocked: map[string]bool{}}
}

// TestPlan: the year runs in date order from the intake (June) to db check
// (the next June 30th), with 30 charge runs and the events on their dates;
// --no-charges drops the runs and the events, --render adds the PDFs.
func TestPlan(t *testing.T) {
	steps := testRun(Options{}).plan()
	charges := 0
	for i, s := range steps {
		if i > 0 && s.day.String() < steps[i-1].day.String() {
			t.Errorf("%s on %s comes after %s on %s", s.name, s.day, steps[i-1].name, steps[i-1].day)
		}
		if s.name == stepCharge {
			charges++
		}
	}
	if charges != 30 {
		t.Errorf("%d charge runs, want 30", charges)
	}
	first, last := steps[0], steps[len(steps)-1]
	if first.day.String() != "2025-06-20" || last.name != stepCheck || last.day.String() != "2026-06-30" {
		t.Errorf("year from %s %s to %s %s", first.name, first.day, last.name, last.day)
	}
	for i, s := range steps {
		if s.name == "payment record (cheque)" && (steps[i-1].name != stepCharge || steps[i-1].day != s.day) {
			t.Errorf("the cheque of %s must follow that day's charge run", s.day)
		}
	}
	short := testRun(Options{NoCharges: true, Render: true}).plan()
	if n := len(short); n != 11 || short[n-2].name != "invoice render --all" {
		t.Errorf("--no-charges --render: %d steps, last but one %q", n, short[n-2].name)
	}
}

// TestAdd: the runs of one month share a line of the table, even when an
// event happened between them.
func TestAdd(t *testing.T) {
	r := testRun(Options{})
	for _, s := range []Step{
		{Name: stepCharge, Date: "2025-10-10", Items: 10, Duration: time.Second},
		{Name: stepCharge, Date: "2025-10-13", Items: 2, Duration: time.Second},
		{Name: "dossier set-code (bourse) + refund", Date: "2025-10-15", Items: 2},
		{Name: stepCharge, Date: "2025-10-20", Items: 1, Duration: time.Second},
		{Name: stepCharge, Date: "2025-11-10", Items: 5, Duration: time.Second},
	} {
		r.add(s)
	}
	got := r.rep.Steps
	if len(got) != 3 || got[0].Date != "2025-10" || got[0].Items != 13 || got[0].Rate() != 13.0/3 || got[2].Items != 5 {
		t.Fatalf("%+v", got)
	}
}

func TestClock(t *testing.T) {
	c := NewClock(time.Unix(0, 0))
	at := time.Date(2025, 9, 10, 9, 0, 0, 0, time.UTC)
	c.Set(at)
	if !c.Now().Equal(at) {
		t.Fatal(c.Now())
	}
	if (Step{Items: 5}).Rate() != 0 {
		t.Fatal("a step that took no time has no rate")
	}
}
