// Package promexport exposes a [probe.Probe] to Prometheus. It is the only
// package of soak that imports client_golang, so that importing the probe
// does not.
//
// The collector takes one probe snapshot per scrape and turns it into
// metrics named after the ecosystem's conventions (base units, _total for
// counters, _seconds and _bytes suffixes), all prefixed soak_probe_.
// Latency histograms are HDR histograms inside the probe; they are exposed
// with the buckets of [Buckets]: an HDR bucket counts towards a bound when
// its range starts at or below it, so a bound is exact to the HDR
// precision (1 %).
//
//	p := probe.New()
//	p.Handle("/metrics", promexport.Handler(p)) // behind the probe's token
//	srv, _ := p.Listen("127.0.0.1:6061")
//	defer srv.Close()
//
// Or register the collector in a registry of your own:
//
//	reg := prometheus.NewRegistry()
//	reg.MustRegister(promexport.NewCollector(p))
package promexport
