package runner

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/probe"
)

// hungClient is a remote probe that accepts and never answers: every
// call waits for its context.
type hungClient struct{}

func (h hungClient) Snapshot(ctx context.Context) (*probe.Snapshot, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}
func (h hungClient) LeaksMinAge(ctx context.Context, _ time.Duration) (*probe.LeakReport, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}
func (h hungClient) Profile(ctx context.Context, _ string, _ int) ([]byte, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

// TestStopBoundsHungProbe: after Plan.Stop, the polls, the drain (a
// minute here) and the profile captures of a probe that never answers
// are bounded by StopTimeout: Soak returns, the captures it could not
// take recorded as timed out, instead of waiting each one's timeout (10 s
// a profile) in turn. The test gives it 30 s, far below those.
func TestStopBoundsHungProbe(t *testing.T) {
	t.Parallel()
	stop := make(chan struct{})
	plan := soakPlan(okHandler(), 2, 5*time.Millisecond, time.Minute)
	plan.Stop, plan.StopTimeout = stop, 200*time.Millisecond
	var samples int
	cfg := Config{
		Plan:         plan,
		Sources:      []Source{Remote("http://127.0.0.1:1", hungClient{})},
		PollInterval: 100 * time.Millisecond, PollTimeout: 100 * time.Millisecond, Baseline: 100 * time.Millisecond, Drain: time.Minute,
		OnSample: func(s *capture.Sample) {
			if samples++; samples == 5 {
				close(stop)
			}
		},
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if _, err := Soak(context.Background(), cfg); err != nil {
			t.Error(err)
		}
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("Soak did not return within 30 s of a stop with StopTimeout 200ms")
	}
}

func TestStopBoundFinal(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	b := newStopBound(ctx, nil, time.Second)
	cancel()
	f, fc := b.final(ctx)
	if f.Err() != nil {
		t.Error("no stop: the final context is cancelled with the run's")
	}
	fc()
	b.release()

	stop := make(chan struct{})
	b = newStopBound(context.Background(), stop, 0)
	defer b.release()
	close(stop)
	<-b.ctx.Done()
	f, fc = b.final(context.Background())
	defer fc()
	if _, ok := f.Deadline(); !ok || !strings.Contains(context.Cause(f).Error()+f.Err().Error(), "deadline") {
		t.Errorf("after a stop with StopTimeout 0 the final context is past its deadline: %v", f.Err())
	}
}
