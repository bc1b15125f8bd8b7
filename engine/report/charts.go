package report

import (
	"time"

	"github.com/soaklab/soak/engine/analysis"
)

// Charts are the server-side series the HTML report draws on the client's
// timeline (the engine's clock), built from an analysed run's capture
// and findings ([Analysis].Charts in report.json): one [Chart] per figure, one [Series] per
// source (and pool or cache), and the detected events to mark on the
// latency chart. Every series is plain data, in time order, with at most
// one point per probe sample.
type Charts struct {
	Heap         Chart `json:"heap"`           // live heap after GC, MB
	Goroutines   Chart `json:"goroutines"`     // goroutines
	PoolAcquired Chart `json:"pool_acquired"`  // acquired connections, and each pool's max
	PoolWait     Chart `json:"pool_wait"`      // empty-acquire wait, ms per second
	CacheHitRate Chart `json:"cache_hit_rate"` // hits / (hits + misses) per poll interval, %
	RateLimited  Chart `json:"rate_limited"`   // 429s per second (client) and limiter denials per second (server)
	// Events are the detected events (exhausted pools, error bursts) and
	// the phases, as time ranges.
	Events []analysis.Event `json:"events,omitempty"`
}

// Chart is one figure.
type Chart struct {
	Title  string   `json:"title"`
	Unit   string   `json:"unit"`
	Series []Series `json:"series"`
}

// Series is one line of a chart.
type Series struct {
	Name   string `json:"name"`
	Points []XY   `json:"points"`
}

// XY is a point of a series: a time and a value in the chart's unit.
type XY struct {
	T time.Time `json:"t"`
	V float64   `json:"v"`
}
