package analysis

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/engine/internal/synth"
	"github.com/soaklab/soak/probe"
)

// thirtyMinutes is the seed's run: 30 minutes of 1-second intervals over
// ten endpoints, and a probe sample every 2 s with one pool, one Redis
// client, one cache and ten routes.
func thirtyMinutes() *synth.Run {
	s := synth.New()
	s.SetPhases(3*time.Minute, 27*time.Minute)
	s.AddSamples(func(t float64, ph capture.Phase) *probe.Snapshot {
		sn := synth.Snap(uint64(50e6+1e4*math.Sin(t)), uint64(10+max(t, 0)/2), 80, synth.RequestsAt(t))
		for i := range 9 {
			sn.HTTP.Routes = append(sn.HTTP.Routes, probe.RouteSnapshot{Method: "GET", Route: fmt.Sprintf("/r%d", i), Requests: synth.RequestsAt(t)})
		}
		sn.Pools = []probe.PoolSnapshot{{Name: "db", MaxConns: 16, TotalConns: 8, AcquiredConns: 3, AcquireCount: int64(max(t, 0) * 50),
			Statements: []probe.StatementSnapshot{{SQL: "SELECT 1", Latency: probe.Histogram{Count: int64(max(t, 0) * 50), SumMicros: int64(max(t, 0) * 50000), Buckets: [][2]int64{{100, int64(max(t, 0) * 50)}}}}}}}
		sn.Redis = []probe.RedisSnapshot{{Name: "cache", CacheHits: uint64(max(t, 0) * 80), CacheMisses: uint64(max(t, 0) * 20)}}
		sn.Caches = []probe.CacheSnapshot{{Name: "cache", Kind: "redis", Hits: uint64(max(t, 0) * 80), Misses: uint64(max(t, 0) * 20)}}
		return sn
	})
	for i, tm := 0, s.Start; tm.Before(s.End); i, tm = i+1, tm.Add(time.Second) {
		iv := &engine.Interval{Seq: i, Span: 1, Start: tm, End: tm.Add(time.Second), Users: 200, MaxUsers: 200}
		for e := range 10 {
			st := engine.Stat{Method: "GET", Name: fmt.Sprintf("/e%d", e), Requests: 20, Latency: &engine.Histogram{}}
			for r := range 20 {
				st.Latency.Record(int64(1000 + 37*r + 101*e))
			}
			iv.Stats = append(iv.Stats, st)
		}
		s.Intervals = append(s.Intervals, iv)
	}
	return s
}

// BenchmarkAnalyze30Min analyses the seed's 30-minute run; its companion
// BenchmarkNewResult30Min rebuilds the same run's engine result, the other
// half of `soak report DIR`, for a side-by-side ratio.
func BenchmarkAnalyze30Min(b *testing.B) {
	s := thirtyMinutes()
	res := engine.NewResult(engine.RunInfo{Start: s.Start, Interval: time.Second, Duration: 30 * time.Minute, Users: 200}, s.Intervals, 0)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Analyze(res, s.Capture, DefaultThresholds()); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNewResult30Min(b *testing.B) {
	s := thirtyMinutes()
	b.ReportAllocs()
	for b.Loop() {
		engine.NewResult(engine.RunInfo{Start: s.Start, Interval: time.Second, Duration: 30 * time.Minute, Users: 200}, s.Intervals, 0)
	}
}
