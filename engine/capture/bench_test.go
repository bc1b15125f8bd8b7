package capture

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/soaklab/soak/probe"
)

// BenchmarkPoll is the runner's cost per sample of an in-process
// probe: the probe's snapshot plus the point kept; BenchmarkProbeSnapshot
// is the snapshot alone.
func BenchmarkPoll(b *testing.B) {
	p := probe.New()
	for i := range 10 {
		p.HTTP().Route("GET", fmt.Sprintf("/r%d", i)).Record(200, time.Millisecond, 0, 100)
	}
	var tl Timeline
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		sn, err := p.Snapshot(ctx)
		if err != nil {
			b.Fatal(err)
		}
		tl.Add(&Sample{Source: "svc", Time: sn.Time, Phase: PhaseSteady, Snapshot: sn})
	}
}

func BenchmarkProbeSnapshot(b *testing.B) {
	p := probe.New()
	for i := range 10 {
		p.HTTP().Route("GET", fmt.Sprintf("/r%d", i)).Record(200, time.Millisecond, 0, 100)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Snapshot(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
