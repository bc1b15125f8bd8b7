package report

import (
	"fmt"
	"io"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/soaklab/soak/engine"
)

// runOf builds a run of n one-second intervals over endpoints (method,
// name) pairs with perSecond requests each per interval: latencies spread
// log-normally around 20 ms with a slow tail, some 503s and 429s.
func runOf(tb testing.TB, n, endpoints, perSecond int) *engine.Result {
	tb.Helper()
	rng := rand.New(rand.NewPCG(5, 6))
	ivs := make([]*engine.Interval, 0, n)
	for i := range n {
		stats := make([]engine.Stat, 0, endpoints)
		for e := range endpoints {
			samples := make([]sample, perSecond)
			for j := range samples {
				us := int64(20_000 * rng.ExpFloat64() * rng.ExpFloat64())
				samples[j] = sample{us: max(us, 50), bytes: 512}
				switch r := rng.IntN(1000); {
				case r < 3:
					samples[j].fail, samples[j].kind = true, engine.KindStatus5xx
				case r < 8:
					samples[j].limited = true
				}
			}
			stats = append(stats, statOf([]string{"GET", "POST"}[e%2], fmt.Sprintf("/api/endpoint/%02d", e), samples...))
		}
		iv := interval(i, 200, stats...)
		iv.Errors = []engine.ErrorStat{{Method: "GET", Name: "/api/endpoint/00", Kind: engine.KindStatus5xx,
			Error: "HTTP 503 Service Unavailable", Count: 1, First: iv.Start, Last: iv.Start}}
		ivs = append(ivs, iv)
	}
	info := info()
	info.Duration = time.Duration(n) * time.Second
	return engine.NewResult(info, ivs, 0)
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

var _ io.Writer = (*countWriter)(nil)

// BenchmarkRender renders every output of a 30-minute run (1,800
// one-second intervals x 10 endpoints, 20 requests per endpoint per
// second), a 15-minute one and a 60-minute one, side by side: time and
// allocations grow with the series, which the engine bounds (the hour's
// 3,600 intervals are kept as 1,800 of 2 s), not with the run.
func BenchmarkRender(b *testing.B) {
	for _, n := range []int{900, 1800, 3600} {
		res := runOf(b, n, 10, 20)
		run := Run{Result: res}
		for _, c := range []struct {
			name string
			rep  Reporter
		}{
			{"stats.csv", LocustStats(run)},
			{"stats_history.csv", LocustHistory(run, CSVOptions{})},
			{"stats_history.csv-full", LocustHistory(run, CSVOptions{FullHistory: true})},
			{"failures.csv", LocustFailures(run)},
			{"json", JSON(run)},
			{"html", HTML(run)},
		} {
			b.Run(fmt.Sprintf("%dx10/%s", n, c.name), func(b *testing.B) {
				b.ReportAllocs()
				var w countWriter
				for b.Loop() {
					w.n = 0
					if err := c.rep(&w); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(w.n), "bytes")
			})
		}
	}
}
