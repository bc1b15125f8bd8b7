package engine

import (
	"context"
	"net/http"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"
)

// BenchmarkDistinctURLs is a run whose scenario forgot the grouping name:
// every request has a URL of its own. With the default MaxNames the
// run's result keeps 1,000 Stats and one (other); with no cap (MaxNames
// above the request count) it keeps one Stat per URL. It reports the heap
// the result retains per request and the Stats it holds. Each iteration
// is one request; the run ends by Plan.Stop after b.N of them.
func BenchmarkDistinctURLs(b *testing.B) {
	for _, c := range []struct {
		name string
		max  int
	}{{"cap=default", 0}, {"cap=none", 1 << 30}} {
		b.Run(c.name, func(b *testing.B) {
			stop := make(chan struct{})
			var once sync.Once
			n := 0
			task := func(ctx context.Context, u *User) error {
				if n++; n > b.N {
					once.Do(func() { close(stop) })
					return ErrStopUser
				}
				_, err := u.Get(ctx, "/api/stories/story-"+strconv.Itoa(n), "")
				return err
			}
			before := heapInUse()
			b.ReportAllocs()
			b.ResetTimer()
			res, err := Run(context.Background(), Plan{
				Handler:  http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}),
				Load:     Closed{Users: 1},
				Duration: time.Hour, Stop: stop, MaxNames: c.max,
				Classes: []Class{{Name: "U", Weight: 1, Tasks: []Task{{Weight: 1, Do: task}}}},
			})
			b.StopTimer()
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(heapInUse()-before)/float64(b.N), "retained-B/req")
			b.ReportMetric(float64(len(res.Total.Stats)), "stats")
			runtime.KeepAlive(res)
		})
	}
}

func heapInUse() int64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapInuse)
}
