package promexport

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/soaklab/soak/probe"
)

const ns = "soak_probe_"

func desc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc(ns+name, help, labels, nil)
}

var (
	descInfo   = desc("info", "The probe's instance id and Go version, always 1.", "instance_id", "go_version")
	descStart  = desc("start_time_seconds", "When the probe started, Unix seconds.")
	descConfig = desc("config_info", "Configuration the service reported, always 1.", "key", "value")
	descPanics = desc("panics_total", "Panics the probe recovered from (a probe bug).")
	descErrors = desc("snapshot_errors", "Sources that could not be read in this scrape.")

	rateLimitLabels = []string{"limiter", "key", "algorithm"}
	descRLLimit     = desc("rate_limit_requests", "Requests a rate-limit policy allows per period, per identity.", rateLimitLabels...)
	descRLPeriod    = desc("rate_limit_period_seconds", "The period of a rate-limit policy.", rateLimitLabels...)
	descRLBurst     = desc("rate_limit_burst_requests", "Requests an idle identity may send at once.", rateLimitLabels...)
	descAbsent      = desc("component_absent", "A component the service declared it does not have, always 1.", "component", "why")

	descHeapLive   = desc("go_heap_live_bytes", "Heap marked live by the last GC.")
	descGoroutines = desc("go_goroutines", "Goroutines by state.", "state")
	descGCCycles   = desc("go_gc_cycles_total", "Completed GC cycles.")
	descGCCPU      = desc("go_gc_cpu_seconds_total", "CPU time spent in the GC.")
	descCPU        = desc("process_cpu_seconds_total", "User and system CPU time of the process.")
	descRSS        = desc("process_resident_memory_bytes", "Resident set size.")
	descMemLimit   = desc("process_memory_limit_bytes", "The tighter of machine memory and the cgroup limit.")
	descFDs        = desc("process_open_fds", "Open file descriptors.")
	descSuspects   = desc("leak_suspects", "Held connections, open queries and PubSubs older than the leak threshold.")

	httpLabels      = []string{"method", "route"}
	descReqs        = desc("http_requests_total", "Finished requests by status class.", "method", "route", "code")
	descInFlight    = desc("http_requests_in_flight", "Requests being served on the route.", httpLabels...)
	descDuration    = desc("http_request_duration_seconds", "Server-side request latency.", httpLabels...)
	descLimited     = desc("http_rate_limited_total", "Denials by the middleware's rate limiter by identity kind.", "method", "route", "identity")
	descBytesIn     = desc("http_request_body_bytes_total", "Request body bytes.", httpLabels...)
	descBytesOut    = desc("http_response_body_bytes_total", "Response body bytes.", httpLabels...)
	descInFlightAll = desc("http_in_flight", "Requests being served on all routes.")

	cacheLabels   = []string{"cache", "kind"}
	descHits      = desc("cache_hits_total", "Cache lookups that found their entry.", cacheLabels...)
	descMisses    = desc("cache_misses_total", "Cache lookups that did not.", cacheLabels...)
	descEvictions = desc("cache_evictions_total", "Entries evicted to make room.", cacheLabels...)
	descEntries   = desc("cache_entries", "Entries held.", cacheLabels...)
	descCapacity  = desc("cache_capacity_entries", "Most entries the cache may hold (0: unbounded or unknown).", cacheLabels...)
	descUsed      = desc("cache_used_bytes", "Memory used by the cache.", cacheLabels...)
	descMaxBytes  = desc("cache_max_bytes", "Memory the cache may use (0: unbounded or unknown).", cacheLabels...)

	descPoolConns     = desc("pgxpool_conns", "Pool connections by state.", "pool", "state")
	descPoolMax       = desc("pgxpool_max_conns", "The pool's MaxConns.", "pool")
	descAcquires      = desc("pgxpool_acquires_total", "Successful acquires.", "pool")
	descAcquireSec    = desc("pgxpool_acquire_seconds_total", "Time spent acquiring.", "pool")
	descEmpty         = desc("pgxpool_empty_acquires_total", "Acquires that waited because no connection was idle.", "pool")
	descEmptyWait     = desc("pgxpool_empty_acquire_wait_seconds_total", "Time those acquires waited.", "pool")
	descCanceled      = desc("pgxpool_canceled_acquires_total", "Acquires canceled by their context.", "pool")
	descNewConns      = desc("pgxpool_new_conns_total", "Connections opened.", "pool")
	descHeld          = desc("pgxpool_held_conns", "Connections out of the pool, as traced.", "pool")
	descOpenQueries   = desc("pgxpool_open_queries", "Queries started and not ended (rows not closed).", "pool")
	descHijacked      = desc("pgxpool_hijacked_conns", "Connections hijacked from the pool.", "pool")
	descQueryCalls    = desc("pgx_query_calls_total", "Query calls by normalised statement.", "pool", "statement")
	descQueryErrors   = desc("pgx_query_errors_total", "Query errors by normalised statement.", "pool", "statement")
	descQueryDuration = desc("pgx_query_duration_seconds", "Query latency by normalised statement (until rows are closed).", "pool", "statement")

	descRedisCalls    = desc("redis_commands_total", "Commands sent.", "client", "command")
	descRedisErrors   = desc("redis_command_errors_total", "Commands that failed (a nil reply is not a failure).", "client", "command")
	descRedisDuration = desc("redis_command_duration_seconds", "Command latency.", "client", "command")
	descRedisConns    = desc("redis_pool_conns", "Pool connections by state.", "client", "state")
	descRedisReuse    = desc("redis_pool_reuse_hits_total", "Connections reused from the pool (not cache hits).", "client")
	descRedisTimeouts = desc("redis_pool_timeouts_total", "Pool wait timeouts.", "client")
	descRedisWaits    = desc("redis_pool_waits_total", "Waits for a pool connection.", "client")
	descRedisWaitSec  = desc("redis_pool_wait_seconds_total", "Time spent waiting for a pool connection.", "client")
	descRedisPubSub   = desc("redis_open_pubsub", "PubSub connections open.", "client")
	descRedisOutside  = desc("redis_held_outside_pool", "Connections out of the pool and not running a command.", "client")
	descRedisUsed     = desc("redis_server_used_memory_bytes", "INFO used_memory.", "client")
	descRedisMax      = desc("redis_server_max_memory_bytes", "INFO maxmemory (0: none).", "client")
	descRedisKHits    = desc("redis_server_keyspace_hits_total", "INFO keyspace_hits (server-wide).", "client")
	descRedisKMisses  = desc("redis_server_keyspace_misses_total", "INFO keyspace_misses (server-wide).", "client")
	descRedisClients  = desc("redis_server_connected_clients", "INFO connected_clients.", "client")
)

func collectRuntime(e *emitter, s *probe.Snapshot) {
	r, p := s.Runtime, s.Process
	e.gauge(descHeapLive, float64(r.LiveHeapBytes))
	for state, n := range map[string]int64{"running": r.GoroutinesRunning, "runnable": r.GoroutinesRunnable, "waiting": r.GoroutinesWaiting, "not_in_go": r.GoroutinesNotInGo, "total": r.Goroutines} {
		e.gauge(descGoroutines, float64(n), state)
	}
	e.counter(descGCCycles, float64(r.GCCycles))
	e.counter(descGCCPU, r.GCCPUSeconds)
	e.counter(descCPU, p.CPUSeconds)
	e.gauge(descRSS, float64(p.RSSBytes))
	e.gauge(descMemLimit, float64(p.MemoryLimitBytes))
	e.gauge(descFDs, float64(p.OpenFDs))
	e.gauge(descSuspects, float64(s.Leaks.Suspects))
}

func collectDeclarations(e *emitter, s *probe.Snapshot) {
	for _, rl := range s.RateLimits {
		l := []string{rl.Name, rl.Policy.Key, string(rl.Policy.Algorithm)}
		e.gauge(descRLLimit, float64(rl.Policy.Limit), l...)
		e.gauge(descRLPeriod, rl.Policy.Period.Seconds(), l...)
		e.gauge(descRLBurst, float64(rl.Policy.BurstOrLimit()), l...)
	}
	for _, a := range s.Without {
		e.gauge(descAbsent, 1, string(a.Component), a.Why)
	}
}

func collectHTTP(e *emitter, s *probe.Snapshot) {
	e.gauge(descInFlightAll, float64(s.HTTP.InFlight))
	for _, r := range s.HTTP.Routes {
		l := []string{r.Method, r.Route}
		for code, n := range map[string]uint64{"1xx": r.Status1xx, "2xx": r.Status2xx, "3xx": r.Status3xx, "4xx": r.Status4xx, "5xx": r.Status5xx, "other": r.StatusOther} {
			if n > 0 {
				e.counter(descReqs, float64(n), r.Method, r.Route, code)
			}
		}
		e.gauge(descInFlight, float64(r.InFlight), l...)
		e.histogram(descDuration, r.Latency, l...)
		for kind, n := range map[string]uint64{probe.IdentityUser: r.RateLimitedUser, probe.IdentityHeader: r.RateLimitedHeader, probe.IdentityIP: r.RateLimitedIP, "other": r.RateLimitedOther} {
			if n > 0 {
				e.counter(descLimited, float64(n), r.Method, r.Route, kind)
			}
		}
		e.counter(descBytesIn, float64(r.BytesIn), l...)
		e.counter(descBytesOut, float64(r.BytesOut), l...)
	}
}

func collectCaches(e *emitter, s *probe.Snapshot) {
	for _, c := range s.Caches {
		l := []string{c.Name, c.Kind}
		e.counter(descHits, float64(c.Hits), l...)
		e.counter(descMisses, float64(c.Misses), l...)
		e.counter(descEvictions, float64(c.Evictions), l...)
		e.gauge(descEntries, float64(c.Entries), l...)
		e.gauge(descCapacity, float64(c.CapacityEntries), l...)
		e.gauge(descUsed, float64(c.UsedBytes), l...)
		e.gauge(descMaxBytes, float64(c.MaxBytes), l...)
	}
}

func collectPools(e *emitter, s *probe.Snapshot) {
	for _, p := range s.Pools {
		e.gauge(descPoolConns, float64(p.AcquiredConns), p.Name, "acquired")
		e.gauge(descPoolConns, float64(p.IdleConns), p.Name, "idle")
		e.gauge(descPoolConns, float64(p.ConstructingConns), p.Name, "constructing")
		e.gauge(descPoolConns, float64(p.TotalConns), p.Name, "total")
		e.gauge(descPoolMax, float64(p.MaxConns), p.Name)
		e.counter(descAcquires, float64(p.AcquireCount), p.Name)
		e.counter(descAcquireSec, p.AcquireSeconds, p.Name)
		e.counter(descEmpty, float64(p.EmptyAcquireCount), p.Name)
		e.counter(descEmptyWait, p.EmptyAcquireWaitSeconds, p.Name)
		e.counter(descCanceled, float64(p.CanceledAcquireCount), p.Name)
		e.counter(descNewConns, float64(p.NewConnsCount), p.Name)
		e.gauge(descHeld, float64(p.HeldConns), p.Name)
		e.gauge(descOpenQueries, float64(p.OpenQueries), p.Name)
		e.gauge(descHijacked, float64(p.HijackedConns), p.Name)
		for _, st := range p.Statements {
			e.counter(descQueryCalls, float64(st.Calls), p.Name, st.SQL)
			e.counter(descQueryErrors, float64(st.Errors), p.Name, st.SQL)
			e.histogram(descQueryDuration, st.Latency, p.Name, st.SQL)
		}
	}
}

func collectRedis(e *emitter, s *probe.Snapshot) {
	for _, r := range s.Redis {
		for _, c := range r.Commands {
			e.counter(descRedisCalls, float64(c.Calls), r.Name, c.Name)
			e.counter(descRedisErrors, float64(c.Errors), r.Name, c.Name)
			e.histogram(descRedisDuration, c.Latency, r.Name, c.Name)
		}
		e.gauge(descRedisConns, float64(r.Pool.TotalConns), r.Name, "total")
		e.gauge(descRedisConns, float64(r.Pool.IdleConns), r.Name, "idle")
		e.gauge(descRedisConns, float64(r.Pool.StaleConns), r.Name, "stale")
		e.counter(descRedisReuse, float64(r.Pool.PoolReuseHits), r.Name)
		e.counter(descRedisTimeouts, float64(r.Pool.Timeouts), r.Name)
		e.counter(descRedisWaits, float64(r.Pool.WaitCount), r.Name)
		e.counter(descRedisWaitSec, r.Pool.WaitSeconds, r.Name)
		e.gauge(descRedisPubSub, float64(r.OpenPubSub), r.Name)
		e.gauge(descRedisOutside, float64(r.HeldOutsidePool), r.Name)
		if sv := r.Server; sv != nil {
			e.gauge(descRedisUsed, float64(sv.UsedMemory), r.Name)
			e.gauge(descRedisMax, float64(sv.MaxMemoryBytes), r.Name)
			e.counter(descRedisKHits, float64(sv.KeyspaceHits), r.Name)
			e.counter(descRedisKMisses, float64(sv.KeyspaceMisses), r.Name)
			e.gauge(descRedisClients, float64(sv.ConnectedClients), r.Name)
		}
	}
}
