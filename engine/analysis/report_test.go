package analysis

import (
	"bytes"
	"strings"
	"testing"

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
	"## Next Steps", "## Appendix", "### Test Environment", "### Hardware Specifications", "### Configuration",
}

func markdownOf(t *testing.T, r *Result) string {
	t.Helper()
	var b bytes.Buffer
	if err := Markdown(r)(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestMarkdownFollowsTheSeed(t *testing.T) {
	s := synth.New()
	s.AddSamples(poolSeries(100, 250))
	s.AddIntervals(slowWhile(100, 250))
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
		if f.Detector != DetectorErrorRate && f.Detector != DetectorRateLimit && f.Verdict != VerdictUnknown {
			t.Errorf("no probe, yet %s", f.String())
		}
	}
}

func TestMarkdownEscapesHostileText(t *testing.T) {
	s := synth.New()
	s.AddSamples(func(t float64, ph capture.Phase) *probe.Snapshot {
		sn := synth.Snap(5e6, uint64(10+max(t, 0)), 50, synth.RequestsAt(t))
		sn.Config = map[string]string{"note": "a | b <script>alert(1)</script>\nnext"}
		return sn
	})
	s.AddIntervals(synth.SteadyLoad)
	md := markdownOf(t, analyze(s))
	if strings.Contains(md, "<script>") || strings.Contains(md, "a | b") || !strings.Contains(md, "a \\| b &lt;script") {
		t.Errorf("hostile text not escaped:\n%s", md)
	}
}
