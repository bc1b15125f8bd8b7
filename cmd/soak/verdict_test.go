package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/soaklab/soak/engine/analysis"
	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/engine/report"
	"github.com/soaklab/soak/internal/testenv"
	"github.com/soaklab/soak/middleware"
	"github.com/soaklab/soak/probe"
	"github.com/soaklab/soak/probe/label"
	"github.com/soaklab/soak/probe/pgxprobe"
)

// The tests of this file run soak as a user would, one per way a run
// used to look healthy when it was not (issue 12): each asserts the exit
// code, the summary's headline, and the report's rows.

// probedTarget is a service in the test process with soak's middleware
// and probe wired, the probe's admin handler on its own loopback server.
// Its process CPU (the Application CPU Usage target) is the test binary's,
// shared with the other parallel tests' targets: a test that asserts a
// verdict and is not about CPU turns that target off (--max-cpu off). So
// are its goroutines: a test that asserts the goroutine-leak verdict runs
// sequentially (not t.Parallel), or the parallel tests' connections read
// as growing stacks (see TestGoroutinesOutlivingRequests).
type probedTarget struct {
	URL, Probe string
}

func newProbedTarget(t *testing.T, wrap func(p *probe.Probe, h http.Handler) http.Handler, opts ...probe.Option) *probedTarget {
	t.Helper()
	p := probe.New(opts...)
	t.Cleanup(func() { p.Close() })
	var h http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"ok":true}`)) })
	if wrap != nil {
		h = wrap(p, h)
	}
	svc := httptest.NewServer(middleware.HTTP(p)(h))
	admin := httptest.NewServer(p.Handler())
	t.Cleanup(svc.Close)
	t.Cleanup(admin.Close)
	return &probedTarget{URL: svc.URL, Probe: admin.URL}
}

// probedPool opens a pgx pool of at most maxConns connections on the
// test database, traced by p as pool "main", closed when t ends (after
// the cleanups registered later, which may still use it).
func probedPool(t *testing.T, p *probe.Probe, maxConns int32) *pgxpool.Pool {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(testenv.DatabaseURL(t))
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = maxConns
	tr := pgxprobe.New(p, "main", cfg)
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	tr.Observe(pool)
	t.Cleanup(pool.Close)
	return pool
}

// soakTrends runs a 6-second soak of tg's /ok long enough for the trend
// detectors (the probe read every 250 ms, a 1 s baseline), with users
// users, the wait between tasks and the drain given, and the CPU target
// off (see probedTarget). It fails t on a usage or run error, and
// returns the process and the report.
func (tg *probedTarget) soakTrends(t *testing.T, users, wait, drain string) (proc, string, *report.Document) {
	t.Helper()
	dir := t.TempDir()
	p := soak(t, dir, nil, time.Minute, "run", "--host", tg.URL, "--url", "/ok", "-u", users, "-r", "0", "-t", "6s",
		"--wait", wait, "--probe", tg.Probe, "--probe-interval", "250ms", "--baseline", "1s", "--drain", drain,
		"--max-cpu", "off", "--out", "out")
	if p.code == exitUsage || p.code == exitError {
		t.Fatalf("exit %d:\n%s\n%s", p.code, p.stdout, p.stderr)
	}
	md, doc := readOut(t, filepath.Join(dir, "out"))
	return p, md, doc
}

// readOut reads a results directory's report.md and report.json.
func readOut(t *testing.T, dir string) (md string, doc *report.Document) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(dir, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err = report.ReadJSON(f, "report.json")
	if err != nil {
		t.Fatal(err)
	}
	return string(b), doc
}

// lastLine is the summary's last line: the exit code and the headline.
func lastLine(stdout string) string {
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// wantAll reports each of wants missing from text.
func wantAll(t *testing.T, what, text string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(text, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, text)
		}
	}
}

// A target that answers only 429s is never healthy: without a declared
// policy 100 % of 429s is a defect; with the probe's policy known, the
// run is still "mostly rate-limited". Throughput counts what was served
// (nothing), and the Locust CSV keeps Locust's semantics (429 = failure).
func TestOnly429s(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	limited := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "slow down", http.StatusTooManyRequests)
	}))
	t.Cleanup(limited.Close)
	p := soak(t, dir, nil, time.Minute, "run", "--host", limited.URL, "--url", "/", "-u", "3", "-r", "0", "-t", "2s",
		"--wait", "10ms", "--probe-optional", "--out", "flood")
	if p.code != exitUnstable || !strings.HasPrefix(lastLine(p.stdout), "exit 4: mostly rate-limited: 100% of the responses were 429s; unhealthy") {
		t.Fatalf("exit %d, last line %q:\n%s\n%s", p.code, lastLine(p.stdout), p.stdout, p.stderr)
	}
	md, doc := readOut(t, filepath.Join(dir, "flood"))
	wantAll(t, "report.md", md, "## Verdict", "**❌ Unhealthy (exit 4)**", "mostly rate-limited",
		"| Throughput | > 100 RPS | 0.0 RPS served (", "❌ Fail |", "| Rate Limit Hits | Expected |", "mostly rate-limited | ❌ Fail |")
	if f := findingOf(doc, analysis.DetectorRateLimit); f == nil || f.Verdict != analysis.VerdictDetected || f.RateLimit.HitRate != 1 {
		t.Errorf("rate-limit finding %+v", f)
	}
	stats, _ := os.ReadFile(filepath.Join(dir, "flood", "soak_stats.csv"))
	agg := strings.Split(strings.TrimSpace(string(stats)), "\r\n")
	if row := strings.Split(agg[len(agg)-1], ","); row[1] != "Aggregated" || row[2] != row[3] || row[2] == "0" {
		t.Errorf("Locust's stats count every 429 as a failure: %q", row)
	}

	// The service's own limiter, its policy declared to the probe: the
	// users share one address, so the 429s are expected, and the run
	// measured the limiter, not the service.
	tg := newProbedTarget(t, func(pr *probe.Probe, h http.Handler) http.Handler {
		rl, err := middleware.NewRateLimiter(middleware.RateLimitConfig{Probe: pr, Policy: middleware.PerMinute(5)})
		if err != nil {
			t.Fatal(err)
		}
		return rl.Handler(h)
	})
	p = soak(t, dir, nil, time.Minute, append([]string{"run", "--host", tg.URL, "--url", "/", "-u", "3", "-r", "0", "-t", "2s",
		"--wait", "10ms", "--probe", tg.Probe, "--max-cpu", "off", "--out", "limited"}, quick...)...)
	if p.code == exitOK || p.code == exitError || p.code == exitUsage ||
		!strings.Contains(lastLine(p.stdout), ": mostly rate-limited: ") {
		t.Fatalf("exit %d, last line %q:\n%s\n%s", p.code, lastLine(p.stdout), p.stdout, p.stderr)
	}
	md, _ = readOut(t, filepath.Join(dir, "limited"))
	wantAll(t, "report.md", md, "mostly rate-limited", "**Policy**: 5 req/min per ip")
	if strings.Contains(md, "mostly rate-limited | ✅ Pass") {
		t.Error("a run of 429s has a green Rate Limit Hits row")
	}
}

func findingOf(doc *report.Document, d analysis.Detector) *analysis.Finding {
	if doc.Analysis == nil {
		return nil
	}
	for i := range doc.Analysis.Findings {
		if doc.Analysis.Findings[i].Detector == d {
			return &doc.Analysis.Findings[i]
		}
	}
	return nil
}

func checkOf(doc *report.Document, name string) *analysis.Check {
	for i := range doc.Analysis.Checks {
		if doc.Analysis.Checks[i].Name == name {
			return &doc.Analysis.Checks[i]
		}
	}
	return nil
}

// A 3-second run has too short a steady state for the trend detectors:
// it is inconclusive (exit 5), never "nothing unstable found", and says
// which checks could not run.
func TestShortRunIsInconclusive(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tg := newProbedTarget(t, nil)
	// The probe is read every 2 s (the default): the steady state holds
	// one or two samples, and the trends need five. The CPU target is
	// off: the probe reads this test binary's CPU, which the parallel
	// tests' targets share, and a missed target (exit 3) outranks
	// inconclusive.
	p := soak(t, dir, nil, time.Minute, "run", "--host", tg.URL, "--url", "/ok", "-u", "2", "-r", "0", "-t", "3s",
		"--wait", "none", "--probe", tg.Probe, "--max-cpu", "off", "--baseline", "1s", "--drain", "2s", "--out", "short")
	if p.code != exitInconclusive || !strings.HasPrefix(lastLine(p.stdout), "exit 5: inconclusive: ") ||
		strings.Contains(p.stdout, "nothing unstable") {
		t.Fatalf("exit %d, last line %q:\n%s\n%s", p.code, lastLine(p.stdout), p.stdout, p.stderr)
	}
	wantAll(t, "summary", p.stdout, "could not check memory-leak [", "could not check goroutine-leak [", "  checked (", "error-rate")
	md, doc := readOut(t, filepath.Join(dir, "short"))
	wantAll(t, "report.md", md, "**❔ Inconclusive (exit 5)**", "**Could not be checked**", "- memory-leak [", "**Checked** (")
	if c := checkOf(doc, "memory-leak"); c == nil || c.Status != analysis.CheckNotRun || !strings.Contains(c.Why, "steady state") {
		t.Errorf("memory-leak check %+v", c)
	}
	if doc.Analysis.ExitCode != exitInconclusive || doc.Analysis.Outcome != analysis.OutcomeInconclusive {
		t.Errorf("report.json: exit %d, %s", doc.Analysis.ExitCode, doc.Analysis.Outcome)
	}
}

// A probe that refuses soak's token is a configuration error before the
// load (exit 2), its hint whole; nothing is written.
func TestProbeWithWrongToken(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tg := newProbedTarget(t, nil, probe.WithToken("right-token-3c1f"))
	for _, env := range [][]string{nil, {ProbeTokenEnv + "=wrong-token-0b7e"}} {
		args := append([]string{"run", "--host", tg.URL, "--url", "/ok", "-u", "1", "-t", "5s", "--probe", tg.Probe, "--out", "out"}, quick...)
		if env == nil {
			args = append(args, "--probe-token", "wrong-token-0b7e")
		}
		p := soak(t, dir, env, time.Minute, args...)
		if p.code != exitUsage {
			t.Fatalf("exit %d, want %d:\n%s\n%s", p.code, exitUsage, p.stdout, p.stderr)
		}
		wantAll(t, "stderr", p.stderr, "refused soak: 401 Unauthorized",
			"unauthorized: send the probe's token in the Authorization header", "--probe-token or $SOAK_PROBE_TOKEN",
			"or pass --probe-optional to run without it")
		if strings.Contains(p.stderr, "wrong-token-0b7e") || strings.Contains(p.stderr, "[redacted] the Authorization") {
			t.Errorf("the token printed, or the hint mangled:\n%s", p.stderr)
		}
		if _, err := os.Stat(filepath.Join(dir, "out")); err == nil {
			t.Fatal("a results directory was made for a run refused before the load")
		}
	}
}

// Users whose login fails (here 4 of 10, 40 %) quit: counted and shown in
// the summary, the report (when and why) and the exceptions CSV; above
// 1 % of the users it is a defect.
func TestUsersThatQuit(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tg := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/login" {
			if id, _ := strconv.Atoi(label.Parse(r.Header).User); id%5 < 2 { // users 1, 5, 6 and 10
				http.Error(w, "no such account", http.StatusUnauthorized)
				return
			}
		}
		w.Write([]byte(`{"ok":true}`))
	}))
	t.Cleanup(tg.Close)
	os.WriteFile(filepath.Join(dir, "login.yaml"), []byte(`name: login
wait: 50ms
classes:
  - name: Member
    weight: 1
    on_start:
      - post: /login
        status: 200
    tasks:
      - get: /ok
`), 0o644)
	p := soak(t, dir, nil, time.Minute, "run", "--host", tg.URL, "--scenario", "login.yaml", "-u", "10", "-r", "0", "-t", "3s",
		"--probe-optional", "--out", "quit")
	if p.code != exitUnstable || !strings.HasPrefix(lastLine(p.stdout), "exit 4: unhealthy: ") || !strings.Contains(lastLine(p.stdout), "user-quits") {
		t.Fatalf("exit %d, last line %q:\n%s\n%s", p.code, lastLine(p.stdout), p.stdout, p.stderr)
	}
	wantAll(t, "summary", p.stdout, "users: 10 started, 4 quit before the load ended (40.00%); 4x Member/on_start: POST /login: HTTP 401")
	md, doc := readOut(t, filepath.Join(dir, "quit"))
	// The peak is read at interval ends: users that quit at once may
	// leave before the first, so only the plan's 10 and the quits are fixed.
	wantAll(t, "report.md", md, "10 concurrent users (peak reached: ", "); 4 quit before the load ended", "### Users That Quit",
		"**Users That Quit**: 4 (40.0%): ❌", "**Member/on_start**: 4 quit: POST /login: HTTP 401 Unauthorized (first ")
	if doc.UsersStarted != 10 || len(doc.Quits) != 1 || doc.Quits[0].Count != 4 {
		t.Errorf("report.json: %d started, quits %+v", doc.UsersStarted, doc.Quits)
	}
	exc, _ := os.ReadFile(filepath.Join(dir, "quit", "soak_exceptions.csv"))
	wantAll(t, "soak_exceptions.csv", string(exc), "4,user quit: POST /login: HTTP 401 Unauthorized,user quit in Member/on_start,local")
	if !strings.Contains(p.stderr, "quit") {
		t.Errorf("the live log does not show users quitting:\n%s", p.stderr)
	}
}

// 20 requests in flight when the load ends are aborted at the stop
// timeout: the summary, report.md and report.html say so; the Locust
// CSVs leave them out, as Locust drops the requests it kills.
func TestAbortedAtTheStop(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tg := newSlowTarget(t)
	p := soak(t, dir, nil, time.Minute, "run", "--host", tg.URL, "--url", "/slow", "-u", "20", "-r", "0", "-t", "2s",
		"--stop-timeout", "200ms", "--min-rps", "off", "--probe-optional", "--out", "stop")
	if p.code != exitInconclusive || !strings.HasPrefix(lastLine(p.stdout), "exit 5: inconclusive: ") {
		t.Fatalf("exit %d, last line %q (no request completed: nothing to judge):\n%s\n%s", p.code, lastLine(p.stdout), p.stdout, p.stderr)
	}
	wantAll(t, "summary", p.stdout, "aborted: 20 requests still in flight when the load ended were cut at the stop timeout")
	md, doc := readOut(t, filepath.Join(dir, "stop"))
	wantAll(t, "report.md", md, "**Aborted at the stop**: 20 requests", "20 requests were still in flight when the load ended and aborted")
	if strings.Contains(md, "requests in flight finished") {
		t.Error("report.md calls the stop graceful")
	}
	if doc.Totals.Aborted != 20 {
		t.Errorf("report.json: %d aborted", doc.Totals.Aborted)
	}
	html, _ := os.ReadFile(filepath.Join(dir, "stop", "report.html"))
	wantAll(t, "report.html", string(html), `<div class="card warn"><div class="k">Aborted at the stop</div><div class="v">20</div>`)
	stats, _ := os.ReadFile(filepath.Join(dir, "stop", "soak_stats.csv"))
	if strings.Contains(string(stats), "/slow") {
		t.Errorf("soak_stats.csv counts requests Locust would not know:\n%s", stats)
	}
}

// A throughput target above what the plan can send (2 users, 1 s waits:
// at most 2 requests/s) is unreachable by this plan: a warning at start,
// a row that says so, not a failure; with --strict-targets (here given to
// soak report, which judges the saved run again), exit 3.
func TestUnreachableTarget(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tg := newTarget(t)
	args := []string{"run", "--host", tg.URL, "--url", "/ok", "-u", "2", "-r", "0", "-t", "2s", "--wait", "1s",
		"--min-rps", "100", "--probe-optional"}
	p := soak(t, dir, nil, time.Minute, append(args, "--out", "plan")...)
	if p.code != exitOK || !strings.HasPrefix(lastLine(p.stdout), "exit 0: healthy on the client-side checks only") {
		t.Fatalf("exit %d, last line %q:\n%s\n%s", p.code, lastLine(p.stdout), p.stdout, p.stderr)
	}
	wantAll(t, "stderr", p.stderr, "soak: warning: the throughput target (> 100 RPS) is unreachable by this plan: its users and waits send at most 2.0 requests/s")
	md, _ := readOut(t, filepath.Join(dir, "plan"))
	wantAll(t, "report.md", md, "| Throughput | > 100 RPS |", "🚧 Unreachable by this plan |", "unreachable by this plan: its users and waits send at most 2.0 requests/s")

	// Strict targets, on the same run: soak report judges it again.
	p = soak(t, dir, nil, time.Minute, "report", "--strict-targets", "plan")
	if p.code != exitTargetMissed || !strings.HasPrefix(lastLine(p.stdout), "exit 3: unhealthy: 1 target missed: Throughput") {
		t.Fatalf("strict: exit %d, last line %q:\n%s", p.code, lastLine(p.stdout), p.stderr)
	}
}

// output collects the process's stdout until it ends, at most limit,
// and returns its exit code and stdout.
func (s *started) output(t *testing.T, limit time.Duration) (int, string) {
	t.Helper()
	var b strings.Builder
	timeout := time.After(limit)
	for {
		select {
		case l, ok := <-s.lines:
			if !ok {
				return s.wait(t, limit), b.String()
			}
			b.WriteString(l + "\n")
		case <-timeout:
			s.cmd.Process.Kill()
			t.Fatalf("soak did not end within %v:\n%s", limit, s.stderr.String())
		}
	}
}

// steadySamples counts the probe samples of the steady state, with a
// snapshot, that a results directory holds so far.
func steadySamples(dir string) int {
	b, _ := os.ReadFile(filepath.Join(dir, "probe.jsonl"))
	n := 0
	for _, line := range strings.Split(string(b), "\n") {
		if strings.Contains(line, `"type":"sample"`) && strings.Contains(line, `"phase":"steady"`) && strings.Contains(line, `"snapshot"`) {
			n++
		}
	}
	return n
}

// waitSteady waits until dir holds n steady-state samples, at most two
// minutes: the test goes on when the run has reached its steady state,
// however slow the machine.
func waitSteady(t *testing.T, dir string, n int, s *started) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for steadySamples(dir) < n {
		if time.Now().After(deadline) {
			t.Fatalf("fewer than %d steady-state samples in %s after 2 minutes:\n%s", n, dir, s.stderr.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitGCCycles waits until dir's first probe instance has shown n GC
// cycles in the steady state (what the memory detector trends), at most
// two minutes.
func waitGCCycles(t *testing.T, dir string, n int, s *started) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		b, _ := os.ReadFile(filepath.Join(dir, "probe.jsonl"))
		c, _ := capture.ReadCapture(bytes.NewReader(b), "probe.jsonl") // a line being written is cut: what came before counts
		cycles := map[uint64]bool{}
		if c != nil && len(c.Timeline.Sources) > 0 {
			for _, p := range c.Timeline.Sources[0].In(capture.PhaseSteady) {
				cycles[p.GCCycles] = true
			}
		}
		if len(cycles) >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("fewer than %d GC cycles in the steady state of %s after 2 minutes:\n%s", n, dir, s.stderr.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// serveDemo starts `soak demo --serve` at the given addresses and waits
// for it to print its URLs.
func serveDemo(t *testing.T, dir, addr, admin string, args ...string) *started {
	t.Helper()
	// A collection each time the heap grows by a tenth: the leak shows
	// over many GC cycles within seconds.
	s := startEnv(t, dir, []string{"GOGC=10"}, append([]string{"demo", "--serve", "--addr", addr, "--admin-addr", admin}, args...)...)
	urls := 0
	timeout := time.After(time.Minute)
	for urls < 2 {
		select {
		case line, ok := <-s.lines:
			if !ok {
				t.Fatalf("soak demo --serve ended:\n%s", s.stderr.String())
			}
			if urlLine.MatchString(line) {
				urls++
			}
		case <-timeout:
			t.Fatalf("soak demo --serve printed no URLs in a minute:\n%s", s.stderr.String())
		}
	}
	return s
}

// A service with a heap leak, killed (-9) and started again mid-run: the
// restart is a finding (when, with the requests that failed around it),
// the leak of the process before the restart is still found, and each
// process is judged apart.
func TestRestartMidRun(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	addr, admin := freePort(t), freePort(t)
	first := serveDemo(t, dir, addr, admin, "--fault", "heap-leak")
	// Each user its own address, below the demo's 100 requests/min per
	// client: every request reads a story, and keeps 8 KiB of it.
	os.WriteFile(filepath.Join(dir, "leak.yaml"), []byte(`name: story readers
headers:
  X-Forwarded-For: "198.51.100.{{user.id}}"
classes:
  - name: Reader
    weight: 1
    wait: 650ms
    tasks:
      - get: /api/stories/story-0001
        name: /api/stories/[slug]
`), 0o644)
	probeURL := "http://" + admin + "/"
	run := start(t, dir, "run", "--host", "http://"+addr, "--scenario", "leak.yaml", "-u", "200", "-r", "0", "-t", "5m",
		"--probe", probeURL, "--probe-interval", "250ms", "--baseline", "500ms", "--settle", "1s", "--drain", "2s", "--out", "restart")
	out := filepath.Join(dir, "restart")
	waitGCCycles(t, out, 8, run)
	first.cmd.Process.Kill()
	first.wait(t, time.Minute)
	// The users were spawned together and wait a fixed 650 ms, so their
	// requests come in waves: a restart quicker than the gap between two
	// waves would fail nothing. Down for longer than two waves, every
	// user's next request is refused.
	time.Sleep(1500 * time.Millisecond)
	before := steadySamples(out)
	serveDemo(t, dir, addr, admin, "--fault", "heap-leak")
	// Once the new process answered a few polls, the first Ctrl-C ends
	// the load (the run is then partial: exit 130), and soak report gives
	// the verdict of what ran, as after any run.
	waitSteady(t, out, before+4, run)
	run.cmd.Process.Signal(syscall.SIGINT)
	if code, stdout := run.output(t, 2*time.Minute); code != exitInterrupted {
		t.Fatalf("exit %d after a Ctrl-C:\n%s\n%s", code, stdout, run.stderr.String())
	}
	p := soak(t, dir, nil, time.Minute, "report", "restart")
	last := lastLine(p.stdout)
	if p.code != exitUnstable || !strings.HasPrefix(last, "exit 4: unhealthy: ") || !strings.Contains(last, "restart") {
		t.Fatalf("soak report: exit %d, last line %q:\n%s\n%s", p.code, last, p.stdout, p.stderr)
	}
	md, doc := readOut(t, out)
	wantAll(t, "report.md", md, "### Restarts", "**Restart 1**: "+probeURL+": instance ", "requests failed around it",
		"judged apart as "+probeURL+" and "+probeURL+" after restart 1")
	rs := findingOf(doc, analysis.DetectorRestart)
	if rs == nil || rs.Verdict != analysis.VerdictDetected || len(rs.Restarts.Events) != 1 || rs.Restarts.Events[0].Failures == 0 {
		t.Fatalf("restart finding %+v", rs)
	}
	var leak *analysis.Finding
	for i := range doc.Analysis.Findings {
		if f := &doc.Analysis.Findings[i]; f.Detector == analysis.DetectorMemoryLeak && f.Source == probeURL {
			leak = f
		}
	}
	if leak == nil || leak.Verdict != analysis.VerdictDetected {
		t.Errorf("the leak of the process before the restart: %+v", leak)
	}
}

// soak killed with -9 mid-run: `soak report DIR` rebuilds every output
// from what was saved, and analyses the steady state the run had.
func TestReportAfterKill(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := start(t, dir, "demo", "-u", "10", "-r", "0", "-t", "5m", "--probe-interval", "250ms", "--baseline", "500ms",
		"--settle", "1s", "--out", "killed")
	out := filepath.Join(dir, "killed")
	waitSteady(t, out, 16, s)
	s.cmd.Process.Kill()
	s.wait(t, time.Minute)
	p := soak(t, dir, nil, time.Minute, "report", "killed")
	if p.code == exitError || p.code == exitUsage || p.code == exitInterrupted {
		t.Fatalf("soak report after kill -9: exit %d:\n%s\n%s", p.code, p.stdout, p.stderr)
	}
	wantAll(t, "stderr", p.stderr, "the run never finished (soak was killed)")
	md, doc := readOut(t, out)
	wantAll(t, "report.md", md, "(partial: interrupted)", "**Phases**: baseline", "steady ")
	if c := checkOf(doc, "steady state"); c == nil || c.Status != analysis.CheckRan {
		t.Errorf("steady-state check after kill -9: %+v", c)
	}
	if f := findingOf(doc, analysis.DetectorMemoryLeak); f == nil || strings.Contains(f.Unmeasured, "no steady state") {
		t.Errorf("memory-leak after kill -9: %+v", f)
	}
	var steady bool
	for _, sp := range doc.Analysis.Phases {
		steady = steady || (sp.Phase == "steady" && sp.End.Sub(sp.Start) >= 3*time.Second)
	}
	if !steady {
		t.Errorf("phases %+v: no steady state of the 4 s or more the run had", doc.Analysis.Phases)
	}
}
