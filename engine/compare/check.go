package compare

import "fmt"

// Metric is what a [Check] compares.
type Metric string

// The metrics compared per endpoint.
const (
	MetricP50        Metric = "p50"
	MetricP95        Metric = "p95"
	MetricP99        Metric = "p99"
	MetricThroughput Metric = "throughput"
	MetricErrorRate  Metric = "error-rate"
)

// Metrics lists them in the order the outputs show them.
var Metrics = []Metric{MetricP50, MetricP95, MetricP99, MetricThroughput, MetricErrorRate}

// Status is a check's outcome.
type Status string

// Check statuses.
const (
	StatusRegression   Status = "regression"            // significant and beyond the threshold, the wrong way
	StatusImprovement  Status = "improvement"           // significant and beyond the threshold, the right way
	StatusNoChange     Status = "no significant change" // within the threshold, or not significant
	StatusInsufficient Status = "insufficient data"     // fewer than MinWindows windows with requests on a side
	StatusOff          Status = "off"                   // the threshold was turned off
)

// Check is one metric of one endpoint, BASE against NEW.
type Check struct {
	Endpoint string `json:"endpoint"` // "GET /api/items", or AggregatedName
	Metric   Metric `json:"metric"`
	Unit     string `json:"unit"` // "ms", "req/s" or "fraction"
	// Base and New are the runs' figures: the median window's quantile
	// (ms), the mean window's requests per second, the pooled error rate.
	Base float64 `json:"base"`
	New  float64 `json:"new"`
	// Change is relative (New/Base - 1) for latency and throughput, in
	// fraction points (New - Base) for the error rate; Low and High bound
	// it at Level (99 %) by the bootstrap.
	Change float64 `json:"change"`
	Low    float64 `json:"change_low"`
	High   float64 `json:"change_high"`
	// Confidence is the share of bootstrap replicates on Change's side
	// of zero: 0.5 is a coin toss, 0.995 beyond the 99 % interval.
	Confidence  float64 `json:"confidence"`
	Significant bool    `json:"significant"` // the interval excludes zero
	Threshold   float64 `json:"threshold"`
	Status      Status  `json:"status"`
	// Windows are the windows with requests in BASE and NEW.
	Windows [2]int `json:"windows"`
	// Why says in a line what decided the status.
	Why string `json:"why"`
}

// Name is "GET /api/items p95".
func (c *Check) Name() string { return c.Endpoint + " " + string(c.Metric) }

// Evidence is the check's figures in a line: "p95 12.1 ms -> 33.0 ms
// (+173%, 99% interval +150%..+190%, confidence 100%)".
func (c *Check) Evidence() string {
	return fmt.Sprintf("%s %s -> %s (%s, %.0f%% interval %s..%s, confidence %.1f%%, %d/%d windows)",
		c.Metric, c.format(c.Base), c.format(c.New), c.formatChange(c.Change), 100*Level,
		c.formatChange(c.Low), c.formatChange(c.High), 100*c.Confidence, c.Windows[0], c.Windows[1])
}

func (c *Check) format(v float64) string {
	switch c.Unit {
	case "ms":
		return fmt.Sprintf("%.3g ms", v)
	case "req/s":
		return fmt.Sprintf("%.4g req/s", v)
	}
	return fmt.Sprintf("%.2f%%", 100*v)
}

// formatChange writes a change: a signed percentage, or percentage
// points for the error rate.
func (c *Check) formatChange(v float64) string {
	if c.Metric == MetricErrorRate {
		return fmt.Sprintf("%+.2f pt", 100*v)
	}
	return fmt.Sprintf("%+.1f%%", 100*v)
}
