package report

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/soaklab/soak/engine/compare"
	"github.com/soaklab/soak/engine/internal/synth"
)

// comparedSynth compares a synthetic run at 2 ms with one whose steady
// state is slow (800 ms) and whose pool is exhausted.
func comparedSynth(t testing.TB) *compare.Comparison {
	t.Helper()
	b := synth.New()
	b.AddSamples(synth.PoolSeries(0, 0))
	b.AddIntervals(synth.SteadyLoad)
	n := synth.New()
	n.AddSamples(synth.PoolSeries(100, 250))
	n.AddIntervals(synth.SlowWhile(-100, 400))
	base, err := compare.FromAnalysis("base", analyze(b))
	if err != nil {
		t.Fatal(err)
	}
	nw, err := compare.FromAnalysis("new", analyze(n))
	if err != nil {
		t.Fatal(err)
	}
	c, err := compare.Compare(base, nw, compare.Options{Margins: compare.DefaultMargins()})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCompareRenderers(t *testing.T) {
	c := comparedSynth(t)
	if c.Verdict != compare.VerdictRegression {
		t.Fatalf("verdict %s: %s", c.Verdict, c.Headline)
	}
	md := render(t, CompareMarkdown(c))
	for _, want := range []string{"# soak compare: regression", "| Aggregated | p95 |", "new finding pool-exhaustion", "❌ regression", "## Findings", "## Method", "moving-block bootstrap"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
	html := render(t, CompareHTML(c))
	for _, want := range []string{`id="base-p95"`, `id="new-p95"`, `id="base-rps"`, "BASE on the left", "badge fail"} {
		if !strings.Contains(html, want) {
			t.Errorf("html lacks %q", want)
		}
	}
	// Self-contained: nothing fetched, no script.
	if regexp.MustCompile(`(?i)<script|src=|<link|https?://`).MatchString(html) {
		t.Error("html is not self-contained")
	}
	// Side by side on one scale: BASE's and NEW's p95 charts have the
	// same y ticks.
	ticks := regexp.MustCompile(`(?s)id="(base|new)-p95".*?</svg>`).FindAllString(html, 2)
	label := regexp.MustCompile(`text-anchor="end">([^<]*)<`)
	if len(ticks) != 2 || label.FindAllString(ticks[0], -1) == nil ||
		strings.Join(label.FindAllString(ticks[0], -1), ",") != strings.Join(label.FindAllString(ticks[1], -1), ",") {
		t.Error("BASE's and NEW's p95 charts do not share their scale")
	}
	var doc CompareDocument
	if err := json.Unmarshal([]byte(render(t, CompareJSON(c))), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Format != CompareFormat || doc.Verdict != compare.VerdictRegression || len(doc.Checks) != len(c.Checks) {
		t.Errorf("json: %s %s %d checks", doc.Format, doc.Verdict, len(doc.Checks))
	}
}

// TestCompareRunFromJSON: a run's report.json compares with its own
// results as the run itself does: no change, and the same plan.
func TestCompareRunFromJSON(t *testing.T) {
	s := synth.New()
	s.AddSamples(synth.PoolSeries(100, 250))
	s.AddIntervals(synth.SteadyLoad)
	r := analyze(s)
	d, err := ReadJSON(bytes.NewReader(writeDoc(t, Run{Analysis: r})), "report.json")
	if err != nil {
		t.Fatal(err)
	}
	fromJSON, err := CompareRun(d, "report.json")
	if err != nil {
		t.Fatal(err)
	}
	fromRun, err := compare.FromAnalysis("dir", r)
	if err != nil {
		t.Fatal(err)
	}
	if d := compare.PlanDifferences(fromRun.Plan, fromJSON.Plan); len(d) > 0 {
		t.Errorf("plans differ: %v", d)
	}
	if len(fromJSON.Windows) < compare.MinWindows || fromJSON.SteadyFrom != fromRun.SteadyFrom {
		t.Errorf("%d windows, steady from %v (run: %v)", len(fromJSON.Windows), fromJSON.SteadyFrom, fromRun.SteadyFrom)
	}
	c, err := compare.Compare(fromRun, fromJSON, compare.Options{Margins: compare.DefaultMargins()})
	if err != nil {
		t.Fatal(err)
	}
	if c.Verdict != compare.VerdictNoChange {
		t.Errorf("%s: %s", c.Verdict, c.Headline)
	}
	if _, err := CompareRun(&Document{}, "empty.json"); err != ErrNoIntervals {
		t.Errorf("empty document: %v", err)
	}
}

// FuzzCompareRun: whatever ReadJSON accepts becomes a comparison side
// that compares with itself without a panic, and never as a regression.
func FuzzCompareRun(f *testing.F) {
	s := synth.New()
	s.SetPhases(10e9, 20e9)
	s.AddSamples(synth.PoolSeries(0, 0))
	s.AddIntervals(synth.SteadyLoad)
	f.Add(writeDoc(f, Run{Analysis: analyze(s)}))
	f.Add([]byte(`{"format":"soak/v1","intervals":[{"span":1,"start":"2026-01-01T00:00:00Z","end":"2026-01-01T00:00:01Z","endpoints":[{"method":"GET","name":"/"}]}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := ReadJSON(bytes.NewReader(b), "fuzz.json")
		if err != nil {
			return
		}
		r, err := CompareRun(d, "fuzz.json")
		if err != nil {
			return
		}
		c, err := compare.Compare(r, r, compare.Options{Margins: compare.DefaultMargins()})
		if err != nil {
			t.Fatal(err)
		}
		if c.Verdict == compare.VerdictRegression {
			t.Fatalf("a run against itself: %s", c.Headline)
		}
		var out bytes.Buffer
		for _, rep := range []Reporter{CompareMarkdown(c), CompareHTML(c), CompareJSON(c)} {
			if err := rep(&out); err != nil {
				t.Fatal(err)
			}
		}
	})
}
