package probe_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/soaklab/soak/probe"
	"github.com/soaklab/soak/probe/label"
)

// ExampleProbe_NewHoldProfile records, as a driver integration would on
// each release, how long a connection was held and how long its
// statements ran.
func ExampleProbe_NewHoldProfile() {
	now := time.Date(2026, 12, 6, 5, 0, 0, 0, time.UTC)
	var step atomic.Int64
	p := probe.New(probe.WithClock(func() time.Time { return now.Add(time.Duration(step.Load())) }))
	holders := p.NewHoldProfile(0) // DefaultMaxHolders entries
	ctx := label.NewContext(context.Background(), &label.Info{Method: "GET", Route: "/stories/:id"})

	h := p.NewHold(ctx, 0)                            // acquired
	step.Add(int64(16 * time.Millisecond))            // statements 1 ms, other work 15 ms
	holders.Record(h, p.Elapsed(h), time.Millisecond) // released

	s := holders.Snapshot()[0]
	fmt.Println(s.Method, s.Route, s.Releases, s.HeldMicros, s.BusyMicros)
	// Output: GET /stories/:id 1 16000 1000
}

// TestHoldProfileBounded: entries beyond the bound are summed under one
// overflow entry; nothing is lost.
func TestHoldProfileBounded(t *testing.T) {
	p := probe.New()
	hp := p.NewHoldProfile(4)
	for i := range 10 {
		ctx := label.NewContext(context.Background(), &label.Info{Method: "GET", Route: fmt.Sprintf("/r%d", i)})
		hp.Record(p.NewHold(ctx, 0), 2*time.Millisecond, time.Millisecond)
	}
	hp.Record(probe.Hold{}, time.Second, 0) // nothing held: not recorded
	var nilProfile *probe.HoldProfile
	nilProfile.Record(p.NewHold(context.Background(), 0), time.Second, 0)
	if nilProfile.Snapshot() != nil {
		t.Error("a nil profile has entries")
	}
	s := hp.Snapshot()
	if len(s) != 5 {
		t.Fatalf("%d entries, want 4 and the overflow: %+v", len(s), s)
	}
	var releases uint64
	var overflow *probe.HolderSnapshot
	for i := range s {
		releases += s[i].Releases
		if s[i].Function == probe.OverflowHolder {
			overflow = &s[i]
		} else if !strings.HasSuffix(s[i].Function, "TestHoldProfileBounded") {
			t.Errorf("entry %+v: function is not the caller of NewHold", s[i])
		}
		if s[i].BusyMicros*2 != s[i].HeldMicros {
			t.Errorf("entry %+v", s[i])
		}
	}
	if releases != 10 || overflow == nil || overflow.Releases != 6 {
		t.Errorf("releases %d, overflow %+v", releases, overflow)
	}
}
