package report

import (
	"cmp"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/soaklab/soak/engine"
)

// sample is one recorded request of a test recording.
type sample struct {
	us, bytes int64
	kind      engine.Kind // failure kind, when fail
	fail      bool
	limited   bool // HTTP 429
}

func ok(ms float64, bytes int64) sample { return sample{us: int64(ms * 1000), bytes: bytes} }

func failed(ms float64, kind engine.Kind) sample {
	return sample{us: int64(ms * 1000), kind: kind, fail: true}
}

func limited(ms float64, bytes int64) sample {
	return sample{us: int64(ms * 1000), bytes: bytes, limited: true}
}

// statOf records samples into a Stat exactly as the engine does.
func statOf(method, name string, samples ...sample) engine.Stat {
	s := engine.Stat{Method: method, Name: name}
	for _, x := range samples {
		if s.Requests == 0 || x.us < s.MinMicros {
			s.MinMicros = x.us
		}
		s.MaxMicros = max(s.MaxMicros, x.us)
		s.Requests++
		s.Bytes += x.bytes
		s.SumMicros += x.us
		switch {
		case x.limited:
			s.RateLimited++
		case x.fail:
			s.Kinds[x.kind]++
		}
		if s.Latency == nil {
			s.Latency = &engine.Histogram{}
		}
		if s.Latency.Record(x.us) {
			s.OutOfRange++
		}
	}
	return s
}

var t0 = time.Date(2026, 2, 18, 10, 0, 0, 0, time.UTC)

// interval builds base interval seq (1 s wide from t0) holding stats.
func interval(seq, users int, stats ...engine.Stat) *engine.Interval {
	slices.SortFunc(stats, func(a, b engine.Stat) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Method, b.Method))
	})
	return &engine.Interval{
		Seq: seq, Span: 1,
		Start: t0.Add(time.Duration(seq) * time.Second), End: t0.Add(time.Duration(seq+1) * time.Second),
		Users: users, MaxUsers: users, Stats: stats,
	}
}

func info() engine.RunInfo {
	return engine.RunInfo{
		RunID: "run-1", Host: "http://127.0.0.1:8000", Model: "closed", Start: t0,
		Interval: time.Second, Duration: 10 * time.Second, Users: 10, SpawnRate: 5,
		Classes: []engine.ClassInfo{{Name: "Reader", Weight: 3, Tasks: 2}, {Name: "Writer", Weight: 1, Tasks: 1}},
		Cores:   2, Transport: "h1", LateAfter: 10_000,
	}
}

// result builds a run from intervals, as `soak report` does from disk.
func result(t testing.TB, ivs ...*engine.Interval) *engine.Result {
	t.Helper()
	return engine.NewResult(info(), ivs, 0)
}

func readFile(path string) ([]byte, error) { return os.ReadFile(path) }
