package report

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/analysis"
	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/engine/internal/synth"
)

// withConfig is a synthetic analysed run whose runner recorded cfg and
// whose service declared absent (PostgreSQL, Redis) what absent names.
func withConfig(t *testing.T, cfg *capture.CaptureConfig, absent map[string]string) *analysis.Result {
	t.Helper()
	s := synth.New()
	s.AddIntervals(synth.SteadyLoad)
	s.Capture.Config = cfg
	r := analyze(s)
	for k, v := range absent {
		r.Environment.SetAbsent(k, v)
	}
	return r
}

// TestTestExecutionInstructions: the seed's section gives the command
// that ran the test as it was typed (the binary's name, the scenario
// file), how to check that the service and its probe answer (the token
// from the environment, never a value), and the results directory to
// rebuild; the demo starts nothing; a run from Go says its command is
// an equivalent.
func TestTestExecutionInstructions(t *testing.T) {
	cmd := "soak run --host http://127.0.0.1:1 -f load/soak.yaml --out results/nightly --probe http://127.0.0.1:6061 --probe-token REDACTED"
	md := markdownOf(t, withConfig(t, &capture.CaptureConfig{Command: cmd, Scenario: "load/soak.yaml",
		Sources: []string{"http://127.0.0.1:6061"}, PollInterval: 2 * time.Second}, nil))
	block := section(t, md, "## Test Execution Instructions")
	for _, want := range []string{
		"To run this test again:\n\n```bash\n# 1. Ensure the service is running at http://127.0.0.1:1, its probe at http://127.0.0.1:6061 (docs/probe.md)\n",
		"# 2. Verify it answers\ncurl -sS -o /dev/null -w '%{http_code}\\n' http://127.0.0.1:1/\n" +
			`curl -sS -H "Authorization: Bearer $SOAK_PROBE_TOKEN" http://127.0.0.1:6061/snapshot | head -c 300; echo` + "\n",
		"# 3. Run the load test (the users: load/soak.yaml)\n" + cmd + "\n",
		"the probe is read every 2s",
		"# 5. After the test, rebuild every output from the results directory (it works after an interruption too)\nsoak report results/nightly\n```",
	} {
		if !strings.Contains(block, want) {
			t.Errorf("instructions lack %q:\n%s", want, block)
		}
	}
	demo := section(t, markdownOf(t, withConfig(t, &capture.CaptureConfig{Command: "./soak demo --duration 2m",
		Scenario: "docs/scenarios/seed.yaml", Sources: []string{"svc"}, InProcess: []string{"svc"}}, nil)), "## Test Execution Instructions")
	if !strings.Contains(demo, "# 1. soak demo runs the demo service and its probe in its own process: nothing to start\n") ||
		!strings.Contains(demo, "./soak demo --duration 2m\n") || !strings.Contains(demo, "./soak report soak-results/synth\n") ||
		strings.Contains(demo, "curl") {
		t.Errorf("demo's instructions:\n%s", demo)
	}
	goRun := section(t, markdownOf(t, withConfig(t, nil, nil)), "## Test Execution Instructions")
	if !strings.Contains(goRun, "this run was started from Go, the command is its equivalent\nsoak run --host http://127.0.0.1:1 --users 10") {
		t.Errorf("a run from Go:\n%s", goRun)
	}
}

// TestMonitoringQueries: each of the seed's queries says what soak
// measured in its place, with the run's figure where it has one, and its
// SQL, redis-cli or shell equivalent, never with a secret (the URLs come
// from $DATABASE_URL-style variables); a service without a database or
// Redis gets no query for them.
func TestMonitoringQueries(t *testing.T) {
	md := markdownOf(t, withConfig(t, &capture.CaptureConfig{Command: "soak run --host http://127.0.0.1:1"}, nil))
	mq := section(t, md, "## Monitoring Queries")
	for _, want := range []string{
		"### Database Monitoring\n\n| Query | What soak measured in its place |",
		"| Connection count by state | the pool's connections as pgxpool.Stat counts them",
		"```sql\n-- Connection count by state\nSELECT state, count(*)\nFROM pg_stat_activity\nWHERE datname = current_database()\nGROUP BY state;\n\n-- Slow queries\n",
		"### Cache Monitoring", `redis-cli -u "$REDIS_URL" INFO stats | grep -E "(total_commands_processed|keyspace_hits|keyspace_misses)"`,
		"### Application Monitoring", "| Error rate | every response's status", "; this run: 0% (0 of 32,000) |",
		`awk -F, '$2=="Aggregated" {printf "%.2f%%\n", 100*$4/$3}' soak-results/synth/soak_stats.csv`,
		"grep -F 'HTTP 429 Too Many Requests (rate limit)' soak-results/synth/soak_failures.csv",
		"curl -sS -o /dev/null -w '%{http_code} %{time_total}s\\n' http://127.0.0.1:1/x",
	} {
		if !strings.Contains(mq, want) {
			t.Errorf("monitoring lacks %q:\n%s", want, mq)
		}
	}
	none := section(t, markdownOf(t, withConfig(t, nil, map[string]string{"PostgreSQL": "data in memory", "Redis": "cached in process"})), "## Monitoring Queries")
	if strings.Contains(none, "```sql") || strings.Contains(none, "redis-cli") ||
		!strings.Contains(none, "| Slow queries | nothing to measure: the service has no database (data in memory) |") ||
		!strings.Contains(none, "| Redis stats | nothing to measure: the service has no Redis (cached in process) |") {
		t.Errorf("monitoring without a database or Redis:\n%s", none)
	}
}

// section returns md's section that starts with heading, up to the next
// "## " heading.
func section(t *testing.T, md, heading string) string {
	t.Helper()
	i := strings.Index(md, "\n"+heading+"\n")
	if i < 0 {
		t.Fatalf("no %q in:\n%s", heading, md)
	}
	s := md[i+1:]
	if j := strings.Index(s[len(heading):], "\n## "); j >= 0 {
		s = s[:len(heading)+j]
	}
	return s
}

// endpointResult is a run of class Reader declaring nine endpoints and
// class Probe declaring /health; Probe had no user, and a login sent by
// every Reader once outnumbers the least requested of the nine.
func endpointResult(declare bool) *engine.Result {
	var stats []engine.Stat
	var declared []engine.Endpoint
	for i := range 9 {
		name := fmt.Sprintf("/e%d", i)
		stats = append(stats, statOf("GET", name, repeatOK(100-10*i)...))
		declared = append(declared, engine.Endpoint{Method: "GET", Name: name})
	}
	stats = append(stats, statOf("POST", "/login", repeatOK(50)...), statOf("GET", "/undeclared", repeatOK(3)...))
	in := info()
	in.Classes = []engine.ClassInfo{{Name: "Reader", Weight: 9, Tasks: 9}, {Name: "Probe", Weight: 1, Tasks: 1}}
	if declare {
		in.Classes[0].Endpoints = declared
		in.Classes[1].Endpoints = []engine.Endpoint{{Method: "GET", Name: "/health"}}
	}
	iv := interval(0, 9, stats...)
	iv.Classes = map[string]int{"Reader": 9}
	return engine.NewResult(in, []*engine.Interval{iv}, 0)
}

func repeatOK(n int) []sample {
	out := make([]sample, n)
	for i := range out {
		out[i] = ok(2, 10)
	}
	return out
}

// TestTopEndpointsKeepTheTasks: the Top 10 table gives its rows to the
// endpoints the tasks declare first, by request count, a declared one
// without a request included (saying why), and lists them by request
// count; the login sent once per user, which outnumbers /e8, is left
// out. Without declarations it is the ten endpoints with most requests.
func TestTopEndpointsKeepTheTasks(t *testing.T) {
	rows := endpointRows(endpointResult(true), analysis.DefaultThresholds())
	var got []string
	for _, r := range rows {
		got = append(got, fmt.Sprintf("%s %d", r.Name, r.Requests))
	}
	want := "/e0 100, /e1 90, /e2 80, /e3 70, /e4 60, /e5 50, /e6 40, /e7 30, /e8 20, /health 0"
	if strings.Join(got, ", ") != want {
		t.Errorf("rows\n got %s\nwant %s", strings.Join(got, ", "), want)
	}
	if last := rows[len(rows)-1]; last.Status != analysis.StatusUnknown || last.Note != "no request: Probe had no user, too few users for its weight" {
		t.Errorf("/health row %+v", last)
	}
	got = got[:0]
	for _, r := range endpointRows(endpointResult(false), analysis.DefaultThresholds()) {
		got = append(got, fmt.Sprintf("%s %d", r.Name, r.Requests))
	}
	if want := "/e0 100, /e1 90, /e2 80, /e3 70, /e4 60, /e5 50, /login [POST] 50, /e6 40, /e7 30, /e8 20"; strings.Join(got, ", ") != want {
		t.Errorf("rows without declarations\n got %s\nwant %s", strings.Join(got, ", "), want)
	}
	md := markdownOf(t, &analysis.Result{Engine: endpointResult(true), Thresholds: analysis.DefaultThresholds()})
	if !strings.Contains(md, "| /health (no request: Probe had no user, too few users for its weight) | 0 | - | - | - | 0 | ❔ |") {
		t.Errorf("markdown row:\n%s", section(t, md, "## Endpoint Performance"))
	}
}

// TestWordingFixes: the figures of issue 14 that read wrong.
func TestWordingFixes(t *testing.T) {
	res := endpointResult(true)
	res.Users, res.SpawnRate = 1, 1
	cfg := configurationRows(&analysis.Result{Engine: res})
	if cfg[3].Value != "1 concurrent user (peak reached: 9)" || cfg[4].Value != "1 user/second" {
		t.Errorf("configuration %v", cfg)
	}
	md := markdownOf(t, &analysis.Result{Engine: res, Thresholds: analysis.DefaultThresholds()})
	if !strings.Contains(md, "- **Reader**: 100% (9 users)") || strings.Contains(md, "(1 users)") {
		t.Errorf("user distribution:\n%s", section(t, md, "## Test Scenarios"))
	}
	shares := classShares(res)
	shares[0].Users = 1
	var b strings.Builder
	writeMarkdown(&b, &Report{Classes: shares[:1]})
	if !strings.Contains(b.String(), "- **Reader**: 100% (1 user)\n") {
		t.Errorf("one user:\n%s", b.String())
	}
	if got := heapMB(0); got != "no data (no GC cycle had completed)" {
		t.Errorf("heapMB(0) = %q", got)
	}
	mem := stability(&analysis.Result{Findings: []analysis.Finding{{Detector: analysis.DetectorMemoryLeak, Verdict: analysis.VerdictOK,
		Memory: &analysis.MemoryFigures{InitialBytes: 3 << 20, FinalBytes: 3 << 20}}}}).Memory
	if !strings.Contains(mem[0].Value, "3.0 MB (live heap after GC at the start of the steady state; no data (no GC cycle had completed) at baseline)") {
		t.Errorf("memory %v", mem)
	}
	leak := connLeakText(&analysis.Finding{Verdict: analysis.VerdictDetected,
		Summary:  "2 connections are still held after the load stopped and the service drained: a leak; taken in demo.(*faultState).leak",
		Suspects: []analysis.Suspect{{Function: "demo.(*faultState).leak", File: "faultstate.go", Line: 62}}})
	if strings.Count(leak, "demo.(*faultState).leak") != 1 || !strings.HasSuffix(leak, " (faultstate.go:62)") {
		t.Errorf("connection leak line %q", leak)
	}
	steps := nextSteps(&analysis.Result{}, nil)
	if steps[2].Done || steps[2].Text != "Address identified issues (none in this run)" {
		t.Errorf("next steps on a clean run %+v", steps)
	}
	if got := uslTerm("sigma", 0, "contention"); got != "sigma 0 (no contention measured)" {
		t.Errorf("uslTerm = %q", got)
	}
	if got := uslTerm("kappa", 0.000123456, "coherency"); got != "kappa 0.000123 (coherency)" {
		t.Errorf("uslTerm = %q", got)
	}
	pool := poolStability(analyze(poolRun()))
	for _, kv := range pool {
		if kv.Key == "Pool Exhaustion Events" && !regexp.MustCompile(`^(✅ |⚠️ |❌ )\d+ exhaustion events?: `).MatchString(kv.Value) {
			t.Errorf("pool exhaustion events %q: a count without its unit", kv.Value)
		}
	}
}

// poolRun is a synthetic run whose pool is exhausted for a while.
func poolRun() *synth.Run {
	s := synth.New()
	s.AddSamples(synth.PoolSeries(100, 250))
	s.AddIntervals(synth.SlowWhile(100, 250))
	return s
}
