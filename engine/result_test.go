package engine

import (
	"strings"
	"testing"
	"time"
)

func cpuInterval(seq int, cpu time.Duration) *Interval {
	return &Interval{Seq: seq, Span: 1, Start: t0.Add(time.Duration(seq) * time.Second),
		End: t0.Add(time.Duration(seq+1) * time.Second), CPU: cpu}
}

// A closed run whose generator used nearly all the cores is flagged, so a
// report does not blame the service for the generator's limit.
func TestGeneratorBoundByCPU(t *testing.T) {
	info := RunInfo{Model: "closed", Start: t0, Interval: time.Second, Cores: 2}
	var busy, calm []*Interval
	for i := range 10 {
		cpu := 300 * time.Millisecond // 15% of 2 cores
		if i%2 == 0 {
			cpu = 1900 * time.Millisecond // 95% of 2 cores
		}
		busy = append(busy, cpuInterval(i, cpu))
		calm = append(calm, cpuInterval(i, 300*time.Millisecond))
	}
	r := NewResult(info, busy, 0)
	if !r.GeneratorBound || len(r.Reasons) != 1 || !strings.Contains(r.Reasons[0], "generator CPU at >= 90% of 2 cores for 5s of 10s") {
		t.Fatalf("busy run: bound %v, reasons %q", r.GeneratorBound, r.Reasons)
	}
	if r := NewResult(info, calm, 0); r.GeneratorBound {
		t.Fatalf("calm run flagged: %q", r.Reasons)
	}
	if r := NewResult(RunInfo{Start: t0}, nil, 0); r.GeneratorBound || r.Total == nil || len(r.Intervals) != 0 {
		t.Fatalf("empty result: %+v", r)
	}
}

// Late arrivals beyond 1% flag an open run; a few do not.
func TestGeneratorBoundByLateArrivals(t *testing.T) {
	info := RunInfo{Model: "open", Start: t0, Interval: time.Second, LateAfter: 10000}
	iv := cpuInterval(0, 0)
	iv.Schedule = Schedule{Arrivals: 1000, Started: 1000, Late: 5, MaxLagMicros: 30000}
	if r := NewResult(info, []*Interval{iv}, 0); r.GeneratorBound {
		t.Fatalf("0.5%% late flagged: %q", r.Reasons)
	}
	iv.Schedule.Late = 50
	r := NewResult(info, []*Interval{iv}, 0)
	if !r.GeneratorBound || !strings.Contains(r.Reasons[0], "50 of 1000 arrivals (5.0%) started more than 10ms late (max lag 30ms)") {
		t.Fatalf("5%% late: %q", r.Reasons)
	}
}
