package engine

import (
	"context"
	"net/http"
	"runtime"
	"testing"
	"time"

	"github.com/soaklab/soak/internal/testenv"
)

// Memory stays flat however long the run: nothing is kept per request.
// 45 s of closed load with no think time, the live heap read after a GC
// every 5 s: after the warm-up it must not grow with the requests served.
// The series is bounded at 8 intervals so that its (bounded) growth ends
// within the warm-up; what may still fill is bounded (histogram buckets).
// The allowance, a quarter of the warm heap plus 1 MB, is crossed by a
// leak of a few bytes per request over the ~500,000 requests served.
func TestMemoryFlat(t *testing.T) {
	testenv.SkipUnlessLong(t)
	srv := server(t, nil, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/err" {
			w.WriteHeader(500)
		}
	})
	var heaps []uint64
	p := Plan{Host: srv.URL, Duration: 45 * time.Second, Load: Closed{Users: 20}, MaxIntervals: 8,
		Classes: []Class{{Name: "M", Weight: 1, Tasks: []Task{
			{Weight: 9, Do: func(ctx context.Context, u *User) error {
				_, err := u.Get(ctx, "/api/stories/"+string(rune('a'+u.Rand.IntN(26))), "/api/stories/[slug]")
				return err
			}},
			{Weight: 1, Do: get("/err", "")},
		}}},
		OnInterval: func(iv *Interval) {
			if iv.Seq%5 == 4 {
				runtime.GC()
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				heaps = append(heaps, ms.HeapAlloc)
			}
		}}
	res := mustRun(t, context.Background(), p)
	tot := res.Total.Total()
	t.Logf("%d requests; live heap every 5 s (MB): %v", tot.Requests, mb(heaps))
	if tot.Requests < 10000 || len(heaps) < 6 {
		t.Fatalf("%d requests, %d heap samples: too few to judge", tot.Requests, len(heaps))
	}
	warm, last := heaps[1], heaps[len(heaps)-1]
	if last > warm+warm/4+1<<20 {
		t.Fatalf("live heap grew from %.1f MB (10 s) to %.1f MB (end) over %d requests", float64(warm)/1e6, float64(last)/1e6, tot.Requests)
	}
}

func mb(b []uint64) []float64 {
	out := make([]float64, len(b))
	for i, v := range b {
		out[i] = float64(v/1e5) / 10
	}
	return out
}
