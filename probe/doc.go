// Package probe is soak's in-service probe: imported by the service under
// test, it measures from the inside what a load test cannot see from the
// outside, and serves it on an admin endpoint that soak (or curl, go tool
// pprof, Prometheus through [github.com/soaklab/soak/probe/promexport])
// reads.
//
// What it measures:
//   - HTTP per route, recorded by the middleware package into [HTTPStats]:
//     in flight, status classes, exact 429s, rate-limit denials, bytes, HDR
//     latency.
//   - Database pools: pool stats, query latency per normalised statement,
//     and connections held (with the acquiring stack and request) for the
//     leak registry ([Probe.Leaks], [Probe.Find]); pgxpool through
//     [github.com/soaklab/soak/probe/pgxprobe].
//   - In-process caches ([Probe.Cache]) and Redis, go-redis v9 through
//     [github.com/soaklab/soak/probe/redisprobe]: hits and misses as the
//     service sees them, command latency, open PubSubs.
//   - Service configuration worth reporting ([Probe.SetConfig]), and the
//     rate-limit policies in force, typed ([Probe.DeclareRateLimit]).
//   - Go runtime (live heap, goroutines by state, GC) and process (CPU, RSS,
//     file descriptors, cgroup limits).
//
// The zero value is usable; New accepts [Option]s. Nothing happens at
// import: no init side effects, nothing on http.DefaultServeMux, no
// goroutine of its own.
//
//	p := probe.New()
//	route := p.HTTP().Route("GET", "/api/stories/:slug")
//	route.Start()
//	route.Done(200, 3*time.Millisecond, 0, 512)
//	p.SetConfig(probe.ConfigRequestTimeout, "30s")
//	snap, _ := p.Snapshot(ctx)
//
// # Integrations
//
// Drivers and clients are wired through their own packages, as pgx keeps
// tracelog and multitracer apart: importing probe pulls in neither pgx nor
// go-redis nor any web framework, and a service imports the integrations
// it uses. They are built on the probe's integration API ([Probe.AddPool],
// [Probe.AddRedis], [Probe.NewHold], [HoldLister], [HoldCounter], [Latency],
// [Probe.CacheOf], [Probe.Settings]), open to a service's own instruments.
//
// # API stability
//
// Other packages build on: [New], [Option]s, [Probe.HTTP], [HTTPStats]
// (Route, Begin, End), [RouteStats] (Start, Done, Record, RateLimited),
// [Probe.SetConfig] and the Config* keys, [Probe.DeclareRateLimit] and
// [RateLimitPolicy], [Probe.Cache] and [CacheStats],
// [Probe.Snapshot] and the [Snapshot] tree (fields are only ever added),
// [Histogram], and the integration API above. These stay compatible.
//
// # Cost
//
// Recording a request does not allocate: the route lookup is a lock-free
// map read, counters are atomics, and the latency histogram is an
// HDR-compatible array of atomic counters. Every table is bounded (see the
// Default* limits); what does not fit is counted in an overflow entry.
//
// # Counters
//
// Counters in a [Snapshot] are cumulative since the probe started; readers
// subtract consecutive snapshots. Units are in field names (Bytes,
// Seconds, Micros).
package probe
