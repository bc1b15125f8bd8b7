package live_test

import (
	"fmt"
	"os"
	"time"

	"github.com/soaklab/soak/cmd/soak/internal/live"
	"github.com/soaklab/soak/engine"
)

func ExampleProgress() {
	p := live.New(os.Stdout, false) // off a terminal: one line per 10 s window
	start := time.Date(2026, 11, 28, 5, 0, 0, 0, time.UTC)
	p.Start(engine.RunInfo{RunID: "r1", Host: "http://127.0.0.1:8000", Model: "closed", Start: start,
		Duration: time.Minute, Users: 2})
	for i := range 10 {
		h := &engine.Histogram{}
		h.Record(1500)
		p.Interval(&engine.Interval{Seq: i, Span: 1, Start: start.Add(time.Duration(i) * time.Second),
			End: start.Add(time.Duration(i+1) * time.Second), Users: 2,
			Stats: []engine.Stat{{Method: "GET", Name: "/", Requests: 1, SumMicros: 1500, MinMicros: 1500, MaxMicros: 1500, Latency: h}}})
	}
	// Output:
	// 2026-11-28T05:00:00Z soak: run r1 against http://127.0.0.1:8000, closed model, 2 users for 1m00s
	// 2026-11-28T05:00:10Z soak: elapsed 10s of 1m00s, remaining 50s | users 2/2 | rps 1.0 | p50 1.50ms p95 1.50ms p99 1.50ms (last 10s) | failures 0 (0.00%) | 429s 0
}

func ExampleMillis() {
	fmt.Println(live.Millis(420), live.Millis(12345), live.Millis(1250000))
	// Output: 0.42ms 12.3ms 1.25s
}
