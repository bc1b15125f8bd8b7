package analysis

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/engine/internal/synth"
	"github.com/soaklab/soak/probe"
)

// systemSeries is a service at 25 % CPU of 2 cores, 100 MB RSS of 1 GB,
// a pool peaking at 12 of 16, a statement at 2 ms then (in the steady
// state) 80 ms, and a cache hitting 3 reads in 4.
func systemSeries(t float64, ph capture.Phase) *probe.Snapshot {
	s := synth.Snap(5e6, uint64(10+max(t, 0)), 50, synth.RequestsAt(t))
	s.Process.CPUSeconds = 0.5 * max(t, 0)
	s.Process.RSSBytes, s.Process.MemoryLimitBytes = 100<<20, 1<<30
	acq := int32(4)
	if int(t)%50 == 0 {
		acq = 12
	}
	calls := int64(max(t, 0) * 10)
	lat := probe.Histogram{Count: calls, SumMicros: calls * 80_000}
	if calls > 0 {
		// Every call before the steady state took 2 ms, every one after 80 ms.
		warm := min(calls, 200)
		lat.Buckets = [][2]int64{{histIndexOf(2000), warm}}
		if calls > warm {
			lat.Buckets = append(lat.Buckets, [2]int64{histIndexOf(80_000), calls - warm})
		}
	}
	s.Pools = []probe.PoolSnapshot{{Name: "db", MaxConns: 16, TotalConns: 12, AcquiredConns: acq,
		Statements: []probe.StatementSnapshot{{SQL: "SELECT * FROM stories WHERE slug = $1", Calls: uint64(calls), Latency: lat}}}}
	s.Caches = []probe.CacheSnapshot{{Name: "pages", Kind: "in-process", Hits: uint64(max(t, 0) * 75), Misses: uint64(max(t, 0) * 25),
		Entries: 900, CapacityEntries: 1000}}
	if ph != capture.PhaseBaseline {
		s.Caches = append(s.Caches, probe.CacheSnapshot{Name: "redis", Kind: "redis", UsedBytes: 50 << 20, MaxBytes: 100 << 20})
	}
	return s
}

// histIndexOf returns the probe histogram bucket index of us, found by
// recording into a fresh probe route.
func histIndexOf(us int64) int64 {
	p := probe.New()
	r := p.HTTP().Route("GET", "/h")
	r.Record(200, time.Duration(us)*time.Microsecond, 0, 0)
	sn, _ := p.Snapshot(context.Background())
	return sn.HTTP.Routes[0].Latency.Buckets[0][0]
}

func TestSystemRows(t *testing.T) {
	s := synth.New()
	s.AddSamples(systemSeries)
	s.AddIntervals(synth.SteadyLoad)
	r := analyze(s)
	rows := map[string]Target{}
	for _, row := range r.System {
		rows[row.Component+" "+row.Metric] = row
	}
	check := func(name string, value float64, status Status, actual string) {
		t.Helper()
		row := rows[name]
		if math.Abs(row.Value-value) > 0.01*math.Max(1, math.Abs(value)) || row.Status != status || !strings.Contains(row.Actual, actual) {
			t.Errorf("%s: %+v; want value %v, %s, actual containing %q", name, row, value, status, actual)
		}
	}
	check("Database Connection Pool", 0.75, StatusPass, "12 of 16, pool db")
	check("Database Query Latency", 80, StatusFail, "p95")
	check("Cache Hit Rate", 0.75, StatusPass, "75.0%")
	check("Cache Memory Usage", 0.5, StatusPass, "50.0 MB of 100.0 MB, redis")
	check("Application CPU Usage", 0.25, StatusPass, "25.0% mean")
	check("Application Memory Usage", 100.0/1024, StatusPass, "100.0 MB RSS")
	md := markdownOf(t, r)
	if !strings.Contains(md, "Speed up the slowest statements: `SELECT * FROM stories WHERE slug = $1` (p95 80 ms)") {
		t.Errorf("no slowest-statement recommendation:\n%s", md)
	}
}

func TestCacheMemoryInEntriesIsNotJudged(t *testing.T) {
	s := synth.New()
	s.AddSamples(func(t float64, ph capture.Phase) *probe.Snapshot {
		sn := synth.Snap(5e6, uint64(10+max(t, 0)), 50, synth.RequestsAt(t))
		sn.Caches = []probe.CacheSnapshot{{Name: "pages", Entries: 150, CapacityEntries: 150}}
		return sn
	})
	s.AddIntervals(synth.SteadyLoad)
	for _, row := range analyze(s).System {
		if row.Metric == "Memory Usage" && row.Component == "Cache" &&
			(row.Status != StatusUnknown || !strings.Contains(row.Why, "pages holds 150 of 150 entries (100%)")) {
			t.Errorf("row %+v", row)
		}
	}
}
