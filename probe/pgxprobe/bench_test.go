package pgxprobe

import (
	"context"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/soaklab/soak/internal/testenv"
	"github.com/soaklab/soak/probe"
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

func labelled() context.Context {
	return label.NewContext(context.Background(), &label.Info{Method: "GET", Route: "/api/library/shelves"})
}

func benchPair(b *testing.B, depth int, opts ...probe.Option) {
	p := probe.New(opts...)
	t := New(p, "main", nil)
	ctx := labelled()
	conn := &pgx.Conn{}
	data := pgxpool.TraceAcquireEndData{Conn: conn}
	rel := pgxpool.TraceReleaseData{Conn: conn}
	b.ReportAllocs()
	atDepth(depth, func() {
		b.ResetTimer()
		defer testenv.CPUPerOp(b)()
		for b.Loop() {
			t.TraceAcquireEnd(ctx, nil, data)
			t.TraceRelease(nil, rel)
		}
	})
}

func benchQuery(b *testing.B, depth int, opts ...probe.Option) {
	p := probe.New(opts...)
	t := New(p, "main", nil)
	ctx := labelled()
	conn := &pgx.Conn{}
	start := pgx.TraceQueryStartData{SQL: "SELECT id, title FROM stories WHERE slug = $1"}
	end := pgx.TraceQueryEndData{CommandTag: pgconn.NewCommandTag("SELECT 1")}
	b.ReportAllocs()
	atDepth(depth, func() {
		b.ResetTimer()
		defer testenv.CPUPerOp(b)()
		for b.Loop() {
			t.TraceQueryEnd(ctx, conn, end)
			t.TraceQueryStart(ctx, conn, start)
		}
	})
}

// BenchmarkAcquireRelease is the leak registry's cost per acquire+release
// pair, stack captured, at a shallow stack and at a handler's depth, and
// at that depth with runtime.Callers (probe.WithFramePointers(false)).
func BenchmarkAcquireRelease(b *testing.B) {
	for _, d := range []int{0, 25} {
		b.Run(fmt.Sprintf("depth=%d", d), func(b *testing.B) { benchPair(b, d) })
		b.Run(fmt.Sprintf("depth=%d/sample=16", d), func(b *testing.B) { benchPair(b, d, probe.WithStackSampling(16)) })
	}
	b.Run("depth=25/callers", func(b *testing.B) { benchPair(b, 25, probe.WithFramePointers(false)) })
	b.Run("depth=25/callers/sample=16", func(b *testing.B) {
		benchPair(b, 25, probe.WithFramePointers(false), probe.WithStackSampling(16))
	})
}

// BenchmarkQueryTrace is the query tracer's cost per start+end pair.
func BenchmarkQueryTrace(b *testing.B) {
	for _, d := range []int{0, 25} {
		b.Run(fmt.Sprintf("depth=%d", d), func(b *testing.B) { benchQuery(b, d) })
		b.Run(fmt.Sprintf("depth=%d/sample=16", d), func(b *testing.B) { benchQuery(b, d, probe.WithStackSampling(16)) })
	}
}
