package web

import (
	"cmp"
	"path/filepath"
	"slices"
	"time"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/analysis"
	"github.com/soaklab/soak/engine/capture"
)

// maxEndpoints bounds the rows of the endpoints table sent each interval.
const maxEndpoints = 50

// feed is the run's state the events are computed from. Guarded by feedMu
// (Interval and Sample come from different goroutines).
type feed struct {
	start     time.Time
	endpoints map[[2]string]*engine.Stat // cumulative, per (method, name)
	last      map[string]capture.Point   // the previous point per source
	phase     capture.Phase
}

// startEvent describes the run.
type startEvent struct {
	RunID      string   `json:"run_id"`
	Host       string   `json:"host"`
	Model      string   `json:"model"`
	Start      int64    `json:"start_ms"` // Unix ms: the charts' origin
	IntervalMS int64    `json:"interval_ms"`
	Duration   float64  `json:"duration_s"`
	Users      int      `json:"users,omitempty"`
	Rate       float64  `json:"rate,omitempty"`
	Classes    []string `json:"classes"`
	ReadOnly   bool     `json:"read_only"`
	Controls   bool     `json:"controls"` // users or rate can be changed
}

// intervalEvent is one engine interval, as the charts need it.
type intervalEvent struct {
	T        float64        `json:"t"` // seconds since the start, at the interval's end
	Users    int            `json:"users"`
	RPS      float64        `json:"rps"`
	P50      float64        `json:"p50_ms"`
	P95      float64        `json:"p95_ms"`
	P99      float64        `json:"p99_ms"`
	Requests int64          `json:"requests"`
	Failures int64          `json:"failures"`
	R429     int64          `json:"r429"`
	Dropped  int64          `json:"dropped,omitempty"` // open model: arrivals dropped
	Changes  []changeMarker `json:"changes,omitempty"`
	Lost     []string       `json:"lost,omitempty"`
}

// changeMarker is a load change made through the controls.
type changeMarker struct {
	T    float64 `json:"t"`
	Text string  `json:"text"`
}

// sampleEvent is one probe sample, as the charts need it; figures the
// probe does not have are omitted.
type sampleEvent struct {
	T            float64  `json:"t"`
	Source       string   `json:"source"`
	Phase        string   `json:"phase"`
	Error        string   `json:"error,omitempty"`
	HeapMB       *float64 `json:"heap_mb,omitempty"`
	Goroutines   *int64   `json:"goroutines,omitempty"`
	PoolInUse    *int64   `json:"pool_in_use,omitempty"`
	PoolMax      *int64   `json:"pool_max,omitempty"`
	PoolWaits    *int64   `json:"pool_waits,omitempty"`     // empty acquires since the previous sample
	CacheHitRate *float64 `json:"cache_hit_rate,omitempty"` // since the previous sample, 0..1
	HeldConns    *int64   `json:"held_conns,omitempty"`
	LeakSuspects *int64   `json:"leak_suspects,omitempty"`
}

// endpointRow is one line of the cumulative endpoints table.
type endpointRow struct {
	Method   string  `json:"method"`
	Name     string  `json:"name"`
	Requests int64   `json:"requests"`
	Failures int64   `json:"failures"`
	R429     int64   `json:"r429"`
	P50      float64 `json:"p50_ms"`
	P95      float64 `json:"p95_ms"`
	P99      float64 `json:"p99_ms"`
	Max      float64 `json:"max_ms"`
}

// Start announces the run (engine.Plan.OnStart).
func (s *Server) Start(ri engine.RunInfo) {
	s.feedMu.Lock()
	// The baseline's samples came before: their phase and points stay.
	s.feed.start, s.feed.endpoints = ri.Start, map[[2]string]*engine.Stat{}
	s.feedMu.Unlock()
	ev := startEvent{RunID: ri.RunID, Host: ri.Host, Model: ri.Model, Start: ri.Start.UnixMilli(),
		IntervalMS: ri.Interval.Milliseconds(), Duration: ri.Duration.Seconds(), Users: ri.Users, Rate: ri.Rate,
		ReadOnly: s.cfg.ReadOnly, Controls: s.cfg.Control != nil && !s.cfg.ReadOnly}
	for _, c := range ri.Classes {
		ev.Classes = append(ev.Classes, c.Name)
	}
	s.publish("start", ev)
}

func ms(us int64) float64 { return float64(us) / 1000 }

// Interval publishes one interval (engine.Plan.OnInterval) and the
// endpoints table so far. It does not keep or modify iv.
func (s *Server) Interval(iv *engine.Interval) {
	s.feedMu.Lock()
	defer s.feedMu.Unlock()
	f := &s.feed
	if f.endpoints == nil {
		return // no Start
	}
	tot := iv.Total()
	ev := intervalEvent{T: iv.End.Sub(f.start).Seconds(), Users: iv.Users, Requests: tot.Requests,
		Failures: tot.Failures(), R429: tot.RateLimited, Dropped: iv.Schedule.Dropped, Lost: iv.Lost}
	if d := iv.Duration().Seconds(); d > 0 {
		ev.RPS = float64(tot.Requests) / d
	}
	if tot.Requests > 0 {
		ev.P50, ev.P95, ev.P99 = ms(tot.Percentile(50)), ms(tot.Percentile(95)), ms(tot.Percentile(99))
	}
	for _, c := range iv.Changes {
		ev.Changes = append(ev.Changes, changeMarker{T: c.At.Sub(f.start).Seconds(), Text: c.String()})
	}
	for i := range iv.Stats {
		st := &iv.Stats[i]
		k := [2]string{st.Method, st.Name}
		if e, ok := f.endpoints[k]; ok {
			e.Merge(st)
		} else {
			c := st.Clone()
			f.endpoints[k] = &c
		}
	}
	rows := make([]endpointRow, 0, len(f.endpoints))
	for _, e := range f.endpoints {
		r := endpointRow{Method: e.Method, Name: e.Name, Requests: e.Requests, Failures: e.Failures(), R429: e.RateLimited,
			Max: ms(e.MaxMicros)}
		if e.Requests > 0 {
			r.P50, r.P95, r.P99 = ms(e.Percentile(50)), ms(e.Percentile(95)), ms(e.Percentile(99))
		}
		rows = append(rows, r)
	}
	slices.SortFunc(rows, func(a, b endpointRow) int {
		return cmp.Or(cmp.Compare(b.Requests, a.Requests), cmp.Compare(a.Name, b.Name), cmp.Compare(a.Method, b.Method))
	})
	more := max(len(rows)-maxEndpoints, 0)
	rows = rows[:min(len(rows), maxEndpoints)]
	s.publish("interval", ev)
	s.publish("endpoints", struct {
		Rows []endpointRow `json:"rows"`
		More int           `json:"more,omitempty"`
	}{rows, more})
}

// Sample publishes one probe sample (runner.Config.OnSample), and a
// phase event when the run enters a new phase. It does not keep smp.
func (s *Server) Sample(smp *capture.Sample) {
	s.feedMu.Lock()
	defer s.feedMu.Unlock()
	f := &s.feed
	if f.last == nil {
		f.last = map[string]capture.Point{}
	}
	t := 0.0
	if !f.start.IsZero() {
		t = smp.Time.Sub(f.start).Seconds()
	}
	if smp.Phase != f.phase {
		f.phase = smp.Phase
		s.publish("phase", struct {
			T     float64 `json:"t"`
			Phase string  `json:"phase"`
		}{t, string(smp.Phase)})
	}
	ev := sampleEvent{T: t, Source: smp.Source, Phase: string(smp.Phase), Error: smp.Error}
	if smp.Snapshot != nil {
		p := capture.NewPoint(smp.Time, smp.Phase, smp.Snapshot)
		prev, hasPrev := f.last[smp.Source]
		if len(f.last) < 1024 || hasPrev {
			f.last[smp.Source] = p
		}
		heap := float64(p.LiveHeapBytes) / (1 << 20)
		g, leaks := p.Goroutines, int64(p.LeakSuspects)
		ev.HeapMB, ev.Goroutines, ev.LeakSuspects = &heap, &g, &leaks
		if len(p.Pools) > 0 {
			var inUse, maxConns, held, empty, prevEmpty int64
			for _, pp := range p.Pools {
				inUse += int64(pp.Acquired)
				maxConns += int64(pp.Max)
				held += int64(pp.Held)
				empty += pp.EmptyAcquire
				if hasPrev {
					if q := prev.Pool(pp.Name); q != nil {
						prevEmpty += q.EmptyAcquire
					} else {
						prevEmpty += pp.EmptyAcquire
					}
				}
			}
			waits := int64(0)
			if hasPrev {
				waits = max(empty-prevEmpty, 0)
			}
			ev.PoolInUse, ev.PoolMax, ev.HeldConns, ev.PoolWaits = &inUse, &maxConns, &held, &waits
		}
		if hasPrev {
			hits, total := cacheDelta(prev, p)
			if total > 0 {
				r := float64(hits) / float64(total)
				ev.CacheHitRate = &r
			}
		}
	}
	s.publish("sample", ev)
}

// cacheDelta is the hits and lookups of every cache between two points.
func cacheDelta(prev, p capture.Point) (hits, total uint64) {
	old := map[string]capture.CachePoint{}
	for _, c := range prev.Caches {
		old[c.Kind+"/"+c.Name] = c
	}
	for _, c := range p.Caches {
		o, ok := old[c.Kind+"/"+c.Name]
		if !ok || c.Hits < o.Hits || c.Misses < o.Misses {
			continue // new, or restarted: no delta
		}
		h, m := c.Hits-o.Hits, c.Misses-o.Misses
		hits += h
		total += h + m
	}
	return hits, total
}

// warningEvent is an early warning, as the page's warnings panel and
// chart markers need it.
type warningEvent struct {
	T       float64 `json:"t"` // seconds since the start (0 before the load)
	Kind    string  `json:"kind"`
	Source  string  `json:"source,omitempty"`
	Text    string  `json:"text"`
	Clock   string  `json:"clock"` // the run time, as the live view writes it: "0m34s"
	EndedIt bool    `json:"ended_run,omitempty"`
}

// Warning publishes an early warning as it is raised
// (runner.Config.OnWarning): the detectors' live signal, long before
// the findings. A late viewer is sent it with the history.
func (s *Server) Warning(w capture.Warning) {
	s.publish("warning", warningEvent{T: w.At.Seconds(), Kind: string(w.Kind), Source: w.Source, Text: w.Text(),
		Clock: capture.ClockText(w.At), EndedIt: w.EndedRun})
}

// Final is what [Server.Done] shows when the run is over.
type Final struct {
	// Analysis is the run's result; nil when the run failed before one.
	Analysis *analysis.Result
	// ExitCode is the command's exit code.
	ExitCode int
	// Files are the outputs written, offered for download by base name.
	Files []string
	// Dir is the results directory, shown as where the files are.
	Dir string
	// Interrupted marks partial outputs.
	Interrupted bool
}

// findingRow is one finding for the findings panel.
type findingRow struct {
	Detector string `json:"detector"`
	Source   string `json:"source,omitempty"`
	Verdict  string `json:"verdict"`
	Severity string `json:"severity"`
	Summary  string `json:"summary"`
	NextStep string `json:"next_step,omitempty"`
}

// Done publishes the end of the run: its ending, verdict, findings and
// the files to download, which the server then serves.
func (s *Server) Done(fin Final) {
	type file struct {
		Name string `json:"name"`
		URL  string `json:"url"`
	}
	ev := struct {
		Ending      string       `json:"ending"`
		ExitCode    int          `json:"exit_code"`
		Interrupted bool         `json:"interrupted"`
		Dir         string       `json:"dir"`
		Findings    []findingRow `json:"findings"`
		Files       []file       `json:"files"`
	}{ExitCode: fin.ExitCode, Interrupted: fin.Interrupted, Dir: fin.Dir, Findings: []findingRow{}, Files: []file{}}
	if a := fin.Analysis; a != nil {
		if a.Engine != nil {
			ev.Ending = string(a.Engine.Ending())
		}
		for _, f := range a.Findings {
			ev.Findings = append(ev.Findings, findingRow{Detector: string(f.Detector), Source: f.Source,
				Verdict: string(f.Verdict), Severity: f.Severity.String(), Summary: f.Summary, NextStep: f.NextStep})
		}
	}
	s.mu.Lock()
	for _, p := range fin.Files {
		name := filepath.Base(p)
		if _, dup := s.files[name]; dup {
			continue // the same output written twice (--html beside report.html): one link
		}
		s.files[name] = p
		ev.Files = append(ev.Files, file{Name: name, URL: "files/" + name})
	}
	s.done = true
	s.mu.Unlock()
	s.publish("done", ev)
}
