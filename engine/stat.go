package engine

import (
	"cmp"
	"slices"
	"time"
)

// AggregatedName is the Name of the Stat that sums every (method, name),
// as Locust's "Aggregated" row does.
const AggregatedName = "Aggregated"

// Stat is what happened to the requests of one (Method, Name) over a span
// of time: an interval, a window of intervals, or the whole run. Everything
// Locust's stats.py reports can be derived from it: request and failure
// counts, median, average, min, max, average content size, requests/s and
// failures/s (divide by the span), and any percentile.
//
// Latencies are in microseconds, from the request's start (its intended
// start in the open model) to the last byte of its response. Every
// completed request is in the histogram: successes, failures and 429s
// alike (Locust counts failures' response times too). Requests cut short
// by the end of the run are in Aborted and nowhere else.
//
// Stats merge exactly with [Stat.Merge]. A Stat is not safe for concurrent
// mutation.
type Stat struct {
	Method string `json:"method"` // HTTP method, e.g. "GET"
	Name   string `json:"name"`   // grouping name, e.g. "/api/stories/[slug]"

	Requests    int64  `json:"requests"`     // completed requests, including failures and 429s
	Kinds       ByKind `json:"failures"`     // failures by kind (429s excluded)
	RateLimited int64  `json:"rate_limited"` // HTTP 429 answers, neither success nor failure
	Aborted     int64  `json:"aborted"`      // requests cut short by the run's end or cancellation
	Bytes       int64  `json:"bytes"`        // response body bytes received

	SumMicros  int64 `json:"sum_us"`       // exact sum of latencies, µs
	MinMicros  int64 `json:"min_us"`       // exact smallest latency, µs (0 when Requests == 0)
	MaxMicros  int64 `json:"max_us"`       // exact largest latency, µs
	OutOfRange int64 `json:"out_of_range"` // latencies above HighestMicros, recorded as HighestMicros

	Latency *Histogram `json:"latency"` // latency distribution, µs; nil when Requests == 0
}

// Failures is the number of failed requests (429s excluded).
func (s *Stat) Failures() int64 { return s.Kinds.Total() }

// Successes is the number of requests that neither failed nor were rate limited.
func (s *Stat) Successes() int64 { return s.Requests - s.Failures() - s.RateLimited }

// Mean is the exact mean latency, in microseconds (0 when empty).
func (s *Stat) Mean() float64 {
	if s.Requests == 0 {
		return 0
	}
	return float64(s.SumMicros) / float64(s.Requests)
}

// AvgBytes is the mean response body size, in bytes (Locust's "Average
// Content Size").
func (s *Stat) AvgBytes() float64 {
	if s.Requests == 0 {
		return 0
	}
	return float64(s.Bytes) / float64(s.Requests)
}

// Percentile returns the latency at percentile p (0 < p <= 100) in
// microseconds, within the histogram's precision and within the exact
// [MinMicros, MaxMicros]: the histogram answers with the highest value
// of a bucket, which may lie above the largest latency recorded in it
// (a p100 above the max).
func (s *Stat) Percentile(p float64) int64 {
	v := s.Latency.Percentile(p)
	if s.Requests > 0 && s.MaxMicros >= s.MinMicros && s.OutOfRange == 0 {
		v = min(max(v, s.MinMicros), s.MaxMicros)
	}
	return v
}

// Merge adds o's counts and latencies to s. s keeps its Method and Name.
func (s *Stat) Merge(o *Stat) {
	if o.Requests > 0 {
		if s.Requests == 0 || o.MinMicros < s.MinMicros {
			s.MinMicros = o.MinMicros
		}
		s.MaxMicros = max(s.MaxMicros, o.MaxMicros)
	}
	s.Requests += o.Requests
	s.Kinds.add(&o.Kinds)
	s.RateLimited += o.RateLimited
	s.Aborted += o.Aborted
	s.Bytes += o.Bytes
	s.SumMicros += o.SumMicros
	s.OutOfRange += o.OutOfRange
	if o.Latency.Count() > 0 {
		if s.Latency == nil {
			s.Latency = &Histogram{}
		}
		s.Latency.Merge(o.Latency)
	}
}

// Clone returns a deep copy of s.
func (s *Stat) Clone() Stat {
	c := Stat{Method: s.Method, Name: s.Name}
	c.Merge(s)
	return c
}

// record adds one completed request.
func (s *Stat) record(us, bytes int64, kind Kind, failed, limited bool) {
	if s.Requests == 0 || us < s.MinMicros {
		s.MinMicros = us
	}
	s.MaxMicros = max(s.MaxMicros, us)
	s.Requests++
	s.Bytes += bytes
	s.SumMicros += us
	switch {
	case limited:
		s.RateLimited++
	case failed:
		s.Kinds[kind]++
	}
	if s.Latency == nil {
		s.Latency = &Histogram{}
	}
	if s.Latency.Record(us) {
		s.OutOfRange++
	}
}

// reset empties s for reuse, keeping its histogram's storage.
func (s *Stat) reset() {
	h := s.Latency
	*s = Stat{Method: s.Method, Name: s.Name, Latency: h}
	h.Reset()
}

func (s *Stat) empty() bool { return s.Requests == 0 && s.Aborted == 0 }

func compareStats(a, b *Stat) int {
	return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Method, b.Method))
}

// mergeStats merges src into dst (both sorted by name then method) and
// returns the merged, sorted slice.
func mergeStats(dst, src []Stat) []Stat {
	for i := range src {
		j, found := slices.BinarySearchFunc(dst, &src[i], func(e Stat, t *Stat) int { return compareStats(&e, t) })
		if !found {
			dst = slices.Insert(dst, j, Stat{Method: src[i].Method, Name: src[i].Name})
		}
		dst[j].Merge(&src[i])
	}
	return dst
}

// Total returns the Stat that sums stats, named [AggregatedName] with an
// empty Method.
func Total(stats []Stat) Stat {
	t := Stat{Name: AggregatedName}
	for i := range stats {
		t.Merge(&stats[i])
	}
	return t
}

// Schedule is how well an open-model run kept to its arrival schedule. All
// fields are zero in the closed model.
type Schedule struct {
	Arrivals     int64 `json:"arrivals"`     // arrivals due by the schedule
	Started      int64 `json:"started"`      // arrivals handed to a worker
	Late         int64 `json:"late"`         // started more than Plan.LateAfter after their intended start
	Dropped      int64 `json:"dropped"`      // found every worker busy and the pool at MaxWorkers
	SumLagMicros int64 `json:"sum_lag_us"`   // total start lag of the started arrivals, µs
	MaxLagMicros int64 `json:"max_lag_us"`   // largest start lag, µs
	Workers      int   `json:"workers"`      // workers in the pool at the end of the span
	PeakWorkers  int   `json:"peak_workers"` // largest pool size reached in the span
}

// MaxLag is MaxLagMicros as a duration.
func (s *Schedule) MaxLag() time.Duration { return time.Duration(s.MaxLagMicros) * time.Microsecond }

// Merge adds o to s, as for the concatenation of two spans (o after s):
// counts add, Workers is o's, peaks are the larger.
func (s *Schedule) Merge(o *Schedule) {
	peak := max(s.PeakWorkers, o.PeakWorkers)
	s.Add(o)
	s.Workers, s.PeakWorkers = o.Workers, peak
}

// Add adds o to s, as for two generators running side by side over the
// same span: counts, workers and peaks add (peak is then an upper bound).
func (s *Schedule) Add(o *Schedule) {
	s.Arrivals += o.Arrivals
	s.Started += o.Started
	s.Late += o.Late
	s.Dropped += o.Dropped
	s.SumLagMicros += o.SumLagMicros
	s.MaxLagMicros = max(s.MaxLagMicros, o.MaxLagMicros)
	s.Workers += o.Workers
	s.PeakWorkers += o.PeakWorkers
}
