package analysis_test

import (
	"fmt"

	"github.com/soaklab/soak/engine/analysis"
)

func ExampleParseRatePolicy() {
	p, err := analysis.ParseRatePolicy("100 req/min per user (else per ip), burst 100")
	fmt.Println(p.Limit, p.Period, p.Burst, p.Per, err)
	// Output: 100 1m0s 100 user <nil>
}

func ExampleDefaultThresholds() {
	th := analysis.DefaultThresholds()
	fmt.Println(th.P95, th.ErrorRate, th.Throughput, th.Pool, th.CacheHitRate)
	// Output: 500ms 0.005 100 0.8 0.7
}
