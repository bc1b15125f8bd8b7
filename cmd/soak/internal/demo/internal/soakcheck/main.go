// Command soakcheck soaks the demo service with the seed scenario, once
// clean and once per planted fault, and prints what the probe saw: the
// figures behind the claim that each fault is plain in a 2-3 minute soak
// while the clean service stays flat (docs/performance.md, section demo).
//
//	go run ./cmd/soak/internal/demo/internal/soakcheck -users 100 -duration 2m
//
// The service runs in a child process (this binary with -child), as
// `soak demo --serve` would, so that its heap and goroutines are its own,
// not the load generator's; the parent reads its probe over the admin
// endpoint. Every run uses a fresh PostgreSQL schema (dropped afterwards)
// and Redis key prefix. Load goes to loopback only, for a bounded time.
package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"

	"github.com/soaklab/soak/cmd/soak/internal/demo"
	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/scenario"
	"github.com/soaklab/soak/probe"
)

var (
	users    = flag.Int("users", 100, "virtual users")
	duration = flag.Duration("duration", 2*time.Minute, "load duration per run")
	drain    = flag.Duration("drain", 20*time.Second, "time watched after the load stops")
	faults   = flag.String("faults", "none,conn-leak,goroutine-leak,heap-leak,pool-exhausted", "runs, comma-separated")
	dbURL    = flag.String("database-url", "postgres://root@127.0.0.1:5432/test?sslmode=disable", "PostgreSQL (\"\": memory)")
	redisURL = flag.String("redis-url", "redis://127.0.0.1:6379/0", "Redis (\"\": none)")
	seed     = flag.String("scenario", "docs/scenarios/seed.yaml", "scenario file")
	heapDir  = flag.String("heap-profiles", "", "directory for the service's heap profiles at 30 s and after the drain")
	child    = flag.String("child", "", "internal: serve the demo with this fault (\"none\") and the given -schema")
	schema   = flag.String("schema", "", "internal: the child's schema")
)

func main() {
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if *child != "" {
		if err := serveChild(ctx); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	sc, err := scenario.Load(*seed)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	fmt.Printf("seed scenario, %d users spawned at 20/s, %v load + %v drain per run, samples every 5 s\n\n",
		*users, *duration, *drain)
	for _, f := range strings.Split(*faults, ",") {
		if err := soak(ctx, sc, f); err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", f, err)
			os.Exit(1)
		}
	}
}

func config(fault, schema string) demo.Config {
	cfg := demo.Config{DatabaseURL: *dbURL, RedisURL: *redisURL, Schema: schema}
	if fault != "none" {
		cfg.Faults = []string{fault}
	}
	return cfg
}

// serveChild serves the demo until stdin closes, after printing
// "READY <api URL> <admin URL>".
func serveChild(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		cancel()
	}()
	return demo.Serve(ctx, config(*child, *schema), "127.0.0.1:0", "127.0.0.1:0", func(s *demo.Server) {
		fmt.Println("READY", s.URL(), s.AdminURL())
	})
}

func soak(ctx context.Context, sc *scenario.Scenario, fault string) error {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	name := "soakcheck_" + hex.EncodeToString(b)
	defer cleanup(config(fault, name))

	cmd := exec.CommandContext(ctx, os.Args[0], "-child", fault, "-schema", name,
		"-database-url", *dbURL, "-redis-url", *redisURL)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() { stdin.Close(); _ = cmd.Wait() }()
	var ready, api, admin string
	if _, err := fmt.Fscan(bufio.NewReader(stdout), &ready, &api, &admin); err != nil || ready != "READY" {
		return fmt.Errorf("child did not start: %v", err)
	}
	client, err := probe.NewClient(admin, "")
	if err != nil {
		return err
	}
	plan, err := sc.Plan(scenario.Options{Host: api, Load: engine.Closed{Users: *users, SpawnRate: 20}, Duration: *duration})
	if err != nil {
		return err
	}

	start := time.Now()
	var samples []sample
	done, sampled := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(5 * time.Second)
		defer tick.Stop()
		for {
			samples = append(samples, take(ctx, client, time.Since(start)))
			if len(samples) == 7 {
				saveHeap(ctx, client, fault, "30s")
			}
			select {
			case <-tick.C:
			case <-done:
				return
			}
		}
	}()
	res, runErr := engine.Run(ctx, plan)
	select {
	case <-time.After(*drain):
	case <-ctx.Done():
	}
	close(done)
	<-sampled
	samples = append(samples, take(ctx, client, time.Since(start)))
	saveHeap(ctx, client, fault, "end")
	if runErr != nil {
		return runErr
	}
	report(fault, res, samples)
	return nil
}

// sample is what soakcheck keeps of one probe snapshot.
type sample struct {
	at                  time.Duration
	heapMB              float64
	goroutines          int64
	acquired, held, max int32
	emptyAcq            int64
	emptyWait           float64
	pageEntries         int64
	leaked              int
}

func take(ctx context.Context, c *probe.Client, at time.Duration) sample {
	snap, err := c.Snapshot(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "snapshot:", err)
		return sample{at: at}
	}
	s := sample{at: at, heapMB: float64(snap.Runtime.LiveHeapBytes) / (1 << 20), goroutines: snap.Runtime.Goroutines}
	if len(snap.Pools) > 0 {
		pl := snap.Pools[0]
		s.acquired, s.held, s.max = pl.AcquiredConns, int32(pl.HeldConns), pl.MaxConns
		s.emptyAcq, s.emptyWait = pl.EmptyAcquireCount, pl.EmptyAcquireWaitSeconds
	}
	if cs, ok := snap.Cache("story-pages"); ok {
		s.pageEntries = cs.Entries
	}
	if leaks, err := c.LeaksMinAge(ctx, 0); err == nil {
		for _, g := range leaks.Groups {
			if g.Kind == probe.LeakPGXConn && strings.Contains(g.Function, "leakShelvesConnection") {
				s.leaked += g.Count
			}
		}
	}
	return s
}

func saveHeap(ctx context.Context, c *probe.Client, fault, when string) {
	if *heapDir == "" {
		return
	}
	b, err := c.Profile(ctx, probe.ProfileHeap, 0)
	if err == nil {
		err = os.WriteFile(filepath.Join(*heapDir, fault+"-"+when+".heap"), b, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "heap profile:", err)
	}
}

func report(name string, res *engine.Result, samples []sample) {
	var reqs, fails, limited int64
	h := &engine.Histogram{}
	for i := range res.Total.Stats {
		st := &res.Total.Stats[i]
		reqs += st.Requests
		fails += st.Failures()
		limited += st.RateLimited
		h.Merge(st.Latency)
	}
	fmt.Printf("## %s: %d requests (%.0f/s), %.2f%% failed, %d 429s, p95 %v, p99 %v\n", name, reqs,
		float64(reqs)/duration.Seconds(), 100*float64(fails)/float64(max(reqs, 1)), limited,
		h.Quantile(0.95).Round(time.Millisecond), h.Quantile(0.99).Round(time.Millisecond))
	fmt.Println("   t    heap MB  goroutines  pool acq/max  held  leaked  empty acq  waited s  pages")
	for i, s := range samples {
		if i%3 != 0 && i != len(samples)-1 { // every 15 s, and the last
			continue
		}
		fmt.Printf("%5.0fs %8.1f %10d %8d/%-4d %5d %7d %10d %9.1f %6d\n", s.at.Seconds(), s.heapMB, s.goroutines,
			s.acquired, s.max, s.held, s.leaked, s.emptyAcq, s.emptyWait, s.pageEntries)
	}
	fmt.Println()
}

// cleanup drops the run's schema and Redis keys.
func cleanup(cfg demo.Config) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if cfg.DatabaseURL != "" {
		if conn, err := pgx.Connect(ctx, cfg.DatabaseURL); err == nil {
			_, _ = conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{cfg.Schema}.Sanitize()+" CASCADE")
			conn.Close(ctx)
		}
	}
	if cfg.RedisURL != "" {
		if opts, err := redis.ParseURL(cfg.RedisURL); err == nil {
			rdb := redis.NewClient(opts)
			iter := rdb.Scan(ctx, 0, cfg.Schema+":*", 500).Iterator()
			for iter.Next(ctx) {
				rdb.Del(ctx, iter.Val())
			}
			rdb.Close()
		}
	}
}
