package analysis

import "time"

// MemoryFigures are the memory-leak detector's measurements for one
// source, over the steady state, from the live heap after GC.
type MemoryFigures struct {
	// Live heap after GC at the baseline's end, the steady state's
	// start and end, and the drain's end (after a forced GC in process).
	BaselineBytes   uint64 `json:"baseline_bytes"`
	InitialBytes    uint64 `json:"initial_bytes"`
	FinalBytes      uint64 `json:"final_bytes"`
	AfterDrainBytes uint64 `json:"after_drain_bytes"`
	// GrowthBytes is FinalBytes - InitialBytes (negative when it shrank).
	GrowthBytes  int64 `json:"growth_bytes"`
	PeakRSSBytes int64 `json:"peak_rss_bytes"`
	// Steady is the steady state's length; Points the distinct GC cycles
	// (one point per cycle) the trend was fitted to.
	Steady time.Duration `json:"steady_ns"`
	Points int           `json:"points"`
	// PerSecond is the Theil-Sen slope of the live heap against time, in
	// bytes per second, with its 95 % confidence interval; PerRequest
	// against requests served, in bytes per request; Late the slope over
	// the steady state's second half, in bytes per second (a plateau
	// has a Late slope whose interval holds 0).
	PerSecond  Trend `json:"per_second"`
	PerRequest Trend `json:"per_request"`
	Late       Trend `json:"late"`
	// MBPerHour projects PerSecond to an hour, in MiB (1 MB = 2^20 bytes,
	// as pprof counts), with the interval's bounds.
	MBPerHour   float64 `json:"mb_per_hour"`
	MBPerHourLo float64 `json:"mb_per_hour_lo"`
	MBPerHourHi float64 `json:"mb_per_hour_hi"`
	// Plateau is set when the heap grew early and stopped: a cache
	// filling, not a leak.
	Plateau bool `json:"plateau"`
}

// GoroutineFigures are the goroutine-leak detector's measurements for one
// source.
type GoroutineFigures struct {
	// Goroutine counts at the baseline's end, the steady state's start
	// and end, and the drain's end.
	Baseline    int64 `json:"baseline"`
	SteadyStart int64 `json:"steady_start"`
	SteadyEnd   int64 `json:"steady_end"`
	AfterDrain  int64 `json:"after_drain"`
	// Residue is AfterDrain - Baseline: goroutines the run left behind.
	Residue int64 `json:"residue"`
	// ArrivalRate (requests/s) and ServerLatency (mean, server side) over
	// the steady state give Little's law's expected in-flight requests,
	// ExpectedInFlight = ArrivalRate x ServerLatency.
	ArrivalRate      float64       `json:"arrival_rate"`
	ServerLatency    time.Duration `json:"server_latency_ns"`
	ExpectedInFlight float64       `json:"expected_in_flight"`
	// Unexplained is the Theil-Sen slope, in goroutines per second over
	// the steady state, of the goroutines the load does not explain
	// (goroutines minus requests in flight).
	Unexplained Trend `json:"unexplained"`
	// Growing is the goroutines, summed over the stacks whose count only
	// grew through the steady state and stayed after the drain.
	Growing int64 `json:"growing"`
	// LeakProfile says whether the goroutineleak profile was available,
	// and LeakProfileCount how many goroutines it reported.
	LeakProfile      string `json:"leak_profile"`
	LeakProfileCount int64  `json:"leak_profile_count"`
}

// ConnectionFigures are the connection-leak detector's measurements for
// one source.
type ConnectionFigures struct {
	Pools []PoolResidue  `json:"pools,omitempty"`
	Redis []RedisResidue `json:"redis,omitempty"`
	// HeldAfterDrain counts registry holds (pgx connections, open
	// queries, hijacked connections, PubSubs) still held at the drain's
	// end that were taken before the load stopped.
	HeldAfterDrain int `json:"held_after_drain"`
	// ThresholdSeconds is the probe's leak threshold.
	ThresholdSeconds float64 `json:"threshold_seconds"`
}

// PoolResidue is a pgx pool's acquired connections before and after the
// load.
type PoolResidue struct {
	Name       string `json:"name"`
	Max        int32  `json:"max"`
	Baseline   int32  `json:"baseline"`
	SteadyPeak int32  `json:"steady_peak"`
	AfterDrain int32  `json:"after_drain"`
}

// RedisResidue is a Redis client's connections outside its pool.
type RedisResidue struct {
	Name               string `json:"name"`
	HeldOutsideBefore  int    `json:"held_outside_before"`
	HeldOutsideAfter   int    `json:"held_outside_after"`
	OpenPubSubBefore   int    `json:"open_pubsub_before"`
	OpenPubSubAfter    int    `json:"open_pubsub_after"`
	PoolConnsAfter     int    `json:"pool_conns_after"`
	IdlePoolConnsAfter int    `json:"idle_pool_conns_after"`
}

// PoolFigures are the pool-exhaustion detector's measurements for one
// pgx pool of one source, over the steady state.
type PoolFigures struct {
	Name            string  `json:"name"`
	Max             int32   `json:"max"`
	PeakAcquired    int32   `json:"peak_acquired"`
	PeakUtilization float64 `json:"peak_utilization"`
	MeanUtilization float64 `json:"mean_utilization"`
	// EmptyAcquires and WaitSeconds count acquires that found no idle
	// connection, and their total wait.
	EmptyAcquires int64   `json:"empty_acquires"`
	WaitSeconds   float64 `json:"wait_seconds"`
	// Exhausted is the time the pool spent exhausted (poll intervals with
	// empty acquires while at its max), and ExhaustedShare its share of
	// the steady state.
	Exhausted      time.Duration `json:"exhausted_ns"`
	ExhaustedShare float64       `json:"exhausted_share"`
	// Client latency in the exhausted intervals and in the others.
	P95Exhausted time.Duration `json:"p95_exhausted_ns"`
	P95Other     time.Duration `json:"p95_other_ns"`
	P99Exhausted time.Duration `json:"p99_exhausted_ns"`
	P99Other     time.Duration `json:"p99_other_ns"`
	// Correlation is Spearman's rank correlation, over the steady state's
	// poll intervals, between the pool's wait time per second and the
	// client's p95; CorrelationN is the number of intervals.
	Correlation  float64 `json:"correlation"`
	CorrelationN int     `json:"correlation_n"`
	// Cleared is set when the exhaustion stopped once load stopped (no
	// empty acquires in the drain and acquired back to its baseline).
	Cleared bool `json:"cleared"`
	// Little's law: AcquireRate (acquires/s) x HoldTime (mean time a
	// connection is held per acquire) = connections in use, and x
	// WaitPerAcquire (mean wait for one) = acquires queued; QueryTime is
	// the database time per acquire (statement latency); NeededConns is
	// AcquireRate x (HoldTime + WaitPerAcquire) / 0.8: the connections the
	// demand seen would keep busy at 80 % utilisation (a lower bound: a
	// closed-loop load speeds up once it stops waiting).
	AcquireRate    float64       `json:"acquire_rate"`
	HoldTime       time.Duration `json:"hold_time_ns"`
	WaitPerAcquire time.Duration `json:"wait_per_acquire_ns"`
	QueryTime      time.Duration `json:"query_time_ns"`
	NeededConns    float64       `json:"needed_conns"`
}

// ErrorFigures are the error-rate detector's measurements (client side).
type ErrorFigures struct {
	Requests int64   `json:"requests"`
	Failures int64   `json:"failures"`
	Rate     float64 `json:"rate"` // Failures / Requests
	// Windows are the seed's 0-10, 10-20, 20-30 min for a 30-minute run,
	// thirds of the run otherwise.
	Windows []ErrorWindow `json:"windows"`
	// Trend is "rising", "falling" or "stable"; Slope is the Theil-Sen
	// slope of the per-interval error rate, in rate per minute.
	Trend string `json:"trend"`
	Slope Trend  `json:"slope"`
}

// ErrorWindow is one window's error rate.
type ErrorWindow struct {
	Label       string    `json:"label"` // "0-10 min"
	Start       time.Time `json:"start"`
	End         time.Time `json:"end"`
	Requests    int64     `json:"requests"`
	Failures    int64     `json:"failures"`
	RateLimited int64     `json:"rate_limited"`
	Rate        float64   `json:"rate"`
}

// RateLimitFigures are the rate-limit detector's measurements: 429s seen
// against what the service's policy predicts for the load.
type RateLimitFigures struct {
	// Policy is the policy as the probe reports it ("100 req/min per
	// user (else per ip), burst 100"); "" when no probe told it.
	Policy string `json:"policy,omitempty"`
	// Limit per Period, Burst, and Per (the identity: "user", "ip"), as
	// parsed from Policy.
	Limit  int           `json:"limit,omitempty"`
	Period time.Duration `json:"period_ns,omitempty"`
	Burst  int           `json:"burst,omitempty"`
	Per    string        `json:"per,omitempty"`
	// Hits counts 429s the client received; HitRate is their share of
	// the requests.
	Hits    int64   `json:"hits"`
	HitRate float64 `json:"hit_rate"`
	// ServerDenials counts the middleware limiter's denials by identity
	// kind ("user", "ip", "header", "other"), over the run.
	ServerDenials map[string]uint64 `json:"server_denials,omitempty"`
	// UserRate is the mean request rate per virtual user, per Period;
	// ExpectedHits is what the policy predicts for users at that rate.
	UserRate     float64 `json:"user_rate"`
	ExpectedHits float64 `json:"expected_hits"`
	// Expected says whether the 429s seen match the policy: "expected"
	// (hits predicted and seen, or neither), "unexpected" (hits the
	// policy does not explain), "missing" (hits predicted, none seen).
	Expected string `json:"expected"`
}
