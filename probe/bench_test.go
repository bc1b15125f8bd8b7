package probe

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/soaklab/soak/internal/testenv"
	"github.com/soaklab/soak/probe/label"
)

// atDepth calls f with about n extra frames on the stack, as a handler
// behind a router and middleware would.
//
//go:noinline
func atDepth(n int, f func()) {
	if n <= 0 {
		f()
		return
	}
	atDepth(n-1, f)
}

// cpuPerOp reports the process CPU time per operation ("cpu-ns/op")
// beside the wall time: on a shared, overloaded machine wall time mostly
// measures waiting for a core, CPU time what the code costs. Call it after
// the setup and defer the function it returns.
func cpuPerOp(b *testing.B) func() {
	var before ProcessSnapshot
	if readRusage(&before) != nil {
		return func() {}
	}
	return func() {
		var after ProcessSnapshot
		if readRusage(&after) == nil && b.N > 0 {
			b.ReportMetric((after.CPUSeconds-before.CPUSeconds)*1e9/float64(b.N), "cpu-ns/op")
		}
	}
}

func labelled() context.Context {
	return label.NewContext(context.Background(), &label.Info{Method: "GET", Route: "/api/library/shelves"})
}

func benchPair(b *testing.B, depth int, opts ...Option) {
	p := New(opts...)
	t := p.PGX("main", nil)
	ctx := labelled()
	conn := &pgx.Conn{}
	data := pgxpool.TraceAcquireEndData{Conn: conn}
	rel := pgxpool.TraceReleaseData{Conn: conn}
	b.ReportAllocs()
	atDepth(depth, func() {
		b.ResetTimer()
		defer cpuPerOp(b)()
		for b.Loop() {
			t.TraceAcquireEnd(ctx, nil, data)
			t.TraceRelease(nil, rel)
		}
	})
}

func benchQuery(b *testing.B, depth int, opts ...Option) {
	p := New(opts...)
	t := p.PGX("main", nil)
	ctx := labelled()
	conn := &pgx.Conn{}
	start := pgx.TraceQueryStartData{SQL: "SELECT id, title FROM stories WHERE slug = $1"}
	end := pgx.TraceQueryEndData{CommandTag: pgconn.NewCommandTag("SELECT 1")}
	b.ReportAllocs()
	atDepth(depth, func() {
		b.ResetTimer()
		defer cpuPerOp(b)()
		for b.Loop() {
			t.TraceQueryEnd(ctx, conn, end)
			t.TraceQueryStart(ctx, conn, start)
		}
	})
}

// BenchmarkAcquireRelease is the leak registry's cost per acquire+release
// pair, stack captured, at a shallow stack and at a handler's depth, and
// at that depth with runtime.Callers (WithFramePointers(false)).
func BenchmarkAcquireRelease(b *testing.B) {
	for _, d := range []int{0, 25} {
		b.Run(fmt.Sprintf("depth=%d", d), func(b *testing.B) { benchPair(b, d) })
		b.Run(fmt.Sprintf("depth=%d/sample=16", d), func(b *testing.B) { benchPair(b, d, WithStackSampling(16)) })
	}
	b.Run("depth=25/callers", func(b *testing.B) { benchPair(b, 25, WithFramePointers(false)) })
	b.Run("depth=25/callers/sample=16", func(b *testing.B) {
		benchPair(b, 25, WithFramePointers(false), WithStackSampling(16))
	})
}

// BenchmarkQueryTrace is the query tracer's cost per start+end pair.
func BenchmarkQueryTrace(b *testing.B) {
	for _, d := range []int{0, 25} {
		b.Run(fmt.Sprintf("depth=%d", d), func(b *testing.B) { benchQuery(b, d) })
		b.Run(fmt.Sprintf("depth=%d/sample=16", d), func(b *testing.B) { benchQuery(b, d, WithStackSampling(16)) })
	}
}

// BenchmarkSnapshot takes a snapshot of a service with 2 pools, 1 Redis
// client and 50 routes, all with traffic recorded (INFO and pool stats
// from the real servers; INFO is polled once per interval, as in service).
func BenchmarkSnapshot(b *testing.B) {
	p := New()
	ctx := context.Background()
	for i := 0; i < 2; i++ {
		cfg, err := pgxpool.ParseConfig(testenv.DatabaseURL(b))
		if err != nil {
			b.Fatal(err)
		}
		pg := p.PGX(fmt.Sprint("pool", i), cfg)
		pool, err := pgxpool.NewWithConfig(ctx, cfg)
		if err != nil {
			b.Fatal(err)
		}
		defer pool.Close()
		pg.Observe(pool)
		for q := 0; q < 20; q++ {
			if _, err := pool.Exec(ctx, fmt.Sprintf("SELECT %d AS c%d", q, q)); err != nil {
				b.Fatal(err)
			}
		}
	}
	opt, _ := redis.ParseURL(testenv.RedisURL(b))
	rc := redis.NewClient(opt)
	defer rc.Close()
	p.Redis("cache", rc)
	for _, c := range []string{"get", "set", "mget", "del"} {
		rc.Do(ctx, c, "soak-bench-none")
	}
	for r := 0; r < 50; r++ {
		rs := p.HTTP().Route("GET", fmt.Sprintf("/api/route/%d", r))
		for i := 0; i < 1000; i++ {
			rs.Done(200+i%3*100, time.Duration(i*37)*time.Microsecond, 100, 1000)
		}
	}
	p.Cache("pages").Hit()
	if _, err := p.Snapshot(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	defer cpuPerOp(b)()
	for b.Loop() {
		if _, err := p.Snapshot(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStackCapture is one stack capture at a handler's depth: the
// probe's (frame pointers on amd64) beside runtime.Callers into the same
// fixed array, the way it was done before.
func BenchmarkStackCapture(b *testing.B) {
	b.Run("probe", func(b *testing.B) {
		var st stackTable
		st.init(DefaultMaxStacks, DefaultStackDepth, 1, true)
		b.ReportAllocs()
		atDepth(25, func() {
			b.ResetTimer()
			defer cpuPerOp(b)()
			for b.Loop() {
				st.capture(0)
			}
		})
	})
	b.Run("runtime.Callers", func(b *testing.B) {
		var buf [DefaultStackDepth]uintptr
		b.ReportAllocs()
		atDepth(25, func() {
			b.ResetTimer()
			defer cpuPerOp(b)()
			for b.Loop() {
				n := runtime.Callers(2, buf[:])
				_ = hashPCs(buf[:n])
			}
		})
	})
}

var allocSink []byte

// BenchmarkHeapProfileRate is the cost of heap sampling per allocation of
// 1 KiB: at the runtime's 512 KiB and at the 16 KiB of
// WithHeapProfileRate(16 << 10), side by side.
func BenchmarkHeapProfileRate(b *testing.B) {
	for _, rate := range []int{DefaultHeapProfileRate, 16 << 10} {
		b.Run(fmt.Sprintf("rate=%dKiB", rate>>10), func(b *testing.B) {
			old := runtime.MemProfileRate
			runtime.MemProfileRate = rate
			defer func() { runtime.MemProfileRate = old }()
			b.ReportAllocs()
			atDepth(25, func() {
				b.ResetTimer()
				defer cpuPerOp(b)()
				for b.Loop() {
					allocSink = make([]byte, 1024)
				}
			})
		})
	}
}
