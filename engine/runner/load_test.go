package runner

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/capture"
)

// TestSoakPluggableLoad: Config.Load replaces engine.Run. Here it runs
// the plan as two engines of a segment each, side by side, and merges
// their intervals as a distributed run's coordinator does; the runner
// polls, phases and analyses the merged run as its own.
func TestSoakPluggableLoad(t *testing.T) {
	s := newTestService(t)
	s.lazyWorkers, s.boundedCache = true, true
	cfg := quickConfig(s, 3*time.Second)
	cfg.Settle = 500 * time.Millisecond
	var calls int
	cfg.Load = func(ctx context.Context, p engine.Plan) (*engine.Result, error) {
		calls++
		parts := engine.EqualParts(2)
		res := make([]*engine.Result, len(parts))
		var wg sync.WaitGroup
		for i, seg := range parts {
			q := p
			q.Segment, q.OnStart, q.OnInterval = seg, nil, nil
			wg.Go(func() {
				r, err := engine.Run(ctx, q)
				if err != nil {
					t.Error(err)
				}
				res[i] = r
			})
		}
		info := engine.RunInfo{RunID: "pluggable", Model: "closed", Start: time.Now(), Interval: time.Second,
			Duration: p.Duration, Users: 4, Host: p.Host}
		p.OnStart(info)
		wg.Wait()
		var merged []*engine.Interval
		for _, r := range res {
			if r == nil {
				t.FailNow()
			}
			for i, iv := range r.Intervals {
				if i == len(merged) {
					merged = append(merged, &engine.Interval{Seq: iv.Seq})
				}
				merged[i].Add(iv, 0)
			}
		}
		for _, iv := range merged {
			p.OnInterval(iv)
		}
		return engine.NewResult(info, merged, 0), nil
	}
	var seen int
	cfg.Plan.OnInterval = func(*engine.Interval) { seen++ }
	res, err := Soak(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if calls != 1 || seen == 0 || res.Engine.RunID != "pluggable" || res.Engine.Total.Total().Requests == 0 {
		t.Errorf("Load called %d times, %d intervals seen, run %q with %d requests",
			calls, seen, res.Engine.RunID, res.Engine.Total.Total().Requests)
	}
	if len(res.Capture.Timeline.Sources) == 0 || res.Capture.Timeline.Sources[0].Polls < 3 {
		t.Errorf("the probe was not polled around the pluggable load: %+v", res.Capture.Timeline.Sources)
	}
}

// slowProfiles is a Source whose profiles take delay each (a large heap's
// profile, a GC under load), its snapshots as fast as its Source's.
type slowProfiles struct {
	Source
	delay time.Duration
}

func (s slowProfiles) Profile(ctx context.Context, kind string) ([]byte, error) {
	t := time.NewTimer(s.delay)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-t.C:
	}
	return s.Source.Profile(ctx, kind)
}

// TestSlowCapturesKeepTheSampleInterval: the steady state's profile
// captures (here 13, 400 ms each: 5.2 s in a 2.7 s steady state) run
// beside the polls, so the samples keep their interval (about 27 at
// 100 ms).
// Taken in the poll loop they left a sample per batch of captures (5 or
// so), and a short steady state on a loaded machine with one: too few for
// the pool and trend detectors to judge.
func TestSlowCapturesKeepTheSampleInterval(t *testing.T) {
	t.Parallel()
	s := newTestService(t)
	cfg := quickConfig(s, 3*time.Second)
	cfg.Sources = []Source{slowProfiles{InProcess(s.p), 400 * time.Millisecond}}
	cfg.PollInterval, cfg.Settle, cfg.Baseline, cfg.Drain = 100*time.Millisecond, 300*time.Millisecond, 100*time.Millisecond, 500*time.Millisecond
	res, err := Soak(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	src := res.Capture.Timeline.Sources[0]
	n := len(src.In(capture.PhaseSteady))
	t.Logf("%d steady samples", n)
	if n < 12 {
		t.Errorf("%d samples in the 2.7 s steady state, polled every 100 ms", n)
	}
	var steadyStart, steadyEnd bool
	for _, p := range res.Capture.Profiles {
		steadyStart = steadyStart || p.Moment == capture.MomentSteadyStart && p.Error == ""
		steadyEnd = steadyEnd || p.Moment == capture.MomentSteadyEnd && p.Error == ""
	}
	if !steadyStart || !steadyEnd {
		t.Errorf("steady-start profiles taken %v, steady-end %v", steadyStart, steadyEnd)
	}
}
