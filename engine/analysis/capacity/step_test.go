package capacity

import (
	"strings"
	"testing"
	"time"

	"github.com/soaklab/soak/engine/analysis"
	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/engine/internal/synth"
	"github.com/soaklab/soak/probe"
)

// TestJudgeStep is where a capacity search breaks, on given figures: the
// handler of the old real-time test, capped at 100 requests/s, stops
// rising between 2 and 6 users whatever the machine.
func TestJudgeStep(t *testing.T) {
	th := analysis.DefaultThresholds()
	step := func(users int, rps float64, p95 time.Duration, errRate float64) Step {
		return Step{Users: users, Requests: int64(rps * 10), Throughput: rps, P95: p95, ErrorRate: errRate}
	}
	ok := []Step{step(1, 48, 21*time.Millisecond, 0), step(2, 96, 21*time.Millisecond, 0)}
	cases := []struct {
		name   string
		st     Step
		before []Step
		why    string // "" when the step passes
	}{
		{"the first step", step(1, 48, 21*time.Millisecond, 0), nil, ""},
		{"still rising", step(2, 96, 21*time.Millisecond, 0), ok[:1], ""},
		{"at the cap", step(6, 99, 60*time.Millisecond, 0), ok, "throughput stopped rising: 99.0 RPS, best before 96.0 RPS (less than 5% more)"},
		{"slower than before", step(6, 80, 60*time.Millisecond, 0), ok, "throughput stopped rising"},
		{"p95 above target", step(6, 200, 600*time.Millisecond, 0), ok, "p95 600 ms above the 500 ms target"},
		{"errors above target", step(6, 200, 60*time.Millisecond, 0.01), ok, "error rate 1.0% above the 0.50% target"},
		{"nothing completed", Step{Users: 6}, ok, "no request completed"},
	}
	for _, c := range cases {
		broke, why := JudgeStep(&c.st, c.before, th, 0.05)
		if broke != (c.why != "") || !strings.HasPrefix(why, c.why) || (c.why == "" && why != "") {
			t.Errorf("%s: broke %v, %q; want %q", c.name, broke, why, c.why)
		}
	}
	// A zero target is off.
	st := step(6, 200, time.Second, 0.5)
	if broke, why := JudgeStep(&st, ok, analysis.Thresholds{}, 0.05); broke {
		t.Errorf("targets off, yet broke: %s", why)
	}
}

// TestMeasureStep measures a step from synthetic intervals and probe
// points: the intervals whose middle lies in the step, the CPU and pool
// figures of the points inside them.
func TestMeasureStep(t *testing.T) {
	s := synth.New()
	s.AddSamples(func(t float64, ph capture.Phase) *probe.Snapshot {
		sn := synth.Snap(5e6, uint64(10+max(t, 0)), 50, synth.RequestsAt(t))
		sn.Process.CPUSeconds = max(t, 0) / 2 // half a core
		sn.Runtime.GOMAXPROCS = 2
		sn.Pools = []probe.PoolSnapshot{{Name: "db", MaxConns: 10, TotalConns: 10, AcquiredConns: 4,
			EmptyAcquireCount: int64(max(t, 0))}}
		return sn
	})
	s.AddIntervals(synth.SteadyLoad)
	from, to := s.Start.Add(10*time.Second), s.Start.Add(20*time.Second)
	st, measured := MeasureStep(s.Intervals, from, to, &s.Capture.Timeline)
	if !measured || !st.Start.Equal(from) || !st.End.Equal(to) || st.Requests != 1000 || st.Throughput != 100 {
		t.Fatalf("step %+v", st)
	}
	if st.P50 != 2*time.Millisecond || st.P95 != 2*time.Millisecond || st.ErrorRate != 0 {
		t.Errorf("latency %v %v, errors %v", st.P50, st.P95, st.ErrorRate)
	}
	if st.CPU != 0.25 || st.PoolUtilization != 0.4 || st.PoolWaits != 10 {
		t.Errorf("CPU %v (want 0.25 of 2 cores), pool %v (want 0.4), waits %d (want 10)", st.CPU, st.PoolUtilization, st.PoolWaits)
	}
	if st, measured := MeasureStep(s.Intervals, s.End.Add(time.Hour), s.End.Add(2*time.Hour), nil); measured || st.CPU != -1 || st.PoolUtilization != -1 {
		t.Errorf("a step past the run: %v, %+v", measured, st)
	}
	if st, _ := MeasureStep(s.Intervals, from, to, nil); st.CPU != -1 || st.PoolUtilization != -1 {
		t.Errorf("without a probe: %+v", st)
	}
}
