package probe

import (
	"strings"
	"testing"
	"time"
)

func TestOptionsRefuseBadValues(t *testing.T) {
	for _, tc := range []struct {
		opt  Option
		name string
	}{
		{WithMaxRoutes(0), "WithMaxRoutes"},
		{WithMaxStacks(0), "WithMaxStacks"},
		{WithMaxHeld(0), "WithMaxHeld"},
		{WithStackSampling(0), "WithStackSampling"},
		{WithStackDepth(3), "WithStackDepth"},
		{WithStackDepth(65), "WithStackDepth"},
		{WithLeakThreshold(0), "WithLeakThreshold"},
		{WithPollInterval(time.Millisecond), "WithPollInterval"},
		{WithMaxProfileDuration(0), "WithMaxProfileDuration"},
		{WithClock(nil), "WithClock"},
	} {
		func() {
			defer func() {
				r := recover()
				err, ok := r.(error)
				if !ok || !strings.Contains(err.Error(), tc.name) {
					t.Errorf("%s: New panicked with %v, want an error naming the option", tc.name, r)
				}
			}()
			New(tc.opt)
		}()
	}
	p := New(WithMaxRoutes(1), WithPollInterval(time.Minute), WithLeakThreshold(time.Second), nil)
	if p.opts.maxRoutes != 1 || p.opts.pollInterval != time.Minute || p.opts.leakThreshold != time.Second {
		t.Errorf("options not applied: %+v", p.opts)
	}
}
