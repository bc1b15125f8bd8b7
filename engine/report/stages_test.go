package report

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/analysis"
	"github.com/soaklab/soak/engine/internal/synth"
)

// stagedRun is a synthetic run whose users went 50 -> 200 at 170 s into
// the load (150 s into the steady state) and whose pool ran dry from 180 s.
func stagedRun(t *testing.T, change bool) *analysis.Result {
	t.Helper()
	s := synth.New()
	s.AddSamples(synth.PoolSeries(180, 320))
	s.AddIntervals(synth.SteadyLoad)
	if change {
		at := s.Start.Add(170 * time.Second)
		s.Intervals[170].Changes = []engine.Change{{At: at, Users: 200}}
	}
	res := s.Engine()
	res.Users = 50
	a, err := analysis.Analyze(res, s.Capture, analysis.DefaultThresholds())
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// The Stages section is in the Markdown, HTML and JSON reports of a run
// whose load changed, with each stage's figures and the stage the pool
// ran dry in; a run of one load level has none.
func TestStagesSection(t *testing.T) {
	run := Run{Analysis: stagedRun(t, true)}
	var md, html, js bytes.Buffer
	for _, w := range []struct {
		r   Reporter
		out *bytes.Buffer
	}{{Markdown(run), &md}, {HTML(run), &html}, {JSON(run), &js}} {
		if err := w.r(w.out); err != nil {
			t.Fatal(err)
		}
	}
	for _, want := range []string{
		"### Stages\n",
		"| stage 1 (50 users) | steady state | 0m20s-2m50s (2 min 30 s judged) | 10 | 100.0 | 2.0 | 2.0 | 2.0 | 0% |",
		"| stage 2 (200 users) | users changed to 200 | 2m50s-5m20s (2 min 20 s judged after 10 s settling) | 10 | 100.0 | 2.0 | 2.0 | 2.0 | 0% |",
		"pool [svc]: detected (pool db exhausted ",
		"; in stage 2 (200 users), not in stage 1 (50 users)",
	} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("Markdown lacks %q", want)
		}
	}
	for _, want := range []string{"<h3>Stages</h3>", `<tr class="fail"><td class="l">stage 2 (200 users)</td>`, "users changed to 200"} {
		if !strings.Contains(html.String(), want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	doc, err := ReadJSON(&js, "report.json")
	if err != nil {
		t.Fatal(err)
	}
	if st := doc.Analysis.Stages; len(st) != 2 || st[1].Name() != "stage 2 (200 users)" || st[1].RPS != 100 || st[1].Settle != 10*time.Second {
		t.Errorf("JSON stages: %+v", st)
	}

	one := Run{Analysis: stagedRun(t, false)}
	md.Reset()
	html.Reset()
	if err := Markdown(one)(&md); err != nil {
		t.Fatal(err)
	}
	if err := HTML(one)(&html); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(md.String(), "### Stages") || strings.Contains(html.String(), "<h3>Stages</h3>") {
		t.Error("a run of one load level has a Stages section")
	}
}
