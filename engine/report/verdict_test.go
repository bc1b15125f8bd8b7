package report

import (
	"strings"
	"testing"

	"github.com/soaklab/soak/engine/analysis"
)

// A healthy run with a finding below a defect's bar lists the warning in
// the verdict of every report: exit 0 stands, and "passed" is not read
// as "nothing seen".
func TestVerdictListsWarnings(t *testing.T) {
	a, _ := analysed(knownRun(t))
	a.Findings = []analysis.Finding{a.Findings[1], {Detector: analysis.DetectorGoroutineLeak, Source: "svc-1",
		Verdict: analysis.VerdictWarning, Confidence: 0.6, Summary: "goroutines rise 0.50 per minute, below the leak bar " + hostile[0]}}
	a.System = nil
	if a.ExitCode() != analysis.ExitOK {
		t.Fatalf("exit %d: %s", a.ExitCode(), a.Headline())
	}
	v := verdict(a, nil)
	if len(v.Warnings) != 1 || len(v.Reasons) != 0 || !strings.HasPrefix(v.Warnings[0], "goroutine-leak [svc-1]: warning (60%): goroutines rise") {
		t.Fatalf("warnings %q, reasons %q", v.Warnings, v.Reasons)
	}
	md := markdownOf(t, a)
	if !strings.Contains(md, "**Warnings** (below the bars of a defect; they do not change the verdict):\n\n- goroutine-leak [svc-1]: warning (60%)") ||
		!strings.Contains(md, "; 1 warning below the bars: goroutine-leak [svc-1]") {
		t.Errorf("markdown verdict:\n%s", md[:min(len(md), 1500)])
	}
	html := renderHTML(t, Run{Analysis: a})
	if !strings.Contains(html, "<strong>Warnings</strong>") || !strings.Contains(html, "goroutine-leak [svc-1]: warning (60%)") || strings.Contains(html, hostile[0]) {
		t.Error("the HTML verdict lacks the warning, or shows its hostile text unescaped")
	}
}
