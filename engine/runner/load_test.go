package runner

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/soaklab/soak/engine"
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
