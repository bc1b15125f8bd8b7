package analysis

import (
	"strings"
	"testing"
	"time"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/engine/internal/synth"
	"github.com/soaklab/soak/probe"
)

// changeAt records a change to users at t seconds after the load's start
// of r, in the interval that holds it.
func changeAt(r *synth.Run, t float64, users int) {
	at := r.Start.Add(time.Duration(t * float64(time.Second)))
	for _, iv := range r.Intervals {
		if !at.Before(iv.Start) && at.Before(iv.End) {
			iv.Changes = append(iv.Changes, engine.Change{At: at, Users: users})
		}
	}
}

// analyzeUsers analyses r as a run that started with users.
func analyzeUsers(t *testing.T, r *synth.Run, users int) *Result {
	t.Helper()
	res := r.Engine()
	res.Users = users
	a, err := Analyze(res, r.Capture, DefaultThresholds())
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// staircase is a service whose live heap and goroutines step up at each
// 75 s of the load (the steady state is t = 20 s to 320 s), as users 50
// -> 100 -> 150 -> 200 would raise them, and are flat in between.
func staircase(r *synth.Run) {
	r.AddSamples(func(t float64, ph capture.Phase) *probe.Snapshot {
		k := int(max(t, 0) / 75)
		if ph != capture.PhaseSteady {
			k = 0
		}
		return synth.Snap(uint64(20e6+float64(k)*12e6), uint64(10+max(t+30, 0)/2), int64(60+k*60), synth.RequestsAt(t))
	})
	r.AddIntervals(synth.SteadyLoad)
}

func TestUsersStepUpIsNotALeak(t *testing.T) {
	// Without the changes recorded, the staircase looks like a leak: the
	// whole steady state's trend rises to the end.
	r := synth.New()
	staircase(r)
	blind := analyzeUsers(t, r, 50)
	if f := blind.Find(DetectorMemoryLeak, synth.Source); f.Verdict != VerdictDetected {
		t.Fatalf("control: the staircase alone is %s (%s), want detected", f.Verdict, f.Summary)
	}
	if len(blind.Stages) != 0 {
		t.Errorf("no change, yet %d stages", len(blind.Stages))
	}

	r = synth.New()
	staircase(r)
	for i, users := range []int{100, 150, 200} {
		changeAt(r, 75*float64(i+1), users)
	}
	res := analyzeUsers(t, r, 50)
	if len(res.Stages) != 4 || res.Stages[3].Name() != "stage 4 (200 users)" {
		t.Fatalf("stages: %+v", res.Stages)
	}
	for _, d := range []Detector{DetectorMemoryLeak, DetectorGoroutineLeak} {
		f := res.Find(d, synth.Source)
		if f.Verdict != VerdictOK || !strings.Contains(f.Summary, "load, not a leak") ||
			!strings.Contains(f.Summary, "stage 2 (100 users) from 50 users") {
			t.Errorf("%s: %s: %s", d, f.Verdict, f.Summary)
		}
	}
	if failed := res.Failed(); len(failed) > 0 {
		t.Errorf("a step up in users is a defect: %s", res.Headline())
	}
}

func TestLeakWithinStagesStaysALeak(t *testing.T) {
	r := synth.New()
	// 3 MB a minute within each stage, plus a 20 MB step at the change.
	r.AddSamples(func(t float64, ph capture.Phase) *probe.Snapshot {
		h := 20e6 + max(t, 0)*50e3
		if t >= 170 && ph == capture.PhaseSteady {
			h += 20e6
		}
		return synth.Snap(uint64(h), uint64(10+max(t+30, 0)/2), 60, synth.RequestsAt(t))
	})
	r.AddIntervals(synth.SteadyLoad)
	changeAt(r, 170, 200)
	res := analyzeUsers(t, r, 50)
	f := res.Find(DetectorMemoryLeak, synth.Source)
	if f.Verdict != VerdictDetected || len(f.Stage) != 2 {
		t.Fatalf("memory-leak: %s %v: %s", f.Verdict, f.Stage, f.Summary)
	}
	if !strings.Contains(strings.Join(f.Evidence, " "), "Within the stages it grows in stage 1 (50 users), stage 2 (200 users)") {
		t.Errorf("evidence: %q", f.Evidence)
	}
}

func TestPoolExhaustionAttributedToStage(t *testing.T) {
	r := synth.New()
	r.AddSamples(synth.PoolSeries(180, 320)) // the steady state ends at 320 s
	r.AddIntervals(synth.SteadyLoad)
	changeAt(r, 170, 200)
	res := analyzeUsers(t, r, 50)
	f := res.Find(DetectorPoolExhaustion, synth.Source)
	if f.Verdict != VerdictDetected || !strings.HasSuffix(f.Summary, "; in stage 2 (200 users), not in stage 1 (50 users)") ||
		len(f.Stage) != 1 || f.Stage[0] != "stage 2 (200 users)" {
		t.Fatalf("pool-exhaustion: %s %v: %s", f.Verdict, f.Stage, f.Summary)
	}
	if h := res.Headline(); !strings.Contains(h, "pool-exhaustion [svc] in stage 2 (200 users)") {
		t.Errorf("headline: %s", h)
	}
}
