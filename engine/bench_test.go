package engine

import (
	"bytes"
	"context"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"
)

// BenchmarkRecord is the recording path of one request: shard lock, stat
// lookup, counters, histogram. It must not allocate.
func BenchmarkRecord(b *testing.B) {
	rec := newRecorder(4, 100, DefaultMaxNames)
	sh := rec.shardFor(1)
	k := statKey{"GET", "/api/stories/[slug]"}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		sh.record(k, outcome{us: int64(200 + i%5000), bytes: 512})
	}
}

// BenchmarkRecordOverflow is the recording path of a scenario that names
// every request by its URL: 10,000 distinct names against the default
// cap of 1,000, so most requests look their name up in the shared
// registry (under its read lock) and land in (GET, OtherName). It must not
// allocate either.
func BenchmarkRecordOverflow(b *testing.B) {
	rec := newRecorder(4, 100, DefaultMaxNames)
	sh := rec.shardFor(1)
	keys := make([]statKey, 10_000)
	for i := range keys {
		keys[i] = statKey{"GET", "/api/stories/story-" + strconv.Itoa(i)}
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		sh.record(keys[i%len(keys)], outcome{us: int64(200 + i%5000), bytes: 512})
	}
}

// BenchmarkRecordParallel records from every core into its own shard.
func BenchmarkRecordParallel(b *testing.B) {
	rec := newRecorder(shardCount(), 100, DefaultMaxNames)
	k := statKey{"GET", "/ok"}
	var next int
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		next++
		sh := rec.shardFor(next)
		i := 0
		for pb.Next() {
			sh.record(k, outcome{us: int64(200 + i%5000), bytes: 47})
			i++
		}
	})
}

// BenchmarkUserGet is one user's request over loopback with soak's
// HTTP/1.1 client, recorded: the whole per-request path.
func BenchmarkUserGet(b *testing.B) {
	for _, client := range []string{"", "net/http"} {
		b.Run("client="+map[string]string{"": "h1", "net/http": "net/http"}[client], func(b *testing.B) {
			host := cannedServer(b)
			r, u := benchUser(b, host, client)
			defer r.client.closeIdle()
			defer r.abort()
			defer u.close()
			ctx := r.runCtx
			q := &Request{Path: "/ok", Name: "/ok"}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := u.Do(ctx, q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// cannedServer answers every request on a connection with the same bytes,
// allocating nothing per request, so that a benchmark in the same process
// counts the client's allocations only. It returns the base URL.
func cannedServer(tb testing.TB) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	body := `{"status":"ok","items":[1,2,3,4,5,6,7,8,9,10]}`
	resp := []byte("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
		strconv.Itoa(len(body)) + "\r\n\r\n" + body)
	var wg sync.WaitGroup
	tb.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				buf := make([]byte, 8192)
				have := 0
				for {
					n, err := c.Read(buf[have:])
					if err != nil {
						return
					}
					have += n
					for {
						i := bytes.Index(buf[:have], []byte("\r\n\r\n"))
						if i < 0 {
							break
						}
						if _, err := c.Write(resp); err != nil {
							return
						}
						have = copy(buf, buf[i+4:have])
					}
				}
			}()
		}
	}()
	return "http://" + ln.Addr().String()
}

// benchUser builds a runner and one user without starting a run.
func benchUser(tb testing.TB, host, client string) (*runner, *User) {
	tb.Helper()
	p := Plan{Host: host, Duration: time.Second, Load: Closed{Users: 1}, Transport: Transport{Client: client},
		Classes: []Class{{Name: "B", Weight: 1, Tasks: []Task{{Weight: 1, Do: func(context.Context, *User) error { return nil }}}}}}
	if err := p.Validate(); err != nil {
		tb.Fatal(err)
	}
	r := &runner{plan: p}
	r.init(context.Background())
	return r, r.newUser(r.classes[0], 1)
}

// BenchmarkDispatch is the open model's dispatcher: pace an arrival with
// go.uber.org/ratelimit, pick its class, hand it to an idle worker, which
// runs a no-op task. It reports the cost per arrival at a rate the
// dispatcher cannot keep up with (so it never sleeps).
func BenchmarkDispatch(b *testing.B) {
	p := Plan{Host: "http://127.0.0.1:9", Duration: time.Hour, Load: Open{Rate: 1e7, MaxWorkers: 64},
		Classes: []Class{{Name: "A", Weight: 3, Tasks: []Task{{Weight: 1, Do: noop}}},
			{Name: "B", Weight: 1, Tasks: []Task{{Weight: 1, Do: noop}}}}}
	r := &runner{plan: p}
	r.init(context.Background())
	o := &openLoad{r: r, mix: newMix(p.Classes), maxWorkers: 64}
	for range r.classes {
		o.idle = append(o.idle, make(chan time.Time))
	}
	period := time.Duration(float64(time.Second) / 1e7)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	o.dispatch(1e7, start, start.Add(time.Duration(b.N)*period))
	b.StopTimer()
	r.finish()
	if a := r.sched.arrivals.Load(); a != int64(b.N) {
		b.Fatalf("%d arrivals for b.N = %d", a, b.N)
	}
}
