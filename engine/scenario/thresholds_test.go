package scenario

import (
	"strings"
	"testing"
	"time"
)

// Thresholds changed in Go are checked by analysis.Thresholds.Validate and
// reported under their YAML keys, at the file's "thresholds:" lines.
func TestThresholdsValidatedWithTheirKeys(t *testing.T) {
	s, err := Parse("t.yaml", []byte("thresholds:\n  cpu: 70%\n  p95: 300ms\nclasses: [{name: A, tasks: [{get: /}]}]\n"))
	if err != nil {
		t.Fatal(err)
	}
	s.Thresholds.CPU, s.Thresholds.QueryLatency, s.Thresholds.Throughput = 2, -time.Millisecond, 2e9
	err = s.Validate()
	want := []string{
		"t.yaml:2:8: thresholds.cpu: 2 is not a fraction in [0, 1] (0.005 is 0.5%)",
		"thresholds.query_latency: -1ms is negative (0 turns the target off)",
		"thresholds.throughput: 2e+09 is not a rate in [0, 1e9] requests/s",
	}
	for _, w := range want {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("missing %q in:\n%v", w, err)
		}
	}
	s.Thresholds.CPU, s.Thresholds.QueryLatency, s.Thresholds.Throughput = 0.7, 0, 100
	s.Thresholds.P99 = 100 * time.Millisecond // below p95 (300ms)
	if err := s.Validate(); err == nil || !strings.Contains(err.Error(), "thresholds.p99: 100ms is below p95 (300ms)") {
		t.Errorf("percentiles out of order: %v", err)
	}
}
