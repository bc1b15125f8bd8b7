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
	capacity := &analysis.Result{Capacity: &analysis.CapacityResult{}}
	for _, tc := range []struct {
		r       *analysis.Result
		code    int
		partial bool
		want    string
	}{
		{plain, exitOK, false, "exit 0: healthy"},
		{missed, exitTargetMissed, false, "exit 3: unhealthy: 1 target missed: Throughput"},
		{plain, exitTargetMissed, false, "exit 3: a target was missed"},
		{plain, exitUnstable, false, "exit 4: a defect was found"},
		{plain, exitInconclusive, false, "exit 5: a check that matters could not run"},
		{plain, exitInterrupted, true, "exit 130: interrupted"},
		{missed, exitTargetMissed, true, "exit 3: unhealthy: 1 target missed: Throughput, over a partial run"},
		{plain, exitError, false, "exit 1: the outputs could not all be written"},
		{capacity, exitOK, false, "exit 0: the capacity search ran"},
	} {
		if got := verdictLine(tc.r, tc.code, tc.partial); !strings.HasPrefix(got, tc.want) {
			t.Errorf("verdictLine(code %d, partial %v) = %q, want prefix %q", tc.code, tc.partial, got, tc.want)
		}
	}
}
