package pgxprobe_test

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/soaklab/soak/probe"
	"github.com/soaklab/soak/probe/label"
	"github.com/soaklab/soak/probe/pgxprobe"
)

// leakyHandler stands for a handler that acquires a connection and never
// releases it (here the tracer is called directly, as pgxpool would).
func leakyHandler(ctx context.Context, pg *pgxprobe.Tracer) {
	pg.TraceAcquireEnd(ctx, nil, pgxpool.TraceAcquireEndData{Conn: &pgx.Conn{}})
}

// A connection acquired by a request and never released shows in the
// probe's leak report with the function and route that acquired it.
func ExampleNew() {
	start := time.Date(2026, 2, 18, 10, 0, 0, 0, time.UTC)
	now := start
	p := probe.New(probe.WithClock(func() time.Time { return now }))
	pg := pgxprobe.New(p, "main", nil) // with a *pgxpool.Config: before pgxpool.NewWithConfig
	ctx := label.NewContext(context.Background(), &label.Info{Method: "GET", Route: "/api/library/shelves"})
	leakyHandler(ctx, pg)

	now = now.Add(time.Minute)
	for _, g := range p.Leaks(30 * time.Second).Groups {
		fmt.Println(g.Kind, g.Count, g.OldestSeconds, g.Function, g.Routes[0].Route)
	}
	// Output: pgx-conn 1 60 github.com/soaklab/soak/probe/pgxprobe_test.leakyHandler /api/library/shelves
}

func ExampleNormalizeSQL() {
	fmt.Println(pgxprobe.NormalizeSQL("SELECT * FROM stories WHERE slug = 'why-soak' AND id IN (1, 2, 3)"))
	// Output: SELECT * FROM stories WHERE slug = ? AND id IN (...)
}
