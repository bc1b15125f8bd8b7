package report

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/analysis"
)

// TestMarkdownDistributedRun: the report of a distributed run names its
// engines in the configuration, and reads first what a lost segment
// took from the figures.
func TestMarkdownDistributedRun(t *testing.T) {
	ri := info()
	ri.Parts = []engine.Part{{Segment: "1/2", Engine: "a/1"}, {Segment: "2/2", Engine: "b/2", Stopped: t0.Add(5 * time.Second), Why: "no interval 5 from it within 5s"}}
	var ivs []*engine.Interval
	for seq := range 10 {
		iv := interval(seq, 10, statOf("GET", "/a", ok(10, 100)))
		if seq >= 5 {
			iv.Lost = []string{"2/2"}
		}
		ivs = append(ivs, iv)
	}
	a, err := analysis.Analyze(engine.NewResult(ri, ivs, 0), nil, analysis.DefaultThresholds())
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := Markdown(Run{Analysis: a})(&b); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	for _, want := range []string{"**Load Generators**: 2 engines, merged exactly: 1/2 a/1, 2/2 b/2 (lost at 10:00:05)",
		"> - Segment 2/2 (engine b/2, 50.0% of the plan's load) stopped counting at 10:00:05 UTC"} {
		if !strings.Contains(md, want) {
			t.Errorf("report.md lacks %q:\n%.1500s", want, md)
		}
	}
}
