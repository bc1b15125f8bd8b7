package synth

import (
	"cmp"
	"time"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/probe"
)

// Source is the name of the one probe source AddSamples fills.
const Source = "svc"

// Run is a synthetic run: its phases, the probe samples of one source
// (Capture) and the engine's one-second intervals over the load.
type Run struct {
	T0                     time.Time     // the baseline's start
	Baseline, Warm, Steady time.Duration // the phases' lengths
	Drain                  time.Duration
	Every                  time.Duration // the poll interval
	Capture                *capture.Capture
	Intervals              []*engine.Interval
	Start, End             time.Time // the load's: the warm-up's start and the steady state's end
}

// New returns a run of 6 s of baseline, 20 s of warm-up, 300 s of steady
// state and 6 s of drain from 2026-11-28 06:00 UTC, polled every 2 s,
// with no sample and no interval yet.
func New() *Run {
	r := &Run{T0: time.Date(2026, 11, 28, 6, 0, 0, 0, time.UTC), Baseline: 6 * time.Second, Warm: 20 * time.Second,
		Drain: 6 * time.Second, Every: 2 * time.Second,
		Capture: &capture.Capture{Config: &capture.CaptureConfig{PollInterval: 2 * time.Second}}}
	r.SetPhases(20*time.Second, 300*time.Second)
	return r
}

// SetPhases sets the warm-up's and the steady state's lengths and the
// timing that follows from them. Call it before adding samples.
func (r *Run) SetPhases(warm, steady time.Duration) {
	r.Warm, r.Steady = warm, steady
	b, w := r.T0.Add(r.Baseline), r.T0.Add(r.Baseline+r.Warm)
	st := w.Add(r.Steady)
	r.Capture.Timing = capture.Timing{
		{Phase: capture.PhaseBaseline, Start: r.T0, End: b}, {Phase: capture.PhaseWarmup, Start: b, End: w},
		{Phase: capture.PhaseSteady, Start: w, End: st}, {Phase: capture.PhaseDrain, Start: st, End: st.Add(r.Drain)},
	}
	r.Start, r.End = b, st
}

// SampleFunc returns the snapshot at t seconds after the load started
// (negative in the baseline), in phase ph.
type SampleFunc func(t float64, ph capture.Phase) *probe.Snapshot

// AddSamples adds one sample of [Source] per poll interval from the
// baseline's start to the drain's end, and one at the drain's end.
func (r *Run) AddSamples(fn SampleFunc) {
	var seq uint64
	for _, sp := range r.Capture.Timing {
		for tm := sp.Start; tm.Before(sp.End); tm = tm.Add(r.Every) {
			seq++
			snap := fn(tm.Sub(r.Start).Seconds(), sp.Phase)
			snap.Seq, snap.Time = seq, tm
			r.Capture.Timeline.Add(&capture.Sample{Source: Source, Time: tm, Phase: sp.Phase, Snapshot: snap})
		}
		if sp.Phase == capture.PhaseDrain {
			snap := fn(sp.End.Sub(r.Start).Seconds(), sp.Phase)
			seq++
			snap.Seq, snap.Time = seq, sp.End
			r.Capture.Timeline.Add(&capture.Sample{Source: Source, Time: sp.End, Phase: sp.Phase, Snapshot: snap})
		}
	}
}

// IntervalFunc returns the requests, failures, 429s and latency (µs, the
// same for every request) of the one-second interval starting t seconds
// after the load started.
type IntervalFunc func(t float64) (req, fail, limited int64, us int64)

// AddIntervals adds one-second engine intervals over the load, of 10
// users of class "Reader" requesting GET /x.
func (r *Run) AddIntervals(fn IntervalFunc) {
	for i, tm := 0, r.Start; tm.Before(r.End); i, tm = i+1, tm.Add(time.Second) {
		req, fail, lim, us := fn(tm.Sub(r.Start).Seconds())
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
		r.Intervals = append(r.Intervals, iv)
	}
}

// LatencyFunc returns the latency (µs) of one request to route in the
// one-second interval starting t seconds after the load started.
type LatencyFunc func(t float64, route string) int64

// AddRoutes adds one-second engine intervals over the load, of 10 users
// of class "Reader" sending perSecond requests a second to each route
// (GET), each as slow as lat says: no failure.
func (r *Run) AddRoutes(perSecond int64, routes []string, lat LatencyFunc) {
	for i, tm := 0, r.Start; tm.Before(r.End); i, tm = i+1, tm.Add(time.Second) {
		iv := &engine.Interval{Seq: i, Span: 1, Start: tm, End: tm.Add(time.Second), Users: 10, MaxUsers: 10,
			Classes: map[string]int{"Reader": 10}}
		for _, route := range routes {
			st := engine.Stat{Method: "GET", Name: route, Requests: perSecond, Latency: &engine.Histogram{}}
			for range perSecond {
				us := lat(tm.Sub(r.Start).Seconds(), route)
				st.Latency.Record(us)
				st.SumMicros += us
				st.MinMicros, st.MaxMicros = min(cmp.Or(st.MinMicros, us), us), max(st.MaxMicros, us)
			}
			iv.Stats = append(iv.Stats, st)
		}
		r.Intervals = append(r.Intervals, iv)
	}
}

// Engine returns the engine's result of the run: its intervals, a closed
// model of 10 users of class "Reader" against http://127.0.0.1:1.
func (r *Run) Engine() *engine.Result {
	info := engine.RunInfo{RunID: "synth", Host: "http://127.0.0.1:1", Model: "closed", Start: r.Start,
		Interval: time.Second, Duration: r.End.Sub(r.Start), Users: 10,
		Classes: []engine.ClassInfo{{Name: "Reader", Weight: 1, Tasks: 1}}}
	return engine.NewResult(info, r.Intervals, 0)
}

// Snap is a snapshot of [Source] with a live heap (bytes), a GC count,
// goroutines and cumulative requests of GET /x at 2 ms each.
func Snap(heap uint64, gc uint64, goroutines int64, requests uint64) *probe.Snapshot {
	s := &probe.Snapshot{InstanceID: Source}
	s.Runtime.LiveHeapBytes, s.Runtime.GCCycles, s.Runtime.Goroutines = heap, gc, goroutines
	s.Runtime.GoVersion, s.Runtime.GOMAXPROCS = "go1.26.8", 2
	s.HTTP.Routes = []probe.RouteSnapshot{{Method: "GET", Route: "/x", Requests: requests,
		Latency: probe.Histogram{Count: int64(requests), SumMicros: int64(requests) * 2000}}}
	return s
}

// SteadyLoad is an IntervalFunc of 100 requests per second at 2 ms, no
// failure.
func SteadyLoad(float64) (req, fail, limited, us int64) { return 100, 0, 0, 2000 }

// RequestsAt is the cumulative server-side request count at t seconds
// after the load started, at 100 per second.
func RequestsAt(t float64) uint64 { return uint64(max(t, 0) * 100) }
