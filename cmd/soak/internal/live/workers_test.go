package live

import (
	"strings"
	"testing"
	"time"
)

// TestWorkersView: a distributed run's view shows each worker's users,
// rps and the age of its latest interval, and why a lost one is lost; a
// long fleet is cut short.
func TestWorkersView(t *testing.T) {
	now := time.Now()
	ws := []Worker{
		{Segment: "1/3", Name: "host-a/11", State: "running", Users: 67, RPS: 410.25, Last: now.Add(-400 * time.Millisecond)},
		{Segment: "2/3", Name: "host-b/12", State: "lost", Why: "no interval 7 within 5s"},
		{Segment: "3/3", State: "waiting"},
	}
	var b strings.Builder
	p := New(&b, false)
	p.SetWorkers(func() []Worker { return ws })
	p.Start(info())
	for i := range 10 {
		p.Interval(interval(i, 20, 100, 0, 0, 12))
	}
	log := b.String()
	for _, want := range []string{"worker 1/3 host-a/11: running, users 67, rps 410.2, last interval 0.", "s ago; worker 2/3 host-b/12: lost (no interval 7 within 5s); worker 3/3 no worker: waiting"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}

	b.Reset()
	tty := New(&b, true)
	for range 12 {
		ws = append(ws, Worker{Segment: "x", Name: "more", State: "lost"})
	}
	tty.SetWorkers(func() []Worker { return ws })
	tty.Start(info())
	tty.Interval(interval(0, 20, 100, 0, 0, 12))
	view := b.String()
	if !strings.Contains(view, "worker 2/3 host-b/12: lost") || !strings.Contains(view, "... and 7 more workers (7 lost)") {
		t.Errorf("terminal view:\n%s", view)
	}
}
