package capture

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// A warning is recorded when raised and again with its updates: the
// capture read back keeps one per (kind, source, where), the last.
func TestWarningRecordsMerge(t *testing.T) {
	var b bytes.Buffer
	w := NewRecordWriter(&b)
	held := Warning{Kind: WarnHeld, Source: "svc", Where: "main.leak", Route: "GET /x", What: "2 pgx-conn held",
		Time: t0.Add(40 * time.Second), At: 34 * time.Second}
	other := Warning{Kind: WarnGoroutines, Source: "svc", Where: "main.wait", What: "goroutines rose 40", Time: t0.Add(50 * time.Second)}
	for _, x := range []Warning{held, other} {
		if err := w.Warning(&x); err != nil {
			t.Fatal(err)
		}
	}
	held.Updates, held.LastWhat, held.EndedRun = 3, "5 pgx-conn held", true
	if err := w.Warning(&held); err != nil {
		t.Fatal(err)
	}
	c, err := ReadCapture(&b, "probe.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Warnings) != 2 || c.Warnings[0].Updates != 3 || c.Warnings[1].Where != "main.wait" {
		t.Fatalf("warnings %+v", c.Warnings)
	}
	if ff := c.FailFast(); ff == nil || ff.Where != "main.leak" {
		t.Fatalf("fail-fast %+v", ff)
	}
	want := "at 0m34s, held-too-long in main.leak (GET /x): 2 pgx-conn held; seen again 3 times, last: 5 pgx-conn held [probe svc]"
	if got := c.Warnings[0].String(); got != want {
		t.Errorf("String:\n%s\nwant\n%s", got, want)
	}
	if _, err := ReadCapture(strings.NewReader(`{"type":"warning","warning":{"kind":"held-too-long"}}`+"\n"), "p.jsonl"); err == nil ||
		!strings.Contains(err.Error(), "p.jsonl:1: warning: no kind or where") {
		t.Errorf("a warning without where: %v", err)
	}
	if got := ClockText(time.Hour + 2*time.Minute + 3*time.Second); got != "1h02m03s" {
		t.Errorf("ClockText %q", got)
	}
}
