package main

import (
	"strings"
	"testing"

	"github.com/soaklab/soak/engine/analysis"
)

// The summary's last line names the code the command returns, whatever
// the run's own verdict: $? and the words must never disagree.
func TestVerdictLineNamesTheReturnedCode(t *testing.T) {
	plain := &analysis.Result{}
	missed := &analysis.Result{Performance: []analysis.Target{{Metric: "Throughput", Status: analysis.StatusFail}}}
	for _, tc := range []struct {
		r       *analysis.Result
		search  bool
		code    int
		partial bool
		want    string
	}{
		{plain, false, exitOK, false, "exit 0: healthy"},
		{missed, false, exitTargetMissed, false, "exit 3: unhealthy: 1 target missed: Throughput"},
		{plain, false, exitTargetMissed, false, "exit 3: a target was missed"},
		{plain, false, exitUnstable, false, "exit 4: a defect was found"},
		{plain, false, exitInconclusive, false, "exit 5: a check that matters could not run"},
		{plain, false, exitInterrupted, true, "exit 130: interrupted"},
		{missed, false, exitTargetMissed, true, "exit 3: unhealthy: 1 target missed: Throughput, over a partial run"},
		{plain, false, exitError, false, "exit 1: the outputs could not all be written"},
		{plain, true, exitOK, false, "exit 0: the capacity search ran"},
	} {
		if got := verdictLine(tc.r, tc.search, tc.code, tc.partial); !strings.HasPrefix(got, tc.want) {
			t.Errorf("verdictLine(code %d, partial %v) = %q, want prefix %q", tc.code, tc.partial, got, tc.want)
		}
	}
}
