package analysis

import (
	"math"
	"strings"
	"testing"

	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/engine/internal/human"
	"github.com/soaklab/soak/engine/internal/synth"
	"github.com/soaklab/soak/probe"
)

func TestSystemRows(t *testing.T) {
	s := synth.New()
	s.AddSamples(synth.SystemSeries)
	s.AddIntervals(synth.SteadyLoad)
	r := analyze(s)
	rows := map[string]Target{}
	for _, row := range r.System {
		rows[row.Component+" "+row.Metric] = row
	}
	check := func(name string, value float64, status Status, actual string) {
		t.Helper()
		row := rows[name]
		if math.Abs(row.Value-value) > 0.01*math.Max(1, math.Abs(value)) || row.Status != status || !strings.Contains(row.Actual, actual) {
			t.Errorf("%s: %+v; want value %v, %s, actual containing %q", name, row, value, status, actual)
		}
	}
	check("Database Connection Pool", 0.75, StatusPass, "12 of 16, pool db")
	check("Database Query Latency", 80, StatusFail, "p95")
	check("Cache Hit Rate", 0.75, StatusPass, "75.0%")
	check("Cache Memory Usage", 0.5, StatusPass, "50.0 MB of 100.0 MB, redis")
	check("Application CPU Usage", 0.25, StatusPass, "25.0% mean")
	check("Application Memory Usage", 100.0/1024, StatusPass, "100.0 MB RSS")
	if st := SlowStatements(r.Capture); len(st) != 1 || st[0].SQL != "SELECT * FROM stories WHERE slug = $1" ||
		st[0].Source != "svc" || human.Millis(st[0].P95) != "80 ms" {
		t.Errorf("slow statements %+v", st)
	}
}

func TestCacheMemoryInEntriesIsNotJudged(t *testing.T) {
	s := synth.New()
	s.AddSamples(func(t float64, ph capture.Phase) *probe.Snapshot {
		sn := synth.Snap(5e6, uint64(10+max(t, 0)), 50, synth.RequestsAt(t))
		sn.Caches = []probe.CacheSnapshot{{Name: "pages", Entries: 150, CapacityEntries: 150}}
		return sn
	})
	s.AddIntervals(synth.SteadyLoad)
	for _, row := range analyze(s).System {
		if row.Metric == "Memory Usage" && row.Component == "Cache" &&
			(row.Status != StatusUnknown || !strings.Contains(row.Why, "pages holds 150 of 150 entries (100%)")) {
			t.Errorf("row %+v", row)
		}
	}
}
