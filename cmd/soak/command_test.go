package main

import (
	"strings"
	"testing"

	"github.com/soaklab/soak/engine/analysis"
)

// TestCommandLineNamesTheBinary: run.json and the report's Execution
// Command name the program as the user typed it, but a binary go run
// built in a temporary directory, which cannot be run again, as soak;
// secrets stay redacted.
func TestCommandLineNamesTheBinary(t *testing.T) {
	for argv0, want := range map[string]string{
		"/tmp/go-build2915386641/b001/exe/soak": "soak demo --probe-token REDACTED",
		"./soak":                                "./soak demo --probe-token REDACTED",
		"/usr/local/bin/soak":                   "/usr/local/bin/soak demo --probe-token REDACTED",
		"/home/u/go-builds/exe-dir/soak":        "/home/u/go-builds/exe-dir/soak demo --probe-token REDACTED",
	} {
		c := &cli{argv: []string{argv0, "demo", "--probe-token", "s3cret"}}
		if got := c.commandLine(); got != want {
			t.Errorf("%s: %q, want %q", argv0, got, want)
		}
	}
}

// TestVerdictLineCounts: one target, one finding, in the singular.
func TestVerdictLineCounts(t *testing.T) {
	missed := &analysis.Result{Performance: []analysis.Target{{Metric: "Throughput", Status: analysis.StatusFail}}}
	if got := verdictLine(missed, false, exitTargetMissed, false); !strings.Contains(got, "1 target missed") || strings.Contains(got, "targets") {
		t.Errorf("%q", got)
	}
	unstable := &analysis.Result{Findings: []analysis.Finding{{Detector: analysis.DetectorMemoryLeak, Verdict: analysis.VerdictDetected,
		Severity: analysis.SeverityHigh}}}
	if got := verdictLine(unstable, false, exitUnstable, false); !strings.Contains(got, "1 defect") || strings.Contains(got, "defects") {
		t.Errorf("%q", got)
	}
}
