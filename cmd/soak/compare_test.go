package main

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/soaklab/soak/engine/compare"
	"github.com/soaklab/soak/engine/report"
	"github.com/soaklab/soak/internal/testenv"
)

// demoArgs is a short soak of the demo, light enough that the service is
// not the bottleneck on a loaded machine: 10 users, 1.5 tasks/s each.
func demoArgs(out, duration string, extra ...string) []string {
	return append([]string{"demo", "--duration", duration, "--users", "10", "--spawn-rate", "10",
		"--wait", "throughput 1.5", "--only-summary", "--out", out}, extra...)
}

// recordDemo runs soak demo (with quick: a 1 s baseline, at most 2 s of
// drain) into dir/name in its own process, the soak binary TestMain
// built, and returns the results directory; its exit code is the
// verdict's (a missed cache target is 3 on a short run): anything but a
// usage or I/O error does.
func recordDemo(t *testing.T, dir, name, duration string, extra ...string) string {
	t.Helper()
	out := filepath.Join(dir, name)
	p := soak(t, dir, nil, 3*time.Minute, append(demoArgs(out, duration, extra...), quick...)...)
	if p.code == exitError || p.code == exitUsage || p.code == exitInterrupted {
		t.Fatalf("soak demo %s: exit %d\n%s\n%s", name, p.code, p.stdout, p.stderr)
	}
	return out
}

// recordDemos runs soak demo for each of specs (a name, then extra
// flags) at the same time, each in its own process (the soak binary
// TestMain built: the demos share nothing), and returns their results
// directories.
func recordDemos(t *testing.T, dir string, specs [][]string, duration string) []string {
	t.Helper()
	out := make([]string, len(specs))
	fails := make([]string, len(specs))
	var wg sync.WaitGroup
	for i, spec := range specs {
		out[i] = filepath.Join(dir, spec[0])
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, soakBin, demoArgs(out[i], duration, spec[1:]...)...)
			cmd.Dir, cmd.Env = dir, append(os.Environ(), cleanEnv...)
			b, err := cmd.CombinedOutput()
			var ee *exec.ExitError
			if err != nil && (!errors.As(err, &ee) || ee.ExitCode() == exitError || ee.ExitCode() == exitUsage) {
				fails[i] = fmt.Sprintf("soak demo %s: %v\n%s", spec[0], err, b)
			}
		}()
	}
	wg.Wait()
	for _, f := range fails {
		if f != "" {
			t.Fatal(f)
		}
	}
	return out
}

// readComparison reads compare.json.
func readComparison(t *testing.T, path string) *compare.Comparison {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Format string `json:"format"`
		compare.Comparison
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Format != report.CompareFormat {
		t.Fatalf("format %q", doc.Format)
	}
	return &doc.Comparison
}

// TestCompareSlowRoute records a clean demo run and one with
// slow-trending (20 ms more on one route), through the CLI, and compares
// them: the slower route is a regression (exit 6), no other endpoint
// is, the JUnit report parses and carries the evidence; the clean run
// compared with itself changes nothing.
func TestCompareSlowRoute(t *testing.T) {
	dir := t.TempDir()
	// Not in parallel with this package's other tests: their soaks would
	// weigh on one run more than on the other. Both soaks at once, so
	// that the machine's load (other packages' tests, builds) weighs on
	// both alike: the bootstrap accounts for the noise
	// within a run, not for a machine busier during one run than the
	// other; compare judges each endpoint beside the whole run's shift
	// (docs/compare.md), so a load that slowed every route of one run
	// alike flags the Aggregated checks only, which this test allows.
	// 20 s: on a loaded machine (-race, other packages' tests) the ramp
	// and the settling take longer, and 12 s left too few steady windows
	// to judge the route.
	// The quick phases (a 1 s baseline, at most 2 s of drain) leave the
	// steady state, which compare judges, as it was.
	// A loaded machine (load 10: -race, Chromium, busy loops) makes each
	// window's p50 of the route's few requests so noisy that 20 s of
	// soak leave the 20 ms not significant (99 % interval -2%..+987%):
	// then both soaks run again for longer, wider windows, and the test
	// judges those. A compare that misses the slower route misses it at
	// any length; one that flags an untouched route fails at once.
	const trending = "GET /api/discovery/trending"
	junit := filepath.Join(dir, "compare.xml")
	env := map[string]string{"GITHUB_ACTIONS": "true"}
	var base, slow, stdout, stderr string
	var code int
	for i, duration := range slowRouteDurations {
		sub := filepath.Join(dir, duration)
		if err := os.MkdirAll(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		runs := recordDemos(t, sub, [][]string{append([]string{"base"}, quick...),
			append([]string{"slow", "--fault", "slow-trending"}, quick...)}, duration)
		base, slow = runs[0], runs[1]
		code, stdout, stderr = inProcess(t, env, "compare", "--junit", junit, base, slow)
		if i == len(slowRouteDurations)-1 || !thinEvidence(t, filepath.Join(slow, compareJSONFile), trending) {
			break
		}
	}
	if code != exitRegression {
		md, _ := os.ReadFile(filepath.Join(slow, compareMarkdownFile))
		t.Fatalf("exit %d, want %d\n%s\n%s\n%s", code, exitRegression, stdout, stderr, md)
	}
	if !strings.Contains(stdout, "regression: "+trending+" p50") || !strings.Contains(stdout, "exit 6: regression") {
		t.Errorf("summary:\n%s", stdout)
	}
	if !strings.Contains(stdout, "::error title=soak%3A "+trending+" p50::regression") {
		t.Errorf("no GitHub annotation for the regression:\n%s", stdout)
	}
	cmp := readComparison(t, filepath.Join(slow, compareJSONFile))
	if ch := cmp.Find(trending, compare.MetricP50); ch == nil || ch.Status != compare.StatusRegression ||
		ch.New-ch.Base < 15 || ch.Confidence < 0.99 {
		t.Fatalf("trending p50: %+v", ch)
	}
	for _, ch := range cmp.Regressions() {
		if ch.Endpoint != trending && ch.Endpoint != compare.AggregatedName {
			t.Errorf("%s flagged: %s (%s); run-wide shifts %+v", ch.Name(), ch.Evidence(), ch.Why, cmp.Shifts)
		}
	}
	for _, name := range []string{compareHTMLFile, compareMarkdownFile} {
		b, err := os.ReadFile(filepath.Join(slow, name))
		if err != nil || !strings.Contains(string(b), trending) {
			t.Errorf("%s: %v", name, err)
		}
	}
	checkJUnitReport(t, junit, trending+" p50")

	// The same run with itself: no change at all.
	code, stdout, _ = inProcess(t, nil, "compare", "--out", dir, base, base)
	if code != exitOK || !strings.Contains(stdout, "exit 0: no significant change") {
		t.Fatalf("self: exit %d\n%s", code, stdout)
	}
	self := readComparison(t, filepath.Join(dir, compareJSONFile))
	for _, ch := range self.Checks {
		if ch.Change != 0 || (ch.Status != compare.StatusNoChange && ch.Status != compare.StatusInsufficient) {
			t.Errorf("self: %s: %s", ch.Name(), ch.Evidence())
		}
	}

	// report.json files compare as their directories do.
	code, stdout, stderr = inProcess(t, nil, "compare", "--out", dir, filepath.Join(base, "report.json"), filepath.Join(slow, "report.json"))
	if code != exitRegression || !strings.Contains(stdout, "regression: "+trending+" p50") {
		t.Errorf("report.json: exit %d\n%s\n%s", code, stdout, stderr)
	}
}

// slowRouteDurations are TestCompareSlowRoute's soaks: the first, and a
// longer one when the machine's noise left the first's evidence thin.
var slowRouteDurations = []string{"20s", "45s"}

// thinEvidence reports whether the comparison at path left endpoint's
// p50 not significant (its interval holds zero, or too few windows), and
// nothing else regressed: a comparison the machine's noise left
// undecided, which a longer soak decides. Any other outcome is judged
// as it is.
func thinEvidence(t *testing.T, path, endpoint string) bool {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		return false // no comparison: the caller's checks say why
	}
	cmp := readComparison(t, path)
	ch := cmp.Find(endpoint, compare.MetricP50)
	if ch == nil || ch.Significant {
		return false
	}
	for _, r := range cmp.Regressions() {
		if r.Endpoint != compare.AggregatedName {
			return false
		}
	}
	t.Logf("%s p50 not significant on this machine's noise: %s; soaking longer", endpoint, ch.Evidence())
	return true
}

// checkJUnitReport parses a JUnit report and checks the elements the schema
// requires, and that the failing case carries its evidence.
func checkJUnitReport(t *testing.T, path, failing string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		XMLName xml.Name `xml:"testsuites"`
		Suites  []struct {
			Name  string `xml:"name,attr"`
			Tests *int   `xml:"tests,attr"`
			Cases []struct {
				Name      string `xml:"name,attr"`
				Classname string `xml:"classname,attr"`
				Failure   *struct {
					Message string `xml:"message,attr"`
					Text    string `xml:",chardata"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("junit: %v", err)
	}
	found := false
	for _, s := range doc.Suites {
		if s.Name == "" || s.Tests == nil || *s.Tests != len(s.Cases) {
			t.Errorf("suite %q: tests %v, %d cases", s.Name, s.Tests, len(s.Cases))
		}
		for _, c := range s.Cases {
			if c.Name == "" || c.Classname == "" {
				t.Errorf("case without name or classname in %s", s.Name)
			}
			if c.Name == failing {
				found = true
				if c.Failure == nil || !strings.Contains(c.Failure.Text, "confidence") {
					t.Errorf("%s: failure %+v", failing, c.Failure)
				}
			}
		}
	}
	if !found {
		t.Errorf("no test case %q in\n%s", failing, b)
	}
}

// TestCompareCleanRuns: two clean runs of the same build, soaked at the
// same time, show no
// regression at the default thresholds (the false-positive rate over
// several pairs is in docs/performance.md).
func TestCompareCleanRuns(t *testing.T) {
	testenv.SkipUnlessLong(t)
	dir := t.TempDir()
	runs := recordDemos(t, dir, [][]string{{"a"}, {"b"}}, "30s")
	code, stdout, stderr := inProcess(t, nil, "compare", runs[0], runs[1])
	if code == exitRegression || code == exitError || code == exitUsage {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
}

// TestBaselineRun: soak demo --baseline-run compares the run with the
// baseline once done, refuses a baseline whose plan differs before any
// load (saying what differs), and the comparison's flags go with it. The
// demos run as subprocesses (their probes read their own process, not
// this one's other tests), so the test runs in parallel; soak report
// reads files, in this process.
func TestBaselineRun(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	base := recordDemo(t, dir, "base", "8s")

	// refused runs soak demo with args, which must be refused before the
	// load, with a usage error whose message holds every one of want.
	refused := func(args []string, want ...string) {
		t.Helper()
		p := soak(t, dir, nil, time.Minute, args...)
		ok := p.code == exitUsage
		for _, w := range want {
			ok = ok && strings.Contains(p.stderr, w)
		}
		if !ok {
			t.Errorf("soak %q: exit %d: %s", args[len(args)-2:], p.code, p.stderr)
		}
	}
	// A different plan is refused before the load: no results directory.
	other := filepath.Join(dir, "other")
	refused(append(demoArgs(other, "8s"), "--users", "5", "--baseline-run", base), "users: 10 in BASE, 5 in NEW", "--allow-plan-change")
	if _, err := os.Stat(other); err == nil {
		t.Error("a refused comparison still ran the load")
	}
	// --baseline DIR is --baseline-run DIR (the spelling); a
	// duration stays the probe's quiet period; anything else is refused.
	refused(append(demoArgs(other, "8s"), "--users", "5", "--baseline", base), "users: 10 in BASE, 5 in NEW")
	refused(append(demoArgs(other, "8s"), "--baseline", filepath.Join(dir, "nowhere")), "neither a duration", "earlier run to compare with")
	refused(append(demoArgs(other, "8s"), "--baseline", base, "--baseline-run", other), "name two runs")
	if _, err := os.Stat(other); err == nil {
		t.Error("a refused comparison still ran the load")
	}
	refused(append(demoArgs(other, "8s"), "--max-p95-regression", "10%"), "--max-p95-regression goes with --baseline-run")

	// The same plan: compared once done, outputs beside the run's.
	again := filepath.Join(dir, "again")
	junit := filepath.Join(again, "junit.xml") // in the results directory, made by the run
	p := soak(t, dir, nil, 3*time.Minute, append(append(demoArgs(again, "8s"), quick...), "--baseline-run", base, "--junit", junit,
		"--max-p50-regression", "off")...)
	if p.code == exitError || p.code == exitUsage {
		t.Fatalf("exit %d\n%s\n%s", p.code, p.stdout, p.stderr)
	}
	if !strings.Contains(p.stdout, "soak compare: BASE "+base) {
		t.Errorf("no comparison in the summary:\n%s", p.stdout)
	}
	cmp := readComparison(t, filepath.Join(again, compareJSONFile))
	if cmp.Margins.P50Regression >= 0 || cmp.Find("Aggregated", compare.MetricP50).Status != compare.StatusOff {
		t.Errorf("--max-p50-regression off: %+v", cmp.Margins)
	}
	b, err := os.ReadFile(junit)
	if err != nil || !strings.Contains(string(b), `name="soak targets"`) || !strings.Contains(string(b), `name="soak compare"`) {
		t.Errorf("junit: %v\n%s", err, b)
	}

	// soak report gives the rebuilt run's verdict in JUnit too, and
	// annotates what failed under GitHub Actions.
	rj := filepath.Join(dir, "report.xml")
	code, stdout, stderr := inProcess(t, map[string]string{"GITHUB_ACTIONS": "true"}, "report", "--junit", rj, base)
	if code == exitError || code == exitUsage {
		t.Fatalf("report: exit %d\n%s", code, stderr)
	}
	b, err = os.ReadFile(rj)
	if err != nil || !strings.Contains(string(b), `name="soak detectors"`) || strings.Contains(string(b), `name="soak compare"`) {
		t.Errorf("report junit: %v\n%s", err, b)
	}
	if failed := strings.Count(string(b), "<failure "); failed != strings.Count(stdout, "::error title=") {
		t.Errorf("%d JUnit failures, %d ::error lines:\n%s", failed, strings.Count(stdout, "::error title="), stdout)
	}
}

// TestCompareUsage: bad arguments and thresholds are usage errors that
// name the flag or file.
func TestCompareUsage(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"compare", dir}, "want BASE and NEW"},
		{[]string{"compare", "--max-p95-regression", "lots", dir, dir}, "--max-p95-regression"},
		{[]string{"compare", "--max-throughput-drop", "150%", dir, dir}, "--max-throughput-drop"},
		{[]string{"compare", "--min-latency-change", "-1ms", dir, dir}, "--min-latency-change"},
		{[]string{"compare", "--json", "--md", dir, dir}, "choose one"},
		{[]string{"compare", filepath.Join(dir, "nope"), dir}, "nope"},
		{[]string{"compare", dir, dir}, "not a soak results directory"},
	} {
		code, _, stderr := inProcess(t, nil, tc.args...)
		if code != exitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d: %s", tc.args, code, stderr)
		}
	}
}
