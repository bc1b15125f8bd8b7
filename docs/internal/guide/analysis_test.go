package guide_test

import (
	"context"
	"testing"
	"time"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/analysis"
	"github.com/soaklab/soak/engine/runner"
	"github.com/soaklab/soak/middleware"
	"github.com/soaklab/soak/probe"
)

// TestAssertingOnValues soaks the stand-in service with its probe and
// middleware wired, in process, and asserts on the result as
// docs/testing.md's "Asserting on the values" does.
func TestAssertingOnValues(t *testing.T) {
	p := probe.New()
	defer p.Close()
	reader := authenticatedUser()
	reader.Wait = engine.Constant{D: 20 * time.Millisecond}
	// Only the targets this test is about: no errors. Latency, throughput,
	// CPU and memory on a shared test machine say little.
	th := analysis.Thresholds{ErrorRate: 0.005}
	res, err := runner.Soak(context.Background(), runner.Config{
		Plan: engine.Plan{
			Handler:  middleware.HTTP(p)(storyService()),
			Load:     engine.Closed{Users: 5, SpawnRate: 5},
			Duration: 3 * time.Second,
			Classes:  []engine.Class{reader},
		},
		Sources:      []runner.Source{runner.InProcess(p)},
		PollInterval: 250 * time.Millisecond,
		Thresholds:   &th,
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Find(analysis.DetectorMemoryLeak, "") == nil {
		t.Fatal("no memory-leak finding: the probe was not read")
	}
	assertOnValues(t, res)
}

// assertOnValues is the code of docs/testing.md's "Asserting on the values".
func assertOnValues(t *testing.T, res *analysis.Result) {
	f := res.Find(analysis.DetectorMemoryLeak, "") // "" is the only source, or the client side
	if f.Verdict == analysis.VerdictDetected {
		t.Errorf("heap grows %.1f MB/hour; top site %s", f.Memory.MBPerHour, f.Suspects[0].Location())
	}
	switch res.Outcome() { // what `soak run` would exit with: res.ExitCode()
	case analysis.OutcomeUnhealthy: // a defect, or a missed target
		t.Error(res.Err())
	case analysis.OutcomeInconclusive: // a check could not run: a steady state too short, no probe read
		t.Log(res.Headline())
	}
}
