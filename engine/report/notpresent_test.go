package report

import (
	"strings"
	"testing"

	"github.com/soaklab/soak/engine/internal/synth"
	"github.com/soaklab/soak/probe"
)

// TestReportSaysWhyNoDatabase: a service whose probe declares it has no
// database and no Redis gets rows that say so, not advice to wire
// pgxprobe.New; one that does not say keeps the advice.
func TestReportSaysWhyNoDatabase(t *testing.T) {
	s := synth.New()
	s.AddSamples(synth.NoStores(probe.Absence{Component: probe.Database, Why: "data in memory"}, probe.Absence{Component: probe.Redis, Why: "pages cached in process"}))
	s.AddIntervals(synth.SteadyLoad)
	md := markdownOf(t, analyze(s))
	for _, want := range []string{
		"| Database | Connection Pool | < 80% | not measured: the service has no database (data in memory): no connection pool to measure |",
		"| Database | Query Latency | < 50ms | not measured: the service has no database (data in memory): no query to time |",
		"- **Initial Pool Size**: ❔ Not measured: the service has no database (data in memory): no connection pool to measure",
		"- **Peak Pool Size**: ❔ Not measured: the service has no database (data in memory): no connection pool to measure",
		"- **Connection Leaks**: ❔ Not measured: the service has no database (data in memory) and no Redis: no connection to leak",
		"- **Pool Exhaustion Events**: ❔ Not measured: the service has no database (data in memory): no pool to exhaust",
		"- **PostgreSQL Version**: none: the service has no database (data in memory)",
		"- **Redis Version**: none: the service has no Redis (pages cached in process)",
		"- **Database Pool Size**: none: data in memory",
		"- **Redis Max Memory**: none: pages cached in process",
		"- **Database**: none: data in memory",
		"- **Database Scaling**: Nothing to scale: the service has no database (data in memory).",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("missing %q", want)
		}
	}
	for _, bad := range []string{"pgxprobe.New", "reports no pgx pool", "SetConfig(\"db_pool_max\"", "reach the database"} {
		if strings.Contains(md, bad) {
			t.Errorf("%q in the report of a service without a database:\n%s", bad, md)
		}
	}

	s = synth.New()
	s.AddSamples(synth.NoStores())
	s.AddIntervals(synth.SteadyLoad)
	md = markdownOf(t, analyze(s))
	for _, want := range []string{"the service reports no pgx pool to the probe (wire it with pgxprobe.New)",
		"the service reports no pgx pool and no Redis client to the probe", `not reported by the service (probe.SetConfig("db_pool_max", ...))`} {
		if !strings.Contains(md, want) {
			t.Errorf("a service that does not say lost the advice %q", want)
		}
	}
}
