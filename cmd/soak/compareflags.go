package main

import (
	"flag"

	"github.com/soaklab/soak/cmd/soak/internal/flagx"
	"github.com/soaklab/soak/engine/compare"
)

// compareFlags are soak compare's thresholds and plan switch, shared with
// soak run --baseline-run.
type compareFlags struct {
	p50, p95, p99, errorRate, throughput flagx.Fraction
	minLatency                           flagx.Duration
	allowPlanChange                      bool
}

func (f *compareFlags) register(fs *flag.FlagSet) {
	fs.Var(&f.p50, "max-p50-regression", "")
	fs.Var(&f.p95, "max-p95-regression", "")
	fs.Var(&f.p99, "max-p99-regression", "")
	fs.Var(&f.minLatency, "min-latency-change", "")
	fs.Var(&f.errorRate, "max-error-rate-increase", "")
	fs.Var(&f.throughput, "max-throughput-drop", "")
	fs.BoolVar(&f.allowPlanChange, "allow-plan-change", false, "")
}

// options are the comparison's options: compare.DefaultMargins with
// the flags given over them ("off" turns a check off).
func (f *compareFlags) options() compare.Options {
	th := compare.DefaultMargins()
	set := func(dst *float64, v flagx.Fraction) {
		if v.IsSet {
			*dst = v.V // off is negative, as compare reads it
		}
	}
	set(&th.P50Regression, f.p50)
	set(&th.P95Regression, f.p95)
	set(&th.P99Regression, f.p99)
	set(&th.ErrorRateIncrease, f.errorRate)
	set(&th.ThroughputDrop, f.throughput)
	if f.minLatency.IsSet {
		th.MinLatencyChange = f.minLatency.D
	}
	return compare.Options{Margins: th, AllowPlanChange: f.allowPlanChange}
}

// check refuses a negative --min-latency-change (the fractions are
// checked by flagx: 0%..100% or off).
func (f *compareFlags) check() error {
	if f.minLatency.D < 0 {
		return usagef("--min-latency-change %s: negative", f.minLatency.String())
	}
	return nil
}

// compareUsageFlags documents compareFlags in soak compare's and soak
// run's help.
const compareUsageFlags = `  --max-p50-regression P   a p50 this much slower counts (default 20%; off: not checked)
  --max-p95-regression P   the same for p95 (default 20%)
  --max-p99-regression P   the same for p99 (default 30%)
  --min-latency-change D   and at least this much slower in absolute terms (default 2ms)
  --max-error-rate-increase P
                           an error rate this many points higher counts (default 1%:
                           0.5% -> 1.6%)
  --max-throughput-drop P  requests/s this much lower counts (default 10%)
  --allow-plan-change      compare runs whose plans differ (users, classes, rates,
                           duration); without it soak refuses and says what differs
`
