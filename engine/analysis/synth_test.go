package analysis

import (
	"context"
	"time"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/probe"
)

// synth builds a run without running anything: engine intervals and probe
// samples on one clock, for detector tests on known series.
type synth struct {
	t0                     time.Time
	baseline, warm, steady time.Duration
	drain                  time.Duration
	every                  time.Duration // poll interval
	c                      *Capture
	ivs                    []*engine.Interval
	start, end             time.Time // the load's
}

func newSynth() *synth {
	t0 := time.Date(2026, 11, 28, 6, 0, 0, 0, time.UTC)
	s := &synth{t0: t0, baseline: 6 * time.Second, warm: 20 * time.Second, steady: 300 * time.Second,
		drain: 6 * time.Second, every: 2 * time.Second, c: &Capture{Config: &CaptureConfig{PollInterval: 2 * time.Second}}}
	b, w, st := t0.Add(s.baseline), t0.Add(s.baseline+s.warm), t0.Add(s.baseline+s.warm+s.steady)
	s.c.Timing = Timing{{PhaseBaseline, t0, b}, {PhaseWarmup, b, w}, {PhaseSteady, w, st}, {PhaseDrain, st, st.Add(s.drain)}}
	s.start, s.end = b, st
	return s
}

// loadStart and loadEnd bound the engine's run.
func (s *synth) loadStart() time.Time { return s.start }
func (s *synth) loadEnd() time.Time   { return s.end }

// sampleFn returns the snapshot at time t (seconds since the load
// started; negative in the baseline) in phase ph.
type sampleFn func(t float64, ph Phase) *probe.Snapshot

// samples adds one sample per poll interval from the baseline to the
// drain's end, named "svc".
func (s *synth) samples(fn sampleFn) {
	var seq uint64
	for _, sp := range s.c.Timing {
		for tm := sp.Start; tm.Before(sp.End); tm = tm.Add(s.every) {
			seq++
			snap := fn(tm.Sub(s.loadStart()).Seconds(), sp.Phase)
			snap.Seq, snap.Time = seq, tm
			s.c.Timeline.Add(&Sample{Source: "svc", Time: tm, Phase: sp.Phase, Snapshot: snap})
		}
		if sp.Phase == PhaseDrain { // the last sample, at the drain's end
			snap := fn(sp.End.Sub(s.loadStart()).Seconds(), sp.Phase)
			s.c.Timeline.Add(&Sample{Source: "svc", Time: sp.End, Phase: sp.Phase, Snapshot: snap})
		}
	}
}

// intervalFn returns the requests, failures, 429s and latency (µs) of
// the one-second interval starting t seconds after the load started.
type intervalFn func(t float64) (req, fail, limited int64, us int64)

// intervals adds one-second engine intervals over the load.
func (s *synth) intervals(fn intervalFn) {
	for i, tm := 0, s.loadStart(); tm.Before(s.loadEnd()); i, tm = i+1, tm.Add(time.Second) {
		req, fail, lim, us := fn(tm.Sub(s.loadStart()).Seconds())
		st := engine.Stat{Method: "GET", Name: "/x", Requests: req, RateLimited: lim, Latency: &engine.Histogram{}}
		st.Kinds[engine.KindStatus5xx] = fail
		for range req {
			st.Latency.Record(us)
			st.SumMicros += us
		}
		st.MinMicros, st.MaxMicros = us, us
		iv := &engine.Interval{Seq: i, Span: 1, Start: tm, End: tm.Add(time.Second), Users: 10, MaxUsers: 10,
			Classes: map[string]int{"Reader": 10}}
		if req > 0 {
			iv.Stats = []engine.Stat{st}
		}
		s.ivs = append(s.ivs, iv)
	}
}

// analyze runs Analyze over the synthetic run with the seed's targets.
func (s *synth) analyze() *Result {
	info := engine.RunInfo{RunID: "synth", Host: "http://127.0.0.1:1", Model: "closed", Start: s.loadStart(),
		Interval: time.Second, Duration: s.loadEnd().Sub(s.loadStart()), Users: 10,
		Classes: []engine.ClassInfo{{Name: "Reader", Weight: 1, Tasks: 1}}}
	res := engine.NewResult(info, s.ivs, 0)
	r, err := Analyze(res, s.c, DefaultThresholds())
	if err != nil {
		panic(err)
	}
	return r
}

// snap is a snapshot with a live heap, GC count, goroutines and HTTP
// counters.
func snap(heap uint64, gc uint64, goroutines int64, requests uint64) *probe.Snapshot {
	s := &probe.Snapshot{InstanceID: "svc"}
	s.Runtime.LiveHeapBytes, s.Runtime.GCCycles, s.Runtime.Goroutines = heap, gc, goroutines
	s.Runtime.GoVersion, s.Runtime.GOMAXPROCS = "go1.26.8", 2
	s.HTTP.Routes = []probe.RouteSnapshot{{Method: "GET", Route: "/x", Requests: requests,
		Latency: probe.Histogram{Count: int64(requests), SumMicros: int64(requests) * 2000}}}
	return s
}

// steadyLoad is 100 requests per second at 2 ms, no failure.
func steadyLoad(float64) (int64, int64, int64, int64) { return 100, 0, 0, 2000 }

// requestsAt is the cumulative server-side request count at t.
func requestsAt(t float64) uint64 { return uint64(max(t, 0) * 100) }

var t0ctx = context.Background()
