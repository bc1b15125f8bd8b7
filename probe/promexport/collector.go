package promexport

import (
	"context"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/soaklab/soak/probe"
)

// Buckets are the upper bounds, in seconds, of the exposed latency
// histograms.
var Buckets = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}

// Collector is a prometheus.Collector over a probe. It is safe for
// concurrent use; every Collect takes one snapshot (bounded by 5 s).
type Collector struct {
	p *probe.Probe
}

// NewCollector returns a collector for p.
func NewCollector(p *probe.Probe) *Collector { return &Collector{p: p} }

// Handler returns an http.Handler serving p's metrics (and nothing else:
// add Go and process collectors to a registry of your own if you want
// them twice) in the Prometheus text or protobuf format.
func Handler(p *probe.Probe) http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(NewCollector(p))
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

// Describe implements prometheus.Collector. The collector is unchecked:
// the label values it exports depend on the routes, pools and clients the
// probe has seen.
func (c *Collector) Describe(chan<- *prometheus.Desc) {}

// Collect implements prometheus.Collector.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s, err := c.p.Snapshot(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(descInfo, err)
		return
	}
	e := emitter{ch: ch}
	e.gauge(descInfo, 1, s.InstanceID, s.Runtime.GoVersion)
	e.gauge(descStart, float64(s.StartTime.UnixNano())/1e9)
	for k, v := range s.Config {
		e.gauge(descConfig, 1, k, v)
	}
	e.counter(descPanics, float64(s.ProbePanics))
	e.gauge(descErrors, float64(len(s.Errors)))
	collectDeclarations(&e, s)
	collectRuntime(&e, s)
	collectHTTP(&e, s)
	collectCaches(&e, s)
	collectPools(&e, s)
	collectRedis(&e, s)
}

type emitter struct{ ch chan<- prometheus.Metric }

func (e *emitter) gauge(d *prometheus.Desc, v float64, labels ...string) {
	e.ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
}

func (e *emitter) counter(d *prometheus.Desc, v float64, labels ...string) {
	e.ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v, labels...)
}

// lowest returns the lowest latency of HDR bucket i: a bucket counts
// towards a bound when its range starts at or below it, so a latency
// exactly on a bound is "le" it.
func lowest(i int64) time.Duration {
	if i <= 0 {
		return 0
	}
	return probe.BucketValue(i-1) + time.Microsecond
}

// histogram exposes an HDR histogram (µs) with the Buckets bounds.
func (e *emitter) histogram(d *prometheus.Desc, h probe.Histogram, labels ...string) {
	cum := make(map[float64]uint64, len(Buckets))
	i := 0
	var seen uint64
	for _, b := range Buckets {
		limit := time.Duration(b * float64(time.Second))
		for i < len(h.Buckets) && lowest(h.Buckets[i][0]) <= limit {
			seen += uint64(h.Buckets[i][1])
			i++
		}
		cum[b] = seen
	}
	var count uint64
	for _, b := range h.Buckets {
		count += uint64(b[1])
	}
	e.ch <- prometheus.MustNewConstHistogram(d, count, float64(h.SumMicros)/1e6, cum, labels...)
}
