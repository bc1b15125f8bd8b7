package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/soaklab/soak/cmd/soak/internal/results"
)

// TestDemoWritesEveryOutput: `soak demo` with a short duration soaks the
// built-in service in process and writes every output.
func TestDemoWritesEveryOutput(t *testing.T) {
	t.Parallel() // a subprocess soak of 20 users: mostly waiting
	dir := t.TempDir()
	p := soak(t, dir, nil, 2*time.Minute, append([]string{"demo", "--duration", "4s", "--users", "20", "--spawn-rate", "20",
		"--out", "out"}, quick...)...)
	if p.code != exitOK && p.code != exitTargetMissed && p.code != exitInconclusive {
		t.Fatalf("exit %d, want 0, 3 or 5 (a short run may miss a latency target, or have too short a steady state for a detector):\n%s\n%s",
			p.code, p.stdout, p.stderr)
	}
	out := filepath.Join(dir, "out")
	doc := checkOutputs(t, out, false)
	if doc.Totals.Requests == 0 || len(doc.Endpoints) < 5 {
		t.Errorf("%d requests over %d endpoints: the seed scenario did not run", doc.Totals.Requests, len(doc.Endpoints))
	}
	if runStatus(t, out) != results.StatusComplete {
		t.Error("run.json does not say complete")
	}
	if !strings.Contains(p.stdout, "outputs in out") || !strings.Contains(p.stderr, "soak: demo run ") {
		t.Errorf("summary or progress missing:\n%s\n%s", p.stdout, p.stderr)
	}
	md, _ := os.ReadFile(filepath.Join(out, "report.md"))
	for _, class := range []string{"AuthenticatedUser", "UnauthenticatedUser", "WriterUser", "HealthCheckUser"} {
		if !strings.Contains(string(md), class) {
			t.Errorf("report.md lacks the seed class %s", class)
		}
	}
}

// unreachable is how the report says a probe did not answer.
var unreachable = regexp.MustCompile(`(?i)probe[^\n]{0,80}(unreachable|not reachable)`)

var urlLine = regexp.MustCompile(`^(demo service|probe admin): +(http://127\.0\.0\.1:\d+)$`)

// TestRunAgainstServedDemo: `soak run` against `soak demo --serve` in
// another process, with its probe, writes every output.
func TestRunAgainstServedDemo(t *testing.T) {
	t.Parallel() // two subprocesses: soak demo --serve and soak run
	dir := t.TempDir()
	srv := start(t, dir, "demo", "--serve", "--addr", "127.0.0.1:0", "--admin-addr", "127.0.0.1:0")
	urls := map[string]string{}
	timeout := time.After(30 * time.Second)
	for len(urls) < 2 {
		select {
		case line, ok := <-srv.lines:
			if !ok {
				t.Fatalf("soak demo --serve ended:\n%s", srv.stderr.String())
			}
			if m := urlLine.FindStringSubmatch(line); m != nil {
				urls[m[1]] = m[2]
			}
		case <-timeout:
			t.Fatalf("soak demo --serve printed no URLs in 30s:\n%s", srv.stderr.String())
		}
	}
	seed, _ := filepath.Abs("../../docs/scenarios/seed.yaml")
	p := soak(t, dir, nil, 2*time.Minute, append([]string{"run", "--host", urls["demo service"], "--scenario", seed,
		"--probe", urls["probe admin"], "-u", "20", "-r", "20", "-t", "4s", "--out", "out", "--headless",
		"--csv", "sustained_load_results", "--html", "sustained_load_report.html"}, quick...)...)
	if p.code != exitOK && p.code != exitTargetMissed && p.code != exitInconclusive {
		t.Fatalf("exit %d:\n%s\n%s", p.code, p.stdout, p.stderr)
	}
	doc := checkOutputs(t, filepath.Join(dir, "out"), false)
	if doc.Totals.Requests == 0 {
		t.Error("no request")
	}
	for _, f := range []string{"sustained_load_results_stats.csv", "sustained_load_results_failures.csv", "sustained_load_report.html"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("Locust-style output: %v", err)
		}
	}
	if md, _ := os.ReadFile(filepath.Join(dir, "out", "report.md")); unreachable.Match(md) {
		t.Errorf("the probe answered, yet the report says it was not reachable")
	}
	srv.cmd.Process.Signal(syscall.SIGINT)
	if code := srv.wait(t, 30*time.Second); code != exitOK {
		t.Errorf("soak demo --serve after Ctrl-C: exit %d:\n%s", code, srv.stderr.String())
	}
}

// TestBadInputSubprocess: the real binary exits 2 naming the flag or the
// file:line:column, without a stack trace.
func TestBadInputSubprocess(t *testing.T) {
	t.Parallel() // subprocesses only
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "broken.yaml"), []byte("name: x\nclasses:\n  - name: A\n    weight: [1\n"), 0o644)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "--nope"}, "-nope"},
		{[]string{"run", "--duration", "30 minutes"}, "-duration"},
		{[]string{"--users", "10", "-t", "1h30"}, "-t"},
		{[]string{"run", "--host", "http://127.0.0.1:1", "--scenario", "broken.yaml"}, "broken.yaml:4:"},
		{[]string{"run", "--host", "http://127.0.0.1:1", "--scenario", "absent.yaml"}, "absent.yaml"},
		{[]string{"validate", "broken.yaml"}, "broken.yaml:4:"},
	} {
		p := soak(t, dir, nil, 30*time.Second, tc.args...)
		if p.code != exitUsage || !strings.Contains(p.stderr, tc.want) || strings.Contains(p.stderr, "goroutine") {
			t.Errorf("soak %q: exit %d, stderr:\n%s", tc.args, p.code, p.stderr)
		}
	}
}

// TestHostNotAnswering: nothing listening fails in seconds; a host that
// accepts connections and never answers ends with the run, bounded.
func TestHostNotAnswering(t *testing.T) {
	t.Parallel() // subprocesses, and listeners that never answer: waiting
	dir := t.TempDir()
	closed := "http://" + freePort(t)
	start := time.Now()
	p := soak(t, dir, nil, 30*time.Second, "run", "--host", closed, "--url", "/", "-t", "1m")
	if p.code != exitError || !strings.Contains(p.stderr, "nothing answers") || time.Since(start) > 20*time.Second {
		t.Errorf("closed port: exit %d after %v:\n%s", p.code, time.Since(start), p.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "soak-results")); err == nil {
		t.Error("a results directory was created for a run that never started")
	}

	silent, accepted := newSilentListener(t)
	p = soak(t, dir, nil, time.Minute, append([]string{"run", "--host", "http://" + silent, "--url", "/", "-u", "3", "-r", "3",
		"-t", "3s", "--timeout", "1s", "--out", "silent"}, quick...)...)
	if p.code != exitTargetMissed || accepted.Load() == 0 {
		t.Errorf("silent host: exit %d, %d connections accepted:\n%s\n%s", p.code, accepted.Load(), p.stdout, p.stderr)
	}
	if !strings.Contains(p.stdout, "100.00%") || !strings.Contains(p.stdout, "error: ") {
		t.Errorf("the summary should show every request failed (timeouts):\n%s", p.stdout)
	}
	checkOutputs(t, filepath.Join(dir, "silent"), false)
}

// TestUnreachableProbe: a --probe that nothing answers is a configuration
// error before the load (exit 2, no results directory); with
// --probe-optional the run goes on client side, is judged on the checks
// it made, and the report says the probe was not reachable.
func TestUnreachableProbe(t *testing.T) {
	t.Parallel() // subprocess soaks of 2 users: waiting
	dir := t.TempDir()
	tg := newTarget(t)
	probe := "http://" + freePort(t)
	args := append([]string{"run", "--host", tg.URL, "--url", "/ok", "-u", "2", "-r", "2",
		"-t", "3s", "--probe", probe, "--out", "out"}, quick...)
	p := soak(t, dir, nil, time.Minute, args...)
	if p.code != exitUsage || !strings.Contains(p.stderr, "--probe "+probe+"/ does not answer") ||
		!strings.Contains(p.stderr, "or pass --probe-optional to run without it") {
		t.Fatalf("exit %d, want %d for a probe nothing answers:\n%s", p.code, exitUsage, p.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "out")); err == nil {
		t.Error("a results directory was made for a run refused before the load")
	}
	p = soak(t, dir, nil, time.Minute, append(args, "--probe-optional")...)
	if p.code == exitError || p.code == exitUsage {
		t.Fatalf("exit %d:\n%s\n%s", p.code, p.stdout, p.stderr)
	}
	if !strings.Contains(p.stderr, "going on without it (--probe-optional)") {
		t.Errorf("no warning that the run goes on without the probe:\n%s", p.stderr)
	}
	doc := checkOutputs(t, filepath.Join(dir, "out"), false)
	if doc.Totals.Requests == 0 {
		t.Error("no request: the run did not go on")
	}
	if !strings.Contains(p.stderr, "not reachable") {
		t.Errorf("the live log does not say the probe is not reachable:\n%s", p.stderr)
	}
	md, _ := os.ReadFile(filepath.Join(dir, "out", "report.md"))
	if !unreachable.Match(md) {
		t.Errorf("report.md does not say the probe was not reachable:\n%s", md)
	}
}

// TestCapacity: soak capacity steps the users up, stops at the breaking
// point or the last step, and writes the outputs with capacity.json;
// soak report rebuilds them. With --probe, the probe is read through the
// steps (probe.jsonl), and the report's system and stability rows and its
// appendix are measured.
func TestCapacity(t *testing.T) {
	t.Parallel() // 2 users for two 5 s steps: mostly waiting
	dir := t.TempDir()
	tg := newProbedTarget(t, nil)
	p := soak(t, dir, nil, 2*time.Minute, "capacity", "--host", tg.URL, "--url", "/ok", "--wait", "none",
		"--start-users", "1", "--step-users", "1", "--max-users", "2", "--step-duration", "5s", "--out", "cap",
		"--probe", tg.Probe, "--probe-interval", "250ms")
	if p.code != exitOK {
		t.Fatalf("exit %d:\n%s\n%s", p.code, p.stdout, p.stderr)
	}
	if !strings.Contains(p.stdout, "capacity: max ") || !strings.Contains(p.stderr, "step 1 users:") {
		t.Errorf("no capacity summary or step line:\n%s\n%s", p.stdout, p.stderr)
	}
	if !strings.Contains(p.stdout, "exit 0: the capacity search ran") {
		t.Errorf("the summary's exit line does not match exit 0:\n%s", p.stdout)
	}
	if n := steadySamples(filepath.Join(dir, "cap")); n < 10 {
		t.Errorf("%d probe samples in probe.jsonl through the steps", n)
	}
	md, doc := readOut(t, filepath.Join(dir, "cap"))
	var phases []string
	for _, sp := range doc.Analysis.Phases {
		phases = append(phases, string(sp.Phase))
	}
	if strings.Join(phases, " ") != "baseline warmup steady drain" {
		t.Errorf("capacity phases %v: want a baseline, the first step's settling as warm-up, the steps, a drain", phases)
	}
	for _, row := range []string{"| Application | CPU Usage |", "| Application | Memory Usage |", "**OS**: ", "**CPU**: ", "**RAM**: ",
		"**Service Go Version**: ", "**Initial Memory**: ", "**Leak Detected**: "} {
		i := strings.Index(md, row)
		if i < 0 {
			t.Errorf("report.md lacks %q", row)
			continue
		}
		if line, _, _ := strings.Cut(md[i:], "\n"); strings.Contains(line, "not measured") || strings.Contains(line, "no probe") {
			t.Errorf("capacity with a probe: %s", line)
		}
	}
	out := filepath.Join(dir, "cap")
	checkOutputs(t, out, false)
	if _, err := os.Stat(filepath.Join(out, capacityFile)); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(out, "report.md"))
	p = soak(t, dir, nil, time.Minute, "report", "cap")
	if p.code != exitOK {
		t.Fatalf("soak report of a capacity run: exit %d:\n%s", p.code, p.stderr)
	}
	md, _ = readOut(t, out)
	if !strings.Contains(md, "## Capacity Planning") || !strings.Contains(md, "Max Concurrent Users") || !strings.Contains(md, "| Application | CPU Usage |") {
		t.Errorf("rebuilt report.md lacks the capacity section or the probe's rows:\n%.2000s", md)
	}
}
