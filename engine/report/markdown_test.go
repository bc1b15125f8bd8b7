package report

import (
	"bytes"
	"errors"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/analysis"
	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/engine/internal/synth"
	"github.com/soaklab/soak/probe"
)

// seedHeadings are the seed template's sections, in order.
var seedHeadings = []string{
	"# Sustained Load Test Results", "## Test Configuration", "## Test Scenarios", "### User Distribution",
	"## Execution Command", "## Results Summary", "### Performance Metrics", "### System Metrics",
	"## Endpoint Performance", "### Top 10 Endpoints by Request Count", "## Stability Analysis",
	"### Memory Leak Detection", "### Connection Pool Stability", "### Error Rate Over Time",
	"## Issues Identified", "### Critical Issues", "### High Priority Issues", "### Medium Priority Issues",
	"## Recommendations", "### Immediate Actions", "### Short-term Improvements", "### Long-term Optimizations",
	"## Capacity Planning", "### Current Capacity", "### Bottlenecks Identified", "### Scaling Recommendations",
	"## Next Steps", "## Test Execution Instructions", "## Monitoring Queries", "### Database Monitoring",
	"### Cache Monitoring", "### Application Monitoring", "## Appendix", "### Test Environment", "### Hardware Specifications", "### Configuration",
}

func markdownOf(t *testing.T, r *analysis.Result) string {
	t.Helper()
	var b bytes.Buffer
	if err := Markdown(Run{Analysis: r})(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// analyze runs analysis.Analyze over a synthetic run with the seed's
// targets.
func analyze(r *synth.Run) *analysis.Result {
	res, err := analysis.Analyze(r.Engine(), r.Capture, analysis.DefaultThresholds())
	if err != nil {
		panic(err)
	}
	return res
}

func TestMarkdownFollowsTheSeed(t *testing.T) {
	s := synth.New()
	s.AddSamples(synth.PoolSeries(100, 250))
	s.AddIntervals(synth.SlowWhile(100, 250))
	md := markdownOf(t, analyze(s))
	at := 0
	for _, h := range seedHeadings {
		i := strings.Index(md[at:], "\n"+h+"\n")
		if h == seedHeadings[0] {
			i = strings.Index(md, h+"\n")
		}
		if i < 0 {
			t.Fatalf("heading %q missing or out of order in:\n%s", h, md)
		}
		at += i
	}
	for _, row := range []string{"| P50 Latency | < 200ms |", "| P95 Latency | < 500ms |", "| P99 Latency | < 1000ms |",
		"| Error Rate | < 0.5% |", "| Throughput | > 100 RPS |", "| Rate Limit Hits | Expected |",
		"| Database | Connection Pool | < 80% |", "| Database | Query Latency | < 50ms |", "| Cache | Hit Rate | > 70% |",
		"| Cache | Memory Usage | < 80% |", "| Application | CPU Usage | < 70% |", "| Application | Memory Usage | < 80% |",
		"- **0-", "- **Trend**:", "**Initial Memory**", "**Final Memory**", "**Memory Growth**", "**Leak Detected**",
		"**Initial Pool Size**", "**Peak Pool Size**", "**Connection Leaks**", "**Pool Exhaustion Events**",
		"**Max Concurrent Users**", "**Max Requests/Second**", "**Breaking Point**",
		"**Horizontal Scaling**", "**Vertical Scaling**", "**Database Scaling**", "**Cache Scaling**",
		"**OS**", "**PostgreSQL Version**", "**Redis Version**", "**CPU**", "**RAM**", "**Disk**", "**Network**",
		"**Database Pool Size**", "**Cache Size**", "**Request Timeout**", "**Rate Limit**"} {
		if !strings.Contains(md, row) {
			t.Errorf("row %q missing", row)
		}
	}
	if strings.Contains(md, "TBD") || strings.Contains(md, "⏳") {
		t.Error("a TBD or pending mark is left")
	}
	// The exhausted pool is a high-priority issue, with its Little's law figures.
	if !strings.Contains(md, "### High Priority Issues\n- pool-exhaustion [svc]: pool db was exhausted") {
		t.Errorf("exhaustion not listed as a high-priority issue:\n%s", md)
	}
}

func TestMarkdownSaysWhatItCannotMeasure(t *testing.T) {
	s := synth.New()
	s.AddIntervals(synth.SteadyLoad)
	s.Capture = &capture.Capture{} // no probe at all
	r := analyze(s)
	md := markdownOf(t, r)
	for _, want := range []string{
		"| Database | Connection Pool | < 80% | not measured: no probe: the service was not polled",
		"**PostgreSQL Version**: not measured: no probe",
		"**Leak Detected**: ❔ Not measured: no probe",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("missing %q in:\n%s", want, md)
		}
	}
	for _, f := range r.Findings {
		clientSide := f.Detector == analysis.DetectorErrorRate || f.Detector == analysis.DetectorLatencyTrend || f.Detector == analysis.DetectorRateLimit || f.Detector == analysis.DetectorUserQuits
		if !clientSide && f.Verdict != analysis.VerdictUnknown {
			t.Errorf("no probe, yet %s", f.String())
		}
	}
}

func TestMarkdownEscapesHostileText(t *testing.T) {
	s := synth.New()
	s.AddSamples(func(t float64, ph capture.Phase) *probe.Snapshot {
		sn := synth.Snap(5e6, uint64(10+max(t, 0)), 50, synth.RequestsAt(t))
		sn.Config = map[string]string{"note": "a | b <script>alert(1)</script>\nnext",
			"banner": "![pwned](http://evil.example/x.png) [click](http://evil.example) `code` ``x`` <http://evil.example>\n# heading",
			"dsn":    "host=db password=pw-5e1f"}
		return sn
	})
	s.AddIntervals(synth.SteadyLoad)
	md := markdownOf(t, analyze(s))
	if strings.Contains(md, "<script>") || strings.Contains(md, "a | b") || !strings.Contains(md, "a \\| b &lt;script") {
		t.Errorf("hostile text not escaped:\n%s", md)
	}
	if regexp.MustCompile(`[^\\]\]\(http://evil`).MatchString(md) {
		t.Errorf("a live link in report.md:\n%s", md)
	}
	for _, live := range []string{"<http://evil", "\n# heading", "pw-5e1f"} {
		if strings.Contains(md, live) {
			t.Errorf("%q left live in report.md:\n%s", live, md)
		}
	}
	if !strings.Contains(md, "`code`") || !strings.Contains(md, "\\`\\`x\\`\\`") {
		t.Errorf("code spans: a simple one kept, a double one escaped:\n%s", md)
	}
}

// TestMarkdownNeedsAnAnalysis: a client-side only run has no Markdown
// report (its seed sections are the analysis's), and a Run given both
// ways is refused by every renderer.
func TestMarkdownNeedsAnAnalysis(t *testing.T) {
	res := knownRun(t)
	if err := Markdown(Run{Result: res})(io.Discard); !errors.Is(err, ErrNoAnalysis) {
		t.Errorf("client-side run: %v", err)
	}
	a, err := analysis.Analyze(res, nil, analysis.DefaultThresholds())
	if err != nil {
		t.Fatal(err)
	}
	both := Run{Result: res, Analysis: a}
	for name, rep := range map[string]Reporter{"markdown": Markdown(both), "html": HTML(both), "json": JSON(both),
		"stats": LocustStats(both), "history": LocustHistory(both, CSVOptions{}), "failures": LocustFailures(both),
		"exceptions": LocustExceptions(both)} {
		if err := rep(io.Discard); !errors.Is(err, ErrTwoResults) {
			t.Errorf("%s of a Run with both Result and Analysis: %v", name, err)
		}
	}
	if err := Markdown(Run{})(io.Discard); !errors.Is(err, ErrNoResult) {
		t.Errorf("empty run: %v", err)
	}
}

// TestMarkdownOfPartialRuns: a run the analysis calls partial is titled
// so, down to one cancelled before any interval (the runner's
// TestSoakCancelledInBaseline makes such a run).
func TestMarkdownOfPartialRuns(t *testing.T) {
	s := synth.New()
	s.AddSamples(synth.GCHeap(func(float64) float64 { return 5e6 }, 0, 1))
	s.AddIntervals(synth.SteadyLoad)
	r := analyze(s)
	r.Partial = true
	if md := markdownOf(t, r); !strings.HasPrefix(md, "# Sustained Load Test Results (partial: interrupted)\n") {
		t.Errorf("partial run not titled so:\n%.200s", md)
	}
	empty := engine.NewResult(engine.RunInfo{Start: s.Start, Host: "http://127.0.0.1:1"}, nil, 0)
	empty.Canceled = true
	r, err := analysis.Analyze(empty, nil, analysis.DefaultThresholds())
	if err != nil {
		t.Fatal(err)
	}
	md := markdownOf(t, r)
	if !strings.HasPrefix(md, "# Sustained Load Test Results (partial: interrupted)\n") || !strings.Contains(md, "| (no request completed) |") {
		t.Errorf("run cancelled before any interval:\n%s", md)
	}
}

// TestMarkdownNamesTheSlowestStatements: a missed query-latency target
// gets the slowest statements as a short-term action.
func TestMarkdownNamesTheSlowestStatements(t *testing.T) {
	s := synth.New()
	s.AddSamples(synth.SystemSeries)
	s.AddIntervals(synth.SteadyLoad)
	md := markdownOf(t, analyze(s))
	if !strings.Contains(md, "Speed up the slowest statements: `SELECT * FROM stories WHERE slug = $1` (p95 80 ms)") {
		t.Errorf("no slowest-statement recommendation:\n%s", md)
	}
}

// FuzzCell: whatever the text, a cell is one line, has no unescaped
// pipe, no link or image target, no HTML tag or autolink.
func FuzzCell(f *testing.F) {
	for _, s := range []string{"a | b", "![x](http://e)", "[a][b]", "<img src=x>", "`a|b`", "``x``", "a\nb", "\\|", "x\\](y)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := cell(s)
		if strings.ContainsAny(c, "\r\n") {
			t.Fatalf("cell(%q) = %q spans lines", s, c)
		}
		for i := 0; i < len(c); i++ {
			escaped := backslashes(c[:i])%2 == 1
			switch {
			case c[i] == '|' && !escaped:
				t.Fatalf("cell(%q) = %q: unescaped pipe at %d", s, c, i)
			case c[i] == ']' && i+1 < len(c) && (c[i+1] == '(' || c[i+1] == '[') && !escaped && !inCode(c, i):
				t.Fatalf("cell(%q) = %q: a link at %d", s, c, i)
			case c[i] == '<' && i+1 < len(c) && tagStart(c[i+1]) && !inCode(c, i):
				t.Fatalf("cell(%q) = %q: a tag at %d", s, c, i)
			}
		}
	})
}

// backslashes counts the backslashes ending s.
func backslashes(s string) int {
	n := 0
	for n < len(s) && s[len(s)-1-n] == '\\' {
		n++
	}
	return n
}

// inCode reports whether c[i] is inside a simple code span cell kept.
func inCode(c string, i int) bool {
	for j := 0; j < len(c); j++ {
		if c[j] == '`' && backslashes(c[:j])%2 == 0 {
			if end := codeSpanEnd(c, j); end > 0 {
				if i > j && i < end {
					return true
				}
				j = end
			}
		}
	}
	return false
}
