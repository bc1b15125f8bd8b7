package engine_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/soaklab/soak/engine"
)

// A soak in a go test: the engine serves the handler on loopback itself.
func ExampleRun() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/stories/{slug}", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"ok":true}`)) })
	mux.HandleFunc("POST /api/stories", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusCreated) })

	read := func(ctx context.Context, u *engine.User) error {
		_, err := u.Get(ctx, fmt.Sprintf("/api/stories/story-%d", u.Rand.IntN(100)), "/api/stories/[slug]")
		return err
	}
	write := func(ctx context.Context, u *engine.User) error {
		_, err := u.Do(ctx, &engine.Request{Method: "POST", Path: "/api/stories", Body: []byte(`{}`), Expect: []int{201}})
		return err
	}
	res, err := engine.Run(context.Background(), engine.Plan{
		Handler:  mux,
		Load:     engine.Closed{Users: 10},
		Duration: 500 * time.Millisecond,
		Interval: 100 * time.Millisecond,
		Classes: []engine.Class{
			{Name: "Reader", Weight: 7, Wait: engine.Constant{D: 10 * time.Millisecond}, Tasks: []engine.Task{{Weight: 1, Do: read}}},
			{Name: "Writer", Weight: 3, Wait: engine.Constant{D: 10 * time.Millisecond}, Tasks: []engine.Task{{Weight: 1, Do: write}}},
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("users by class:", res.Intervals[2].Classes)
	for _, s := range res.Total.Stats {
		fmt.Printf("%s %s: some requests %v, failures %d\n", s.Method, s.Name, s.Requests > 0, s.Failures())
	}
	// Output:
	// users by class: map[Reader:7 Writer:3]
	// POST /api/stories: some requests true, failures 0
	// GET /api/stories/[slug]: some requests true, failures 0
}

// The seed's error-rate windows, computed after the run from its intervals.
func ExampleWindow() {
	start := time.Date(2026, 2, 18, 10, 0, 0, 0, time.UTC)
	var ivs []*engine.Interval
	for i := range 30 { // one interval per minute, for brevity
		st := engine.Stat{Method: "GET", Name: "/health", Requests: 100, MinMicros: 500, MaxMicros: 500, SumMicros: 50000,
			Latency: &engine.Histogram{}}
		for range 100 {
			st.Latency.Record(500)
		}
		st.Kinds[engine.KindStatus5xx] = int64(i / 10) // more failures as the run goes on
		ivs = append(ivs, &engine.Interval{Seq: i, Span: 1, Start: start.Add(time.Duration(i) * time.Minute),
			End: start.Add(time.Duration(i+1) * time.Minute), Stats: []engine.Stat{st}})
	}
	for w := range 3 {
		win := engine.Window(ivs[w*10 : (w+1)*10]...)
		tot := win.Total()
		fmt.Printf("%d-%d min: %.1f%% errors over %d requests\n", w*10, w*10+10,
			100*float64(tot.Failures())/float64(tot.Requests), tot.Requests)
	}
	// Output:
	// 0-10 min: 0.0% errors over 1000 requests
	// 10-20 min: 1.0% errors over 1000 requests
	// 20-30 min: 2.0% errors over 1000 requests
}

// Histograms merge exactly and are saved in the HdrHistogram V2 format.
func ExampleHistogram() {
	var a, b engine.Histogram
	for i := range 1000 {
		a.Record(int64(100 + i)) // 100..1099 µs
	}
	b.Record(250_000) // one slow request: 250 ms
	a.Merge(&b)
	enc, _ := a.MarshalBinary()
	var back engine.Histogram
	_ = back.UnmarshalBinary(enc)
	fmt.Println(back.Count(), back.Percentile(50), back.Quantile(1).Round(time.Millisecond), back.Equal(&a))
	// Output: 1001 600 250ms true
}

// Wait strategies are values; their zero values do not pause.
func ExampleBetween() {
	r := rand.New(rand.NewPCG(1, 2))
	w := engine.Between{Min: time.Second, Max: 3 * time.Second}
	d := w.Next(r, 0)
	fmt.Println(d >= time.Second && d <= 3*time.Second, engine.Between{}.Next(r, 0))
	fmt.Println(engine.ConstantPacing{Every: time.Second}.Next(r, 300*time.Millisecond))
	// Output:
	// true 0s
	// 700ms
}

// Intervals streamed to disk read back exactly.
func ExampleReadIntervals() {
	var file bytes.Buffer
	w := engine.NewIntervalWriter(&file)
	res, _ := engine.Run(context.Background(), engine.Plan{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}), Load: engine.Closed{Users: 2},
		Duration: 300 * time.Millisecond, Interval: 100 * time.Millisecond,
		Classes: []engine.Class{{Name: "U", Weight: 1, Wait: engine.Constant{D: 5 * time.Millisecond}, Tasks: []engine.Task{{Weight: 1,
			Do: func(ctx context.Context, u *engine.User) error { _, err := u.Get(ctx, "/", ""); return err }}}}},
		OnInterval: func(iv *engine.Interval) { _ = w.Write(iv) },
	})
	ivs, err := engine.ReadIntervals(&file, "intervals.jsonl")
	rebuilt := engine.NewResult(res.RunInfo, ivs, 0)
	a, b := res.Total.Total(), rebuilt.Total.Total()
	fmt.Println(err, a.Requests == b.Requests, a.Latency.Equal(b.Latency))
	// Output: <nil> true true
}

// Validate names the field at fault.
func ExamplePlan_Validate() {
	p := engine.Plan{
		Host:     "http://127.0.0.1:8000",
		Duration: time.Minute,
		Load:     engine.Closed{Stages: []engine.Stage{{Duration: time.Minute, Users: 10}, {Duration: time.Minute, Users: -5}}},
		Classes:  []engine.Class{{Name: "Reader", Weight: 1, Tasks: []engine.Task{{Weight: 1, Do: func(context.Context, *engine.User) error { return nil }}}}},
	}
	fmt.Println(p.Validate())
	p.Host = "http://10.0.0.8"
	fmt.Println(p.Validate())
	// Output:
	// engine: invalid plan: Load.Stages[1].Users: negative (-5)
	// engine: host is not loopback (127.0.0.0/8, ::1, localhost); set AllowRemote to load another host: Host "10.0.0.8"
}

// A graceful stop, as soak's first Ctrl-C does it: closing Plan.Stop ends
// the load, lets the request in flight finish (within StopTimeout) and
// returns the complete result, marked stopped.
func ExamplePlan_stop() {
	inFlight := make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /report", func(w http.ResponseWriter, r *http.Request) {
		close(inFlight)                    // the only request: the user waits an hour after it
		time.Sleep(100 * time.Millisecond) // a slow endpoint, still answering after the Stop
		w.Write([]byte("done"))
	})
	stop := make(chan struct{})
	go func() { <-inFlight; close(stop) }()
	res, err := engine.Run(context.Background(), engine.Plan{
		Handler:     mux,
		Load:        engine.Closed{Users: 1},
		Duration:    time.Hour,
		StopTimeout: 10 * time.Second,
		Stop:        stop,
		Classes: []engine.Class{{Name: "Reader", Weight: 1, Wait: engine.Constant{D: time.Hour},
			Tasks: []engine.Task{{Weight: 1, Do: func(ctx context.Context, u *engine.User) error {
				_, err := u.Get(ctx, "/report", "")
				return err
			}}}}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	s := res.Total.Stat("GET", "/report")
	fmt.Printf("ending %s: %d succeeded, %d aborted\n", res.Ending(), s.Successes(), s.Aborted)
	// Output:
	// ending stopped: 1 succeeded, 0 aborted
}

// A scenario that names every story by its URL records the first
// MaxNames of them by name and the rest, counted exactly, under OtherName.
func ExamplePlan_maxNames() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/stories/{slug}", func(w http.ResponseWriter, r *http.Request) {})
	n := 0
	res, err := engine.Run(context.Background(), engine.Plan{
		Handler:  mux,
		Load:     engine.Closed{Users: 1},
		Duration: time.Second, // plenty for 10 requests; the user stops after them
		MaxNames: 2,
		Classes: []engine.Class{{Name: "Reader", Weight: 1, Tasks: []engine.Task{{Weight: 1,
			Do: func(ctx context.Context, u *engine.User) error {
				if n++; n > 10 {
					return engine.ErrStopUser // 10 requests, then the user stops
				}
				_, err := u.Get(ctx, fmt.Sprintf("/api/stories/story-%d", n), "") // no grouping name
				return err
			}}}}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range res.Total.Stats {
		fmt.Printf("%s %s: %d\n", s.Method, s.Name, s.Requests)
	}
	// Output:
	// GET (other): 8
	// GET /api/stories/story-1: 1
	// GET /api/stories/story-2: 1
}

// MaxThroughput bounds what a plan can send whatever the service does:
// 200 users pausing 1-3 s (2 s on average) after each one-request task,
// all started at once, send at most 100 requests per second (Little's
// law), so a "> 100 RPS" target cannot be met by this plan.
func ExamplePlan_MaxThroughput() {
	p := engine.Plan{Host: "http://127.0.0.1:8000", Duration: 30 * time.Minute, Load: engine.Closed{Users: 200},
		Classes: []engine.Class{{Name: "Reader", Weight: 1, Wait: engine.Between{Min: time.Second, Max: 3 * time.Second},
			Tasks: []engine.Task{{Weight: 1, Requests: 1, Do: func(ctx context.Context, u *engine.User) error {
				_, err := u.Get(ctx, "/api/items", "")
				return err
			}}}}}}
	rps, ok := p.MaxThroughput()
	fmt.Printf("%.0f requests/s at most (%v)\n", rps, ok)
	// Output: 100 requests/s at most (true)
}
