package e2e

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/soaklab/soak/engine/analysis"
	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/engine/report"
	"github.com/soaklab/soak/internal/testenv"
)

// buildSoak builds the soak command into a temporary directory.
func buildSoak(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "soak")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/soak")
	cmd.Dir = "../../../.."
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/soak: %v\n%s", err, out)
	}
	return bin
}

// runDemo runs `soak demo ARGS --out DIR` as a newcomer would, in its own
// process (so that the heap sampling is the demo's, not this package's
// TestMain's), and returns its exit status and report.json.
func runDemo(t *testing.T, args ...string) (int, *report.Document) {
	t.Helper()
	bin := buildSoak(t)
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append(append([]string{"demo"}, args...), "--out", dir)...)
	out, err := cmd.CombinedOutput()
	code := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("soak demo %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	t.Logf("soak demo %s: exit %d\n%s", strings.Join(args, " "), code, lastLines(string(out), 8))
	f, err := os.Open(filepath.Join(dir, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := report.ReadJSON(f, "report.json")
	if err != nil {
		t.Fatal(err)
	}
	if doc.Analysis == nil {
		t.Fatal("report.json has no analysis")
	}
	return code, doc
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// steadyRequests counts the requests of endpoint name that completed in
// intervals starting at or after the steady state's start.
func steadyRequests(doc *report.Document, name string) int64 {
	st, ok := doc.Analysis.Phases.Span(capture.PhaseSteady)
	if !ok {
		return 0
	}
	var n int64
	for _, iv := range doc.Intervals {
		if iv.Start.Before(st.Start) {
			continue
		}
		for _, e := range iv.Endpoints {
			if e.Name == name {
				n += e.Requests
			}
		}
	}
	return n
}

// TestDemoHeapLeakLocated runs `soak demo --fault heap-leak` with the
// demo's defaults (in process, data in memory, 200 users, 2 minutes).
// The heap diff must put rememberStoryView first, with a byte figure
// close to what the fault retained over the diffed span: 8 KiB for every
// story page served from the steady state's start on. The demo's probe
// samples the heap every 16 KiB, so that figure rests on about two
// thousand samples.
func TestDemoHeapLeakLocated(t *testing.T) {
	testenv.SkipUnlessLong(t)
	code, doc := runDemo(t, "--fault", "heap-leak")
	if code != analysis.ExitUnstable {
		t.Errorf("exit %d, want %d (unstable)", code, analysis.ExitUnstable)
	}
	var f *analysis.Finding
	for i := range doc.Analysis.Findings {
		if doc.Analysis.Findings[i].Detector == analysis.DetectorMemoryLeak {
			f = &doc.Analysis.Findings[i]
		}
	}
	if f == nil || f.Verdict != analysis.VerdictDetected || len(f.Suspects) == 0 {
		t.Fatalf("memory-leak finding: %+v", f)
	}
	top := f.Suspects[0]
	if !strings.HasSuffix(top.Function, ".rememberStoryView") || top.Unit != "bytes" {
		t.Fatalf("top suspect %s (%d %s), want rememberStoryView\n%s", top.Function, top.Value, top.Unit, explain(f))
	}
	views := steadyRequests(doc, "/api/stories/[slug]")
	want := views * 8 << 10
	if views == 0 || top.Value < want*3/4 || top.Value > want*4/3 {
		t.Errorf("rememberStoryView grew %d bytes; %d story views in the steady state retained %d\n%s", top.Value, views, want, explain(f))
	}
	if top.Share < 0.9 {
		t.Errorf("rememberStoryView is %.0f%% of the growth, want most of it\n%s", 100*top.Share, explain(f))
	}
	if !strings.Contains(strings.Join(f.Evidence, "\n"), "one allocation per 16.0 KB allocated") {
		t.Errorf("evidence does not give the demo's heap sampling:\n%s", explain(f))
	}
	t.Logf("rememberStoryView: %d bytes for %d story views (%.3f of 8 KiB each), %.1f%% of the growth",
		top.Value, views, float64(top.Value)/float64(want), 100*top.Share)
}
