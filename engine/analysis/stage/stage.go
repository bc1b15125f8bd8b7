package stage

import (
	"fmt"
	"slices"
	"time"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/capture"
)

// Boundary is where the load changed: from At the users (closed model)
// or the arrival rate (open model) move to Users or Rate.
type Boundary struct {
	At    time.Time
	Users int
	Rate  float64
	// Cause says what made it: "planned stage 3", "users changed to 200".
	Cause string
}

// Load writes the boundary's load: "200 users", "50/s".
func (b Boundary) Load() string {
	if b.Rate > 0 {
		return fmt.Sprintf("%g/s", b.Rate)
	}
	if b.Users == 1 {
		return "1 user"
	}
	return fmt.Sprintf("%d users", b.Users)
}

// Limits are what the split and the checks need from the run and its
// targets. A zero P95 or ErrorRate turns that check off.
type Limits struct {
	// Settle is left out after each boundary inside the steady state,
	// beyond the users' ramp at SpawnRate (users/s; 0 = at once).
	Settle    time.Duration
	SpawnRate float64
	// MinLeakSpan is the shortest judged span, and MinPoints the fewest
	// samples in it, on which a heap or goroutine trend is judged.
	MinLeakSpan time.Duration
	MinPoints   int
	// P95 and ErrorRate are the run's targets (analysis.Thresholds).
	P95       time.Duration
	ErrorRate float64
	// HeapBar (bytes/s) and GoroutineBar (goroutines/s, beyond the
	// requests in flight) are the slopes the whole run's leak detectors
	// call material; a stage's trend above its bar "grows".
	HeapBar, GoroutineBar float64
	// ExhaustedShare is the share of a stage's judged span a pool must
	// spend exhausted (engine/analysis/poolwait) for the stage to be
	// called exhausted.
	ExhaustedShare float64
}

// Input is what [Split] splits.
type Input struct {
	Intervals []*engine.Interval        // the run's, in time order
	Steady    capture.Span              // the span split into stages
	Initial   Boundary                  // the load when no boundary precedes the steady state (the plan's)
	Bounds    []Boundary                // planned stages and changes, any order
	Sources   []*capture.SourceTimeline // the probe sources that answered
	Limits    Limits
}

// Stage is one load level of the steady state, measured and judged.
// Durations marshal in nanoseconds (_ns), latencies too.
type Stage struct {
	N     int     `json:"n"`     // from 1
	Cause string  `json:"cause"` // what began it: "steady state", "users changed to 200", "planned stage 2"
	Users int     `json:"users,omitempty"`
	Rate  float64 `json:"rate,omitempty"`

	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	// Settle is left out after Start; Judged is the rest (End - Start -
	// Settle, at least 0), over which every figure below is measured.
	Settle time.Duration `json:"settle_ns"`
	Judged time.Duration `json:"judged_ns"`

	RunningUsers int           `json:"running_users"` // most users (or open-model workers) running at an interval's end
	Requests     int64         `json:"requests"`
	Failures     int64         `json:"failures"`
	RateLimited  int64         `json:"rate_limited"`
	RPS          float64       `json:"rps"`
	ErrorRate    float64       `json:"error_rate"` // failures / requests
	P50          time.Duration `json:"p50_ns"`
	P95          time.Duration `json:"p95_ns"`
	P99          time.Duration `json:"p99_ns"`

	Servers []Server `json:"servers,omitempty"`
	Checks  []Check  `json:"checks"`
}

// Name is "stage 2 (200 users)".
func (s *Stage) Name() string {
	return fmt.Sprintf("stage %d (%s)", s.N, Boundary{Users: s.Users, Rate: s.Rate}.Load())
}

// Split returns the stages of in.Steady, in time order, measured and
// judged; nil when no boundary falls inside the steady state (one load
// level: the whole-run analysis says it all).
func Split(in Input) []Stage {
	sp := in.Steady
	bs := slices.Clone(in.Bounds)
	slices.SortStableFunc(bs, func(a, b Boundary) int { return a.At.Compare(b.At) })
	first := in.Initial
	first.Cause = "steady state"
	var inside []Boundary
	for _, b := range bs {
		switch {
		case !b.At.After(sp.Start):
			first.Users, first.Rate = b.Users, b.Rate
		case !b.At.Before(sp.End):
		case len(inside) > 0 && inside[len(inside)-1].At.Equal(b.At):
			inside[len(inside)-1] = b // a change at a planned stage's start: the change holds
		default:
			inside = append(inside, b)
		}
	}
	if len(inside) == 0 || sp.Duration() <= 0 {
		return nil
	}
	first.At = sp.Start
	all := append([]Boundary{first}, inside...)
	out := make([]Stage, len(all))
	for i, b := range all {
		end := sp.End
		if i+1 < len(all) {
			end = all[i+1].At
		}
		s := &out[i]
		*s = Stage{N: i + 1, Cause: b.Cause, Users: b.Users, Rate: b.Rate, Start: b.At, End: end}
		if i > 0 {
			s.Settle = in.Limits.Settle
			if in.Limits.SpawnRate > 0 && all[i-1].Rate == 0 && b.Rate == 0 {
				s.Settle += time.Duration(float64(abs(b.Users-all[i-1].Users)) / in.Limits.SpawnRate * float64(time.Second))
			}
		}
		s.Settle = min(s.Settle, end.Sub(b.At))
		s.Judged = end.Sub(b.At) - s.Settle
		s.measure(in.Intervals, in.Sources)
		s.judge(&in.Limits, in.Sources)
	}
	return out
}

func abs(n int) int { return max(n, -n) }
