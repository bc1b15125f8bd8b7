package report

import (
	"strings"
	"testing"

	"github.com/soaklab/soak/engine/analysis"
	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/engine/internal/synth"
	"github.com/soaklab/soak/probe"
)

// TestPoolRowsAgreeWithExhaustion: a pool of 4 that every sample sees at
// 3 acquired, whose acquires wait at its max in [100, 250) s: the seed's
// Connection Pool row, Peak Pool Size and Pool Exhaustion Events all say
// it reached its max.
func TestPoolRowsAgreeWithExhaustion(t *testing.T) {
	s := synth.New()
	s.AddSamples(func(t float64, ph capture.Phase) *probe.Snapshot {
		sn := synth.Snap(5e6, uint64(10+max(t, 0)), 50, synth.RequestsAt(t))
		ps := probe.PoolSnapshot{Name: "db", MaxConns: 4, TotalConns: 4, AcquiredConns: 3, AcquireCount: int64(max(t, 0) * 50)}
		if ph == capture.PhaseBaseline || ph == capture.PhaseDrain {
			ps.AcquiredConns = 0
		}
		waited := min(max(t-100, 0), 150)
		ps.EmptyAcquireCount, ps.EmptyAcquireWaitSeconds = int64(waited*20), waited*0.5
		sn.Pools = []probe.PoolSnapshot{ps}
		return sn
	})
	s.AddIntervals(synth.SlowWhile(100, 250))
	res := analyze(s)
	var row *analysis.Target
	for i := range res.System {
		if res.System[i].Metric == "Connection Pool" {
			row = &res.System[i]
		}
	}
	if row == nil || row.Status != analysis.StatusFail || !strings.HasPrefix(row.Actual, "100% peak (4 of 4") {
		t.Errorf("Connection Pool row %+v", row)
	}
	kv := map[string]string{}
	for _, p := range poolStability(res) {
		kv[p.Key] = p.Value
	}
	if v := kv["Peak Pool Size"]; !strings.HasPrefix(v, "4 of 4 acquired at a sample (100%), at its max 2 min") {
		t.Errorf("Peak Pool Size %q", v)
	}
	if v := kv["Pool Exhaustion Events"]; !strings.HasPrefix(v, "❌ 1 exhaustion event: ") {
		t.Errorf("Pool Exhaustion Events %q", v)
	}
}

// TestPeakPoolSizeHeldAtOnce: a pool of 10 whose samples see 1 acquired,
// while the tracer counted acquires that made 4 held at once: Peak Pool
// Size gives the 4 beside the sample's 1, and Initial Pool Size the
// connections open at baseline.
func TestPeakPoolSizeHeldAtOnce(t *testing.T) {
	s := synth.New()
	s.AddSamples(func(t float64, ph capture.Phase) *probe.Snapshot {
		sn := synth.Snap(5e6, uint64(10+max(t, 0)), 50, synth.RequestsAt(t))
		n := uint64(max(t, 0))
		ps := probe.PoolSnapshot{Name: "db", MaxConns: 10, TotalConns: 2, AcquiredConns: 1, AcquireCount: int64(n * 50),
			HeldAtAcquire: []uint64{0, n * 40, n * 9, n / 10, n / 100}}
		if ph == capture.PhaseBaseline {
			ps.AcquiredConns, ps.HeldAtAcquire = 0, nil
		}
		sn.Pools = []probe.PoolSnapshot{ps}
		return sn
	})
	res := analyze(s)
	kv := map[string]string{}
	for _, p := range poolStability(res) {
		kv[p.Key] = p.Value
	}
	if v, want := kv["Peak Pool Size"], "4 of 10 held at once (40.0%; the tracer counts at every acquire), 1 at a sample; 2 open at most"; v != want {
		t.Errorf("Peak Pool Size %q, want %q", v, want)
	}
	if v, want := kv["Initial Pool Size"], "0 of 10 connections acquired at baseline, 2 open (pool db)"; v != want {
		t.Errorf("Initial Pool Size %q, want %q", v, want)
	}
}
