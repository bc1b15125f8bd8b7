package promexport_test

import (
	"fmt"
	"io"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/soaklab/soak/probe"
	"github.com/soaklab/soak/probe/promexport"
)

func ExampleHandler() {
	p := probe.New()
	p.HTTP().Route("GET", "/health").Done(200, time.Millisecond, 0, 2)
	_ = p.Handle("/metrics", promexport.Handler(p)) // served next to /snapshot, behind the token

	rec := httptest.NewRecorder()
	p.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	for _, line := range strings.Split(string(body), "\n") {
		if strings.HasPrefix(line, "soak_probe_http_requests_total") {
			fmt.Println(line)
		}
	}
	// Output: soak_probe_http_requests_total{code="2xx",method="GET",route="/health"} 1
}
