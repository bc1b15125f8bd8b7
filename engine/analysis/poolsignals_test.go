package analysis

import (
	"strings"
	"testing"
	"time"

	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/engine/internal/synth"
	"github.com/soaklab/soak/probe"
)

// leakedPool is a pool of max 20 that a leak holds 20/20 from 30 s into
// the load to the end of the drain: 44 acquires wait and get a connection
// in [30, 40) s, then every acquire waits until its request's 5 s timeout
// (pgxpool counts those as canceled, never as empty). With waiting, the
// tracer's gauge of acquires waiting is reported too.
func leakedPool(waiting bool) synth.SampleFunc {
	return func(t float64, ph capture.Phase) *probe.Snapshot {
		s := synth.Snap(5e6, uint64(10+max(t, 0)), 50, synth.RequestsAt(t))
		ps := probe.PoolSnapshot{Name: "db", MaxConns: 20, TotalConns: 20, AcquiredConns: 3,
			AcquireCount: int64(min(max(t, 0), 40) * 50)}
		if ph == capture.PhaseBaseline {
			ps.TotalConns, ps.AcquiredConns = 2, 0
		}
		ps.EmptyAcquireCount = int64(min(max(t-30, 0), 10) * 4.4)
		ps.EmptyAcquireWaitSeconds = float64(ps.EmptyAcquireCount) * 0.05
		ps.CanceledAcquireCount = int64(max(t-40, 0) * 16.7)
		if t >= 30 {
			ps.AcquiredConns = 20
			if waiting {
				ps.WaitingAcquires = 80
			}
		}
		s.Pools = []probe.PoolSnapshot{ps}
		return s
	}
}

// timeoutsAfter is 100 requests a second at 13 ms, which from from
// seconds into the load wait 5,005 ms and 1 in 5 fails.
func timeoutsAfter(from float64) synth.IntervalFunc {
	return func(t float64) (int64, int64, int64, int64) {
		if t >= from {
			return 100, 20, 0, 5_005_000
		}
		return 100, 0, 0, 13_000
	}
}

func TestPoolExhaustedByCanceledAcquires(t *testing.T) {
	s := synth.New()
	s.AddSamples(leakedPool(false))
	s.AddIntervals(timeoutsAfter(40))
	res := analyze(s)
	f := res.Find(DetectorPoolExhaustion, "svc")
	if f.Verdict != VerdictDetected {
		t.Fatalf("%s", describeFinding(f))
	}
	p := f.Pools[0]
	// The split: the intervals the leak held with acquires timing out are
	// the exhausted ones, and the client's 5 s waits are in them.
	if p.P95Exhausted < 4*time.Second || p.P95Other > 20*time.Millisecond || p.FailExhausted < 0.15 || p.FailOther != 0 {
		t.Errorf("split: p95 %v exhausted, %v other; failed %v exhausted, %v other", p.P95Exhausted, p.P95Other, p.FailExhausted, p.FailOther)
	}
	if p.CanceledAcquires < 4000 || p.Exhausted < 250*time.Second || p.PeakAcquired != 20 || p.AtMax < 250*time.Second {
		t.Errorf("figures: canceled %d, exhausted %v, peak %d, at max %v", p.CanceledAcquires, p.Exhausted, p.PeakAcquired, p.AtMax)
	}
	if f.Confidence < 0.9 || !strings.Contains(f.Summary, "gave up") || strings.Contains(f.Summary, "bursts") {
		t.Errorf("confidence %v, summary %q", f.Confidence, f.Summary)
	}
	if !strings.Contains(f.NextStep, "connection leak") {
		t.Errorf("next step for a pool a leak holds: %q", f.NextStep)
	}
	row := res.System[0]
	if row.Metric != "Connection Pool" || row.Status != StatusFail || !strings.HasPrefix(row.Actual, "100% peak (20 of 20") {
		t.Errorf("Connection Pool row = %+v", row)
	}
}

// TestPoolHeldAtMaxWaiting: a pool of 4 held 4/4 whose acquires wait
// without a deadline: neither pgxpool counter moves, the tracer's gauge of
// acquires waiting is the signal.
func TestPoolHeldAtMaxWaiting(t *testing.T) {
	s := synth.New()
	s.AddSamples(func(t float64, ph capture.Phase) *probe.Snapshot {
		sn := synth.Snap(5e6, uint64(10+max(t, 0)), 50, synth.RequestsAt(t))
		ps := probe.PoolSnapshot{Name: "db", MaxConns: 4, TotalConns: 4, AcquiredConns: 4, WaitingAcquires: 30, AcquireCount: 500}
		if ph == capture.PhaseBaseline {
			ps.AcquiredConns, ps.WaitingAcquires = 0, 0
		}
		sn.Pools = []probe.PoolSnapshot{ps}
		return sn
	})
	s.AddIntervals(timeoutsAfter(0))
	f := analyze(s).Find(DetectorPoolExhaustion, "svc")
	if f.Verdict != VerdictDetected || strings.Contains(f.Summary, "no acquire waited") {
		t.Fatalf("%s", describeFinding(f))
	}
	if p := f.Pools[0]; p.PeakWaiting != 30 || p.PeakAcquired != 4 {
		t.Errorf("figures %+v", p)
	}
}

// TestPoolBusyAtMaxIsNotExhausted: every connection acquired at every
// sample, but no acquire ever waited: busy, not exhausted.
func TestPoolBusyAtMaxIsNotExhausted(t *testing.T) {
	s := synth.New()
	s.AddSamples(func(t float64, ph capture.Phase) *probe.Snapshot {
		sn := synth.Snap(5e6, uint64(10+max(t, 0)), 50, synth.RequestsAt(t))
		sn.Pools = []probe.PoolSnapshot{{Name: "db", MaxConns: 4, TotalConns: 4, AcquiredConns: 4, AcquireCount: int64(max(t, 0) * 50)}}
		return sn
	})
	s.AddIntervals(synth.SteadyLoad)
	f := analyze(s).Find(DetectorPoolExhaustion, "svc")
	if f.Verdict != VerdictOK || !strings.Contains(f.Summary, "busy, not exhausted") {
		t.Fatalf("%s", describeFinding(f))
	}
}

// starvedPool is a pool of max 4 that the samples see at 3 acquired, but
// whose acquires wait at its max in a third of every minute; its hold
// profile has (*Stories).Read on GET /stories/:id holding each connection
// 15.8 ms for 0.8 ms of statements, (*Users).Get releasing right after
// its statement, and a readiness ping holding 5 ms without a statement
// once every 2 s.
func starvedPool(t float64, ph capture.Phase) *probe.Snapshot {
	s := synth.Snap(5e6, uint64(10+max(t, 0)), 50, synth.RequestsAt(t))
	t = min(t, 300) // no acquire in the drain
	n := max(t, 0) * 100
	ps := probe.PoolSnapshot{Name: "db", MaxConns: 4, TotalConns: 4, AcquiredConns: 3, AcquireCount: int64(n)}
	if ph == capture.PhaseBaseline || ph == capture.PhaseDrain {
		ps.AcquiredConns = 0
	}
	// Waits in [0, 20) s of every minute.
	waited := float64(int(max(t, 0))/60*20) + min(float64(int(max(t, 0))%60), 20)
	ps.EmptyAcquireCount, ps.EmptyAcquireWaitSeconds = int64(waited*10), waited*0.2
	ps.AcquireSeconds = n * 0.002 // 2 ms per acquire, pgxpool's AcquireDuration
	reads, gets := uint64(n*0.7), uint64(n*0.3)
	ps.Holders = []probe.HolderSnapshot{
		{Function: "example.com/svc.(*Stories).Read", File: "/src/svc/stories.go", Line: 42, Method: "GET", Route: "/stories/:id",
			Releases: reads, HeldMicros: int64(reads) * 15_800, BusyMicros: int64(reads) * 800, MaxHeldMicros: 40_000},
		{Function: "example.com/svc.(*Users).Get", File: "/src/svc/users.go", Line: 7, Method: "GET", Route: "/users/:id",
			Releases: gets, HeldMicros: int64(gets) * 900, BusyMicros: int64(gets) * 800, MaxHeldMicros: 3_000},
		// A readiness probe's ping: no traced statement, 5 ms held, rarely.
		{Function: "example.com/svc.(*Store).ready", File: "/src/svc/store.go", Line: 3, Method: "GET", Route: "/health/ready",
			Releases: uint64(max(t, 0) / 2), HeldMicros: int64(max(t, 0)/2) * 5_000, MaxHeldMicros: 9_000},
	}
	s.Pools = []probe.PoolSnapshot{ps}
	return s
}

func TestPoolStarvedNamesTheHolder(t *testing.T) {
	s := synth.New()
	s.AddSamples(starvedPool)
	s.AddIntervals(synth.SteadyLoad)
	res := analyze(s)
	f := res.Find(DetectorPoolExhaustion, "svc")
	if f.Verdict != VerdictDetected && f.Verdict != VerdictWarning {
		t.Fatalf("%s", describeFinding(f))
	}
	if len(f.Suspects) == 0 || f.Suspects[0].Function != "example.com/svc.(*Stories).Read" || len(f.Suspects[0].Routes) != 1 ||
		f.Suspects[0].Routes[0].Route != "/stories/:id" {
		t.Fatalf("suspects %+v", f.Suspects)
	}
	for _, sp := range f.Suspects {
		if strings.Contains(sp.Function, "Users") || strings.Contains(sp.Function, "ready") {
			t.Errorf("a holder releasing right after its statement, or holding a negligible share of the pool, is a suspect: %+v", sp)
		}
	}
	if !strings.Contains(f.Summary, "(*Stories).Read on GET /stories/:id") || !strings.Contains(f.Summary, "cleared") || !strings.Contains(f.NextStep, "(*Stories).Read") {
		t.Errorf("summary %q, next %q", f.Summary, f.NextStep)
	}
	p := f.Pools[0]
	if !p.HoldMeasured || p.HoldTime < 11*time.Millisecond || p.QueryTime > time.Millisecond {
		t.Errorf("hold %v, statements %v per acquire (measured %v)", p.HoldTime, p.QueryTime, p.HoldMeasured)
	}
	if p.WaitPerAcquire < 1900*time.Microsecond || p.WaitPerAcquire > 2100*time.Microsecond {
		t.Errorf("acquire time %v per acquire, want pgxpool's 2 ms", p.WaitPerAcquire)
	}
	// The rows agree with the finding: the pool reached its max.
	if p.PeakAcquired != 4 || p.AtMax == 0 {
		t.Errorf("peak %d, at max %v", p.PeakAcquired, p.AtMax)
	}
	row := res.System[0]
	if row.Status != StatusFail || !strings.HasPrefix(row.Actual, "100% peak (4 of 4") || !strings.Contains(row.Actual, "at its max") {
		t.Errorf("Connection Pool row = %+v", row)
	}
	c := res.Find(DetectorConnectionLeak, "svc")
	if c.Connections == nil || c.Connections.Pools[0].SteadyPeak != 4 {
		t.Errorf("connection-leak pool figures %+v", c.Connections)
	}
}

// TestRowsLeakCountedOnce: 20 connections held by rows never closed, as
// the probe lists them (one entry per connection, with the statement),
// are 20 connections, held by rows never closed in the function.
func TestRowsLeakCountedOnce(t *testing.T) {
	s := synth.New()
	s.AddSamples(connSeries(20))
	s.AddIntervals(synth.SteadyLoad)
	since := s.Start.Add(40 * time.Second)
	drainEnd := s.Capture.Timing[3].End
	s.Capture.Leaks = append(s.Capture.Leaks, capture.LeakCapture{Source: "svc", Moment: capture.MomentDrainEnd, Time: drainEnd, Report: &probe.LeakReport{
		Time: drainEnd,
		Groups: []probe.LeakGroup{{Kind: probe.LeakPGXConn, Source: "db", SQL: "SELECT * FROM stories WHERE id = ?", Count: 20, OldestSince: since,
			OldestSeconds: drainEnd.Sub(since).Seconds(), NewestSeconds: 100,
			Function: "example.com/svc.(*Stories).List",
			Stack:    []probe.Frame{{Function: "example.com/svc.(*Stories).List", File: "/src/svc/stories.go", Line: 9}},
			Holders:  []probe.LeakHolder{{Since: since}}}},
	}})
	f := analyze(s).Find(DetectorConnectionLeak, "svc")
	if f.Verdict != VerdictDetected {
		t.Fatalf("%s", describeFinding(f))
	}
	if !strings.HasPrefix(f.Summary, "20 connections are still held") || !strings.Contains(f.Summary, "20 of them held by rows never closed in example.com/svc.(*Stories).List") {
		t.Errorf("summary %q", f.Summary)
	}
	if f.Connections.HeldAfterDrain != 20 {
		t.Errorf("held after drain %d, want 20", f.Connections.HeldAfterDrain)
	}
}

// TestRowsLeakCountedOnceFromAnOldProbe: a probe before the fix listed
// each connection held by open rows twice, as a pgx-conn and a pgx-query
// group of the same function: they are 20 connections, not 40.
func TestRowsLeakCountedOnceFromAnOldProbe(t *testing.T) {
	s := synth.New()
	s.AddSamples(connSeries(20))
	s.AddIntervals(synth.SteadyLoad)
	since := s.Start.Add(40 * time.Second)
	drainEnd := s.Capture.Timing[3].End
	group := func(kind, sql string) probe.LeakGroup {
		return probe.LeakGroup{Kind: kind, Source: "db", SQL: sql, Count: 20, OldestSince: since,
			OldestSeconds: drainEnd.Sub(since).Seconds(), NewestSeconds: 100,
			Function: "example.com/svc.(*Stories).List",
			Stack:    []probe.Frame{{Function: "example.com/svc.(*Stories).List", File: "/src/svc/stories.go", Line: 9}},
			Holders:  []probe.LeakHolder{{Since: since}}}
	}
	s.Capture.Leaks = append(s.Capture.Leaks, capture.LeakCapture{Source: "svc", Moment: capture.MomentDrainEnd, Time: drainEnd, Report: &probe.LeakReport{
		Time: drainEnd, Groups: []probe.LeakGroup{group(probe.LeakPGXConn, ""), group(probe.LeakPGXQuery, "SELECT * FROM stories")}}})
	f := analyze(s).Find(DetectorConnectionLeak, "svc")
	if f.Connections.HeldAfterDrain != 20 || len(f.Suspects) != 1 || !strings.Contains(f.Summary, "20 of them held by rows never closed") {
		t.Errorf("held %d, suspects %+v, summary %q", f.Connections.HeldAfterDrain, f.Suspects, f.Summary)
	}
}

// TestConnectionSuspectsShownAlikeMerged: two acquiring stacks that differ
// only below the shown frame (one function reached from two callers) are
// one suspect line, their connections summed.
func TestConnectionSuspectsShownAlikeMerged(t *testing.T) {
	s := synth.New()
	s.AddSamples(connSeries(12))
	s.AddIntervals(synth.SteadyLoad)
	since := s.Start.Add(40 * time.Second)
	drainEnd := s.Capture.Timing[3].End
	group := func(n int, caller string) probe.LeakGroup {
		return probe.LeakGroup{Kind: probe.LeakPGXConn, Source: "db", Count: n, OldestSince: since,
			OldestSeconds: drainEnd.Sub(since).Seconds(), NewestSeconds: 100,
			Function: "example.com/svc.(*Shelves).Load",
			Stack: []probe.Frame{{Function: "example.com/svc.(*Shelves).Load", File: "/src/svc/shelves.go", Line: 21},
				{Function: caller, File: "/src/svc/handlers.go", Line: 5}},
			Holders: []probe.LeakHolder{{Since: since}}}
	}
	s.Capture.Leaks = append(s.Capture.Leaks, capture.LeakCapture{Source: "svc", Moment: capture.MomentDrainEnd, Time: drainEnd,
		Report: &probe.LeakReport{Time: drainEnd, Groups: []probe.LeakGroup{group(7, "example.com/svc.list"), group(5, "example.com/svc.show")}}})
	f := analyze(s).Find(DetectorConnectionLeak, "svc")
	if f.Verdict != VerdictDetected || len(f.Suspects) != 1 || f.Suspects[0].Value != 12 || f.Connections.HeldAfterDrain != 12 {
		t.Fatalf("%d suspects, held %d:\n%s", len(f.Suspects), f.Connections.HeldAfterDrain, describeFinding(f))
	}
}

// smallPool is a pool of max 2 at 100 acquires/s whose connections are
// held 7 ms, all of it statements (26 % mean utilisation: one acquired at
// some samples, both at others), and whose acquires wait at its max in
// every poll interval: 10 a second, wait each.
func smallPool(wait float64) synth.SampleFunc {
	return func(t float64, ph capture.Phase) *probe.Snapshot {
		s := synth.Snap(5e6, uint64(10+max(t, 0)), 50, synth.RequestsAt(t))
		t = min(t, 300)
		n := max(t, 0) * 100
		ps := probe.PoolSnapshot{Name: "db", MaxConns: 2, TotalConns: 2, AcquiredConns: int32(1 + int(max(t, 0))%2), AcquireCount: int64(n)}
		if ph == capture.PhaseBaseline || ph == capture.PhaseDrain {
			ps.AcquiredConns = 0
		}
		waits := max(t, 0) * 10
		ps.EmptyAcquireCount, ps.EmptyAcquireWaitSeconds = int64(waits), waits*wait
		ps.AcquireSeconds = waits * wait
		ps.Holders = []probe.HolderSnapshot{{Function: "example.com/svc.(*Search).Count", File: "/src/svc/search.go", Line: 12,
			Method: "GET", Route: "/search", Releases: uint64(n), HeldMicros: int64(n) * 7_000, BusyMicros: int64(n) * 6_900}}
		s.Pools = []probe.PoolSnapshot{ps}
		return s
	}
}

// A pool small for its load (pgxpool's default of max(4, cores), or
// smaller) is at its max with an acquire waiting in nearly every poll
// interval, though it is mostly idle: when its waits are brief (4 ms,
// under a quarter of the 7 ms hold; 0.04 acquires waiting at a time) and
// the client is not hurt, it is a warning, a pool small for the load,
// not exhaustion. Waits as long as the holds (40 ms), or the client
// over its p95 target, are exhaustion. (An unseen service, pool of 2 at
// 26 % mean utilisation, p95 12 ms, read "detected: exhausted 98.7 % of
// the steady state".)
func TestPoolSmallButBrief(t *testing.T) {
	for _, c := range []struct {
		name string
		wait float64 // seconds each waiting acquire waited
		p95  time.Duration
		want Verdict
	}{
		{"brief waits", 0.004, 0, VerdictWarning},
		{"waits as long as the holds", 0.04, 0, VerdictDetected},
		{"brief waits, the client over its target", 0.004, time.Millisecond, VerdictDetected},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := synth.New()
			s.AddSamples(smallPool(c.wait))
			s.AddIntervals(synth.SteadyLoad)
			th := DefaultThresholds()
			if c.p95 > 0 {
				th.P95 = c.p95
			}
			res, err := Analyze(s.Engine(), s.Capture, th)
			if err != nil {
				t.Fatal(err)
			}
			f := res.Find(DetectorPoolExhaustion, "svc")
			if f.Verdict != c.want {
				t.Fatalf("verdict %s, want %s\n%s", f.Verdict, c.want, describeFinding(f))
			}
			if p := f.Pools[0]; p.ExhaustedShare < 0.9 {
				t.Fatalf("exhausted %.0f%% of the steady state: not the case this test is about", 100*p.ExhaustedShare)
			}
			if c.want == VerdictWarning && (!strings.Contains(f.Summary, "a pool small for the load, not exhausted") || !strings.Contains(f.Summary, "cleared") ||
				!strings.Contains(f.NextStep, "Little's law")) {
				t.Errorf("summary %q, next %q", f.Summary, f.NextStep)
			}
		})
	}
}
