package live

import (
	"strings"
	"testing"
	"time"

	"github.com/soaklab/soak/engine"
)

// lastView is the latest redrawn terminal view in out.
func lastView(out string) string { return out[strings.LastIndex(out, "\x1b[J")+3:] }

// The terminal view shows the target the run aims at now: a change made
// through the web page replaces the planned users, and the next planned
// stage replaces the change.
func TestTerminalViewShowsCurrentTarget(t *testing.T) {
	var b strings.Builder
	p := New(&b, true)
	ri := info()
	ri.Stages = []engine.PlannedStage{{At: 0, Users: 20}, {At: 20 * time.Second, Users: 40}}
	ri.Users = 40 // the largest stage
	p.Start(ri)
	p.Interval(interval(0, 20, 50, 0, 0, 3))
	if v := lastView(b.String()); !strings.Contains(v, "users 20/20 ") {
		t.Errorf("before the change, the first stage's target: %s", v)
	}
	iv := interval(1, 20, 50, 0, 0, 3)
	iv.Changes = []engine.Change{{At: iv.Start.Add(300 * time.Millisecond), Users: 50}}
	p.Interval(iv)
	p.Interval(interval(2, 50, 50, 0, 0, 3))
	if v := lastView(b.String()); !strings.Contains(v, "users 50/50 ") {
		t.Errorf("after users changed to 50: %s", v)
	}
	p.Interval(interval(20, 40, 50, 0, 0, 3))
	if v := lastView(b.String()); !strings.Contains(v, "users 40/40 ") {
		t.Errorf("after the next planned stage: %s", v)
	}
}

// Off a terminal the figures' target follows a change too; an open-model
// run shows its target rate.
func TestLogShowsChangedTarget(t *testing.T) {
	var b strings.Builder
	p := New(&b, false)
	ri := info()
	ri.Model, ri.Users, ri.Rate = "open", 0, 100
	p.Start(ri)
	for i := range 10 {
		iv := interval(i, 4, 100, 0, 0, 3)
		if i == 3 {
			iv.Changes = []engine.Change{{At: iv.Start, Rate: 250}}
		}
		p.Interval(iv)
	}
	out := b.String()
	for _, w := range []string{"2026-11-28T05:00:10Z soak: elapsed 10s of 30s", "rps 100.0 of 250/s |"} {
		if !strings.Contains(out, w) {
			t.Errorf("log lacks %q:\n%s", w, out)
		}
	}
}
