package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/internal/runid"
	"github.com/soaklab/soak/probe/label"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

type options struct {
	host, url, wait, client, cpuprofile string
	intervals, memprofile               string
	users                               int
	spawnRate, rate                     float64
	duration                            time.Duration
	maxWorkers                          int
	noLabels, json, labelHeader         bool
}

// benchClass is the one user class soakbench runs.
const benchClass = "Bench"

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "run" {
		args = args[1:]
	}
	var o options
	fs := flag.NewFlagSet("soakbench run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.host, "host", "", "base URL of the target (loopback only)")
	fs.StringVar(&o.url, "url", "/ok", "path to GET")
	fs.IntVar(&o.users, "users", 10, "closed model: users")
	fs.Float64Var(&o.spawnRate, "spawn-rate", 0, "closed model: users started per second (0: all at once)")
	fs.Float64Var(&o.rate, "rate", 0, "open model: arrivals per second (replaces --users)")
	fs.IntVar(&o.maxWorkers, "max-workers", 0, "open model: worker cap (0: engine default)")
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "load duration")
	fs.StringVar(&o.wait, "wait", "0", "pause between tasks: a duration or MIN-MAX (e.g. 1s-3s)")
	fs.StringVar(&o.client, "client", "", `HTTP client: "" (soak's HTTP/1.1) or "net/http"`)
	fs.BoolVar(&o.noLabels, "no-labels", false, "do not send the Soak-* label headers")
	fs.BoolVar(&o.labelHeader, "label-header", false, "print the label header line user 1's requests of --url carry (a fresh run ID), and exit: for another tool to send the same request bytes")
	fs.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile to this file")
	fs.BoolVar(&o.json, "json", false, "print the summary as JSON")
	fs.StringVar(&o.memprofile, "memprofile", "", "write a heap profile taken at the interval with the most memory in use to this file, and print that interval's memory figures")
	fs.StringVar(&o.intervals, "intervals", "", "write every interval to this file (JSON lines)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if o.labelHeader {
		fmt.Fprintf(stdout, "%s: %s\n", label.Header, label.Set{Run: runid.New(time.Now()), Class: benchClass, User: "1", Request: o.url}.Value())
		return 0
	}
	wait, err := parseWait(o.wait)
	if err != nil {
		fmt.Fprintf(stderr, "soakbench: --wait: %v\n", err)
		return 2
	}
	plan := o.plan(wait)
	// Each output file, when asked for, is opened before the run and
	// closed after it; a failure names its flag.
	for _, out := range []struct {
		flag, path string
		use        func(io.Writer) error
	}{
		{"--intervals", o.intervals, func(f io.Writer) error {
			w := engine.NewIntervalWriter(f)
			plan.OnInterval = func(iv *engine.Interval) {
				if err := w.Write(iv); err != nil {
					fmt.Fprintf(stderr, "soakbench: --intervals: %v\n", err)
				}
			}
			return nil
		}},
		{"--cpuprofile", o.cpuprofile, pprof.StartCPUProfile},
	} {
		if out.path == "" {
			continue
		}
		f, err := os.Create(out.path)
		if err == nil {
			err = out.use(f)
		}
		if err != nil {
			fmt.Fprintf(stderr, "soakbench: %s: %v\n", out.flag, err)
			return 1
		}
		defer f.Close()
	}
	if o.cpuprofile != "" {
		defer pprof.StopCPUProfile()
	}
	if o.memprofile != "" {
		peak := watchMemory(&plan, o.memprofile, stderr)
		defer peak.print(stderr)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	res, err := engine.Run(ctx, plan)
	if err != nil {
		fmt.Fprintf(stderr, "soakbench: %v\n", err)
		return 2
	}
	return report(res, o.json, stdout, stderr)
}

func (o *options) plan(wait engine.Wait) engine.Plan {
	url := o.url
	p := engine.Plan{
		Host:          o.host,
		Duration:      o.duration,
		DisableLabels: o.noLabels,
		Transport:     engine.Transport{Client: o.client},
		Classes: []engine.Class{{Name: benchClass, Weight: 1, Wait: wait, Tasks: []engine.Task{{Name: "get", Weight: 1,
			Do: func(ctx context.Context, u *engine.User) error {
				_, err := u.Get(ctx, url, "")
				return err
			}}}}},
	}
	if o.rate > 0 {
		p.Load = engine.Open{Rate: o.rate, MaxWorkers: o.maxWorkers}
	} else {
		p.Load = engine.Closed{Users: o.users, SpawnRate: o.spawnRate}
	}
	return p
}

func parseWait(s string) (engine.Wait, error) {
	if lo, hi, ok := strings.Cut(s, "-"); ok {
		min, err1 := time.ParseDuration(lo)
		max, err2 := time.ParseDuration(hi)
		if err := errors.Join(err1, err2); err != nil {
			return nil, err
		}
		return engine.Between{Min: min, Max: max}, nil
	}
	if s == "0" {
		return nil, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return nil, err
	}
	return engine.Constant{D: d}, nil
}

// summary is what soakbench prints.
type summary struct {
	Requests, Failures, RateLimited, Aborted int64
	RPS                                      float64
	P50us, P90us, P95us, P99us, MaxUs        int64
	CPUSeconds                               float64
	PeakRSSMB                                float64
	PeakUsers                                int
	Schedule                                 engine.Schedule
	GeneratorBound                           []string
	Errors                                   []engine.ErrorStat
}

func report(res *engine.Result, asJSON bool, stdout, stderr io.Writer) int {
	t := res.Total.Total()
	var cpu time.Duration
	for _, iv := range res.Intervals {
		cpu += iv.CPU
	}
	s := summary{
		Requests: t.Requests, Failures: t.Failures(), RateLimited: t.RateLimited, Aborted: t.Aborted,
		RPS:   float64(t.Requests) / res.Total.Duration().Seconds(),
		P50us: t.Percentile(50), P90us: t.Percentile(90), P95us: t.Percentile(95), P99us: t.Percentile(99), MaxUs: t.MaxMicros,
		CPUSeconds: cpu.Seconds(), PeakRSSMB: peakRSSMB(), PeakUsers: res.PeakUsers,
		Schedule: res.Total.Schedule, GeneratorBound: res.Reasons, Errors: res.Total.Errors,
	}
	if len(s.Errors) > 5 {
		s.Errors = s.Errors[:5]
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(s)
		return 0
	}
	fmt.Fprintf(stdout, "requests %d failures %d 429 %d aborted %d rps %.0f p50 %.2fms p90 %.2fms p95 %.2fms p99 %.2fms max %.2fms cpu %.2fs peak-rss %.0fMB users %d\n",
		s.Requests, s.Failures, s.RateLimited, s.Aborted, s.RPS, ms(s.P50us), ms(s.P90us), ms(s.P95us), ms(s.P99us), ms(s.MaxUs),
		s.CPUSeconds, s.PeakRSSMB, s.PeakUsers)
	if res.Model == "open" {
		fmt.Fprintf(stdout, "arrivals %d started %d late %d dropped %d max-lag %v\n",
			s.Schedule.Arrivals, s.Schedule.Started, s.Schedule.Late, s.Schedule.Dropped, s.Schedule.MaxLag())
	}
	for _, e := range s.Errors {
		fmt.Fprintf(stdout, "error %dx %s %s: %s\n", e.Count, e.Method, e.Name, e.Error)
	}
	for _, r := range s.GeneratorBound {
		fmt.Fprintf(stderr, "soakbench: generator-bound: %s\n", r)
	}
	return 0
}

func ms(us int64) float64 { return float64(us) / 1000 }

func peakRSSMB() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Maxrss) / 1024 // Linux reports KiB
}
