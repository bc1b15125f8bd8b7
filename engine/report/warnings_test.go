package report

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/soaklab/soak/engine/analysis"
	"github.com/soaklab/soak/engine/capture"
)

// The early warnings are listed in every report with when they were
// first warned; the one that ended a fail-fast run is marked, and the
// title, a note and the verdict say the run was ended early.
func TestEarlyWarningsInReports(t *testing.T) {
	a, _ := analysed(knownRun(t))
	a.Findings = a.Findings[1:] // no detected defect: fail-fast alone makes the run unhealthy
	a.System = nil
	a.Capture.Warnings = []capture.Warning{
		{Kind: capture.WarnHeld, Source: "svc-1", Where: "demo.leakShelves", Route: "GET /shelves", What: "2 pgx-conn held <b>x</b>",
			At: 42 * time.Second, EndedRun: true},
		{Kind: capture.WarnGoroutines, Source: "svc-1", Where: "demo.awaitRefresh", What: "goroutines rose 67", At: 75 * time.Second, Updates: 4, LastWhat: "rose 80"},
	}
	if a.ExitCode() != analysis.ExitUnstable || !strings.Contains(a.Headline(), "unhealthy: ended early by fail-fast at 0m42s: held-too-long in demo.leakShelves") {
		t.Fatalf("exit %d, headline %q", a.ExitCode(), a.Headline())
	}
	md := markdownOf(t, a)
	wantAll := func(what, text string, wants ...string) {
		t.Helper()
		for _, w := range wants {
			if !strings.Contains(text, w) {
				t.Errorf("%s lacks %q", what, w)
			}
		}
	}
	wantAll("markdown", md, "(partial: ended early by fail-fast)", "Ended early by fail-fast at the first early warning (0m42s into the load)",
		"### Early Warnings\n- **First warned at 0m42s** **(ended the run: fail-fast)**: held-too-long in demo.leakShelves (GET /shelves)",
		"- **First warned at 1m15s**: goroutine-growth in demo.awaitRefresh: goroutines rose 67; seen again 4 times, last: rose 80")
	html := renderHTML(t, Run{Analysis: a})
	wantAll("HTML", html, "<h3>Early warnings</h3>", "<strong>First warned at 0m42s</strong> <strong>(ended the run: fail-fast)</strong>",
		"2 pgx-conn held &lt;b&gt;x&lt;/b&gt;")
	d := roundTrip(t, Run{Analysis: a})
	if x := d.Analysis; x == nil || len(x.Warnings) != 2 || !x.Warnings[0].EndedRun || x.ExitCode != analysis.ExitUnstable {
		t.Errorf("report.json's analysis %+v", x)
	}

	a.Capture.Warnings = nil
	var b bytes.Buffer
	if err := Markdown(Run{Analysis: a})(&b); err != nil {
		t.Fatal(err)
	}
	wantAll("markdown without warnings", b.String(), "### Early Warnings\n- None: no early warning while the run went.")
}
