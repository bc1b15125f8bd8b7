package web

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/soaklab/soak/engine"
)

// benchInterval is an interval of 20 endpoints, 500 requests each.
func benchInterval(start time.Time, seq int) *engine.Interval {
	iv := &engine.Interval{Seq: seq, Span: 1, Start: start.Add(time.Duration(seq) * time.Second),
		End: start.Add(time.Duration(seq+1) * time.Second), Users: 200}
	for e := range 20 {
		st := engine.Stat{Method: "GET", Name: fmt.Sprintf("/api/endpoint/%02d", e), Requests: 500,
			MinMicros: 100, MaxMicros: 100 + 499*37, Latency: &engine.Histogram{}}
		for i := range 500 {
			us := int64(100 + i*37)
			st.SumMicros += us
			st.Latency.Record(us)
		}
		iv.Stats = append(iv.Stats, st)
	}
	return iv
}

// BenchmarkInterval is the server's cost of one interval (its event, the
// endpoints table so far, the fan-out) delivered to every viewer: each
// iteration waits until every viewer has read the interval's event off
// its HTTP stream.
func BenchmarkInterval(b *testing.B) {
	for _, viewers := range []int{0, 10} {
		b.Run(fmt.Sprintf("viewers=%d", viewers), func(b *testing.B) {
			s, err := New(Config{MaxViewers: viewers + 1})
			if err != nil {
				b.Fatal(err)
			}
			ts := httptest.NewServer(s)
			defer ts.Close()
			defer s.Close()
			start := time.Now()
			s.Start(engine.RunInfo{RunID: "bench", Model: "closed", Start: start, Interval: time.Second, Users: 200})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			got := make(chan struct{}, viewers*4)
			for range viewers {
				req, _ := http.NewRequestWithContext(ctx, "GET", ts.URL+"/events", nil)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				go func() {
					defer resp.Body.Close()
					sc := bufio.NewScanner(resp.Body)
					sc.Buffer(make([]byte, 1<<20), 1<<20)
					for sc.Scan() {
						if strings.HasPrefix(sc.Text(), "event: interval") {
							got <- struct{}{}
						}
					}
				}()
			}
			for s.Viewers() < viewers {
				time.Sleep(time.Millisecond)
			}
			ivs := make([]*engine.Interval, 64)
			for i := range ivs {
				ivs[i] = benchInterval(start, i)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				s.Interval(ivs[i%len(ivs)])
				for range viewers {
					<-got
				}
			}
			b.StopTimer()
			cancel()
			s.Close()
		})
	}
}
