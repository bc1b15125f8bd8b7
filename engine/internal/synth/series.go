package synth

import (
	"context"
	"math"
	"math/rand/v2"
	"time"

	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/probe"
)

// GCHeap is a live heap series: one GC every 2 s, level(t) plus noise of
// ±noise bytes.
func GCHeap(level func(t float64) float64, noise float64, seed uint64) SampleFunc {
	r := rand.New(rand.NewPCG(seed, 1))
	return func(t float64, ph capture.Phase) *probe.Snapshot {
		gc := uint64(10 + max(t+30, 0)/2)
		h := level(t) + noise*(2*r.Float64()-1)
		return Snap(uint64(h), gc, 50, RequestsAt(t))
	}
}

// PoolSeries is a pool of max 4 whose acquires wait (exhausted) during
// [from, to) seconds of the load, and that empties in the drain.
func PoolSeries(from, to float64) SampleFunc {
	return func(t float64, ph capture.Phase) *probe.Snapshot {
		s := Snap(5e6, uint64(10+max(t, 0)), 50, RequestsAt(t))
		ps := probe.PoolSnapshot{Name: "db", MaxConns: 4, TotalConns: 4, AcquiredConns: 1,
			AcquireCount: int64(max(t, 0) * 50)}
		if ph == capture.PhaseBaseline {
			ps.TotalConns, ps.AcquiredConns = 1, 0
		}
		waited := math.Min(math.Max(t-from, 0), to-from) // seconds spent exhausted so far
		ps.EmptyAcquireCount = int64(waited * 20)
		ps.EmptyAcquireWaitSeconds = waited * 0.5
		if t >= from && t < to {
			ps.AcquiredConns = 4
		}
		if ph == capture.PhaseDrain {
			ps.AcquiredConns = 0
		}
		s.Pools = []probe.PoolSnapshot{ps}
		return s
	}
}

// SlowWhile is steady load whose latency is 800 ms in [from, to).
func SlowWhile(from, to float64) IntervalFunc {
	return func(t float64) (int64, int64, int64, int64) {
		if t >= from && t < to {
			return 100, 0, 0, 800_000
		}
		return 100, 0, 0, 2000
	}
}

// NoStores is a service with no pool and no Redis client, whose probe
// declares (probe.Probe.Without) the absences given, or none. Its
// configuration text says what Without writes beside them.
func NoStores(without ...probe.Absence) SampleFunc {
	var config map[string]string
	for _, a := range without {
		key := map[probe.Component]string{probe.Database: probe.ConfigDatabase, probe.Redis: probe.ConfigRedis}[a.Component]
		if key == "" {
			continue
		}
		if config == nil {
			config = map[string]string{}
		}
		config[key] = "none: " + a.Why
	}
	return func(t float64, ph capture.Phase) *probe.Snapshot {
		s := Snap(20<<20, uint64(100+t), 20, RequestsAt(t))
		s.Config, s.Without = config, without
		return s
	}
}

// SystemSeries is a SampleFunc of a service at 25 % CPU of 2 cores, 100 MB RSS of 1 GB,
// a pool peaking at 12 of 16, a statement at 2 ms then (in the steady
// state) 80 ms, and a cache hitting 3 reads in 4.
func SystemSeries(t float64, ph capture.Phase) *probe.Snapshot {
	s := Snap(5e6, uint64(10+max(t, 0)), 50, RequestsAt(t))
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
