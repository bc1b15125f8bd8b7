package main

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/analysis"
)

// TestUsageErrors: every mistake on the command line exits 2 with a
// message that names the flag (or the file, line and column), never a
// panic or a stack trace.
func TestUsageErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("name: bad\nload:\n  users: 5\n  spwan_rate: 2\nclasses: []\n"), 0o644)
	host := "--host=http://127.0.0.1:1"
	cases := []struct {
		args []string
		want []string // all must appear in stderr
	}{
		{[]string{"run", "--bogus"}, []string{"-bogus", "not defined"}},
		{[]string{"--users", "5", "--bogus"}, []string{"-bogus"}}, // run is the default
		{[]string{"run", "--duration", "3x"}, []string{"-duration", "not a duration"}},
		{[]string{"run", "-t", "-5s"}, []string{"-t", "negative"}},
		{[]string{"run", "--run-time", "1y"}, []string{"-run-time"}},
		{[]string{"run", host, "--duration", "0"}, []string{"--duration 0"}},
		{[]string{"run", "--users", "many"}, []string{"-users"}},
		{[]string{"run", host, "-u", "0"}, []string{"--users 0"}},
		{[]string{"run", host, "--spawn-rate", "-1"}, []string{"--spawn-rate"}},
		{[]string{"run", "--rate", "0"}, []string{"-rate", "not positive"}},
		{[]string{"run", "--stages", "1m"}, []string{"-stages", "DURATION:USERS"}},
		{[]string{"run", "--wait", "sometimes"}, []string{"-wait"}},
		{[]string{"run", host, "--rate", "10", "--users", "5"}, []string{"choose one model"}},
		{[]string{"run", host, "--users", "5", "--stages", "1m:5"}, []string{"--users and --stages"}},
		{[]string{"run", host, "--interval", "30s"}, []string{"--interval", "10s"}},
		{[]string{"run", host, "--max-p95", "fast"}, []string{"-max-p95"}},
		{[]string{"run", host, "--max-error-rate", "200%"}, []string{"-max-error-rate"}},
		{[]string{"run", host, "--json", "--md"}, []string{"--json and --md"}},
		{[]string{"run", "--url", "/"}, []string{"no host", "--host"}},
		{[]string{"run", "--host", "example.com"}, []string{"--host", "base URL"}},
		{[]string{"run", "--host", "http://example.com:8000"}, []string{"--host", "not loopback", "--allow-remote"}},
		{[]string{"run", host, "--probe", "http://10.0.0.1:6061"}, []string{"--probe", "not loopback"}},
		{[]string{"run", host, "--probe-token", "x"}, []string{"--probe-token without --probe"}},
		{[]string{"run", host, "--url", "/a", "--scenario", bad}, []string{"--url and --scenario"}},
		{[]string{"run", host, "--scenario", filepath.Join(dir, "missing.yaml")}, []string{"missing.yaml", "cannot read"}},
		{[]string{"run", host, "--scenario", bad}, []string{"bad.yaml:4:3", "spwan_rate"}},
		{[]string{"run", host, "extra"}, []string{`unexpected argument "extra"`}},
		{[]string{"demo", "--host", "http://127.0.0.1:8000"}, []string{"--host", "soak run"}},
		{[]string{"demo", "--probe", "http://127.0.0.1:6061"}, []string{"--probe"}},
		{[]string{"demo", "--fault", "gremlins"}, []string{"--fault", "gremlins", "heap-leak"}},
		{[]string{"demo", "--fault", "conn-leak"}, []string{"--fault", "conn-leak", "database"}},
		{[]string{"demo", "--serve", "--users", "5"}, []string{"--users", "--serve only serves"}},
		{[]string{"demo", "--addr", "127.0.0.1:0"}, []string{"--addr", "--serve"}},
		{[]string{"capacity", host, "--users", "5"}, []string{"--users", "steps"}},
		{[]string{"capacity", host, "--start-users", "10", "--max-users", "15"}, []string{"--max-users 15", "fewer than 2 steps"}},
		{[]string{"capacity", host, "--start-rate", "5/s"}, []string{"--start-rate, --step-rate and --max-rate"}},
		{[]string{"run", host, "--weights", "Nobody=3"}, []string{"--weights Nobody=3", `no class "Nobody"`, "QuickUser"}},
		{[]string{"run", host, "--weights", "QuickUser=0"}, []string{"weights", "sum to 0"}},
		{[]string{"run", host, "--weights", "QuickUser"}, []string{"-weights", "NAME=WEIGHT"}},
		{[]string{"validate"}, []string{"no scenario file"}},
		{[]string{"validate", bad}, []string{"bad.yaml:4:3"}},
		{[]string{"report"}, []string{"one results directory"}},
		{[]string{"report", "--max-p99", "soon", dir}, []string{"-max-p99"}},
		{[]string{"help", "nope"}, []string{`no command "nope"`}},
		{[]string{"rnu"}, []string{`unknown command "rnu"`, `did you mean "run"`}},
		{[]string{"valdiate"}, []string{`unknown command "valdiate"`, `did you mean "validate"`}},
		{[]string{"run", "--usres", "5"}, []string{"-usres", `did you mean "--users"`}},
		{[]string{"demo", "--spawnrate", "5"}, []string{"-spawnrate", `did you mean "--spawn-rate"`}},
		{[]string{"version", "now"}, []string{`unexpected argument "now"`}},
	}
	for _, tc := range cases {
		code, stdout, stderr := inProcess(t, nil, tc.args...)
		if code != exitUsage {
			t.Errorf("soak %q: exit %d, want %d; stderr:\n%s", tc.args, code, exitUsage, stderr)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(stderr, w) {
				t.Errorf("soak %q: stderr lacks %q:\n%s", tc.args, w, stderr)
			}
		}
		if strings.Contains(stderr, "goroutine ") || strings.Contains(stderr, "panic") || stdout != "" {
			t.Errorf("soak %q: stack trace or stdout output:\n%s\n%s", tc.args, stdout, stderr)
		}
	}
}

// A quick-mode problem names --url once: scenario.Quick's message
// already starts with the flag.
func TestURLProblemNamesTheFlagOnce(t *testing.T) {
	_, _, stderr := inProcess(t, nil, "run", "--host", "http://127.0.0.1:1", "--url", "nope")
	if strings.Count(stderr, "--url") != 1 || !strings.Contains(stderr, `--url: "nope": `) {
		t.Errorf("stderr:\n%s", stderr)
	}
}

func TestHelpAndVersion(t *testing.T) {
	code, out, _ := inProcess(t, nil)
	if code != exitUsage {
		t.Errorf("soak without arguments: exit %d", code)
	}
	for _, args := range [][]string{{"help"}, {"--help"}, {"-h"}} {
		code, out, _ = inProcess(t, nil, args...)
		if code != 0 || !strings.Contains(out, "Commands:") || !strings.Contains(out, "130  interrupted") {
			t.Errorf("soak %q: exit %d:\n%s", args, code, out)
		}
	}
	for _, cmd := range commands {
		for _, args := range [][]string{{"help", cmd.name}, {cmd.name, "--help"}} {
			code, out, _ := inProcess(t, nil, args...)
			if code != 0 || !strings.HasPrefix(out, "Usage: soak "+cmd.name) || !strings.Contains(out, "Examples:") {
				t.Errorf("soak %q: exit %d:\n%s", args, code, out)
			}
		}
	}
	code, out, _ = inProcess(t, nil, "version")
	if code != 0 || !regexp.MustCompile(`^soak \S+ .*go1\.\d+`).MatchString(out) {
		t.Errorf("soak version: exit %d: %q", code, out)
	}
}

// flagSets returns every command's flags, as the commands define them.
func flagSets() map[string]*flag.FlagSet {
	sets := map[string]*flag.FlagSet{}
	for _, name := range []string{"run", "demo", "capacity", "report", "compare", "worker", "k8s"} {
		fs := newFlagSet(name)
		var o runOptions
		switch name {
		case "report":
			o.registerReport(fs)
			(&rebuildFlags{}).register(fs)
		case "worker":
			(&workerOptions{}).register(fs)
		case "k8s":
			(&k8sOptions{}).register(fs)
		case "compare":
			(&compareOptions{}).register(fs)
		default:
			o.register(fs)
		}
		switch name {
		case "run":
			o.fleet.register(fs)
		case "demo":
			(&demoOptions{}).register(fs)
		case "capacity":
			(&capacityOptions{}).register(fs)
		}
		sets[name] = fs
	}
	return sets
}

// TestEveryFlagDocumented: every flag is in its command's help and in
// docs/cli.md.
func TestEveryFlagDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/cli.md")
	if err != nil {
		t.Fatalf("docs/cli.md: %v", err)
	}
	for name, fs := range flagSets() {
		usage := lookup(name).usage
		fs.VisitAll(func(f *flag.Flag) {
			spelled := "--" + f.Name
			if len(f.Name) == 1 {
				spelled = "-" + f.Name
			}
			re := regexp.MustCompile(regexp.QuoteMeta(spelled) + `\b`)
			if !re.MatchString(usage) {
				t.Errorf("soak help %s does not document %s", name, spelled)
			}
			if !re.Match(doc) {
				t.Errorf("docs/cli.md does not document %s (soak %s)", spelled, name)
			}
		})
	}
	for _, code := range []string{"| 0 ", "| 1 ", "| 2 ", "| 3 ", "| 4 ", "| 130 "} {
		if !strings.Contains(string(doc), code) {
			t.Errorf("docs/cli.md lacks exit code row %q", code)
		}
	}
}

// TestLoadFrom: the load flags over a scenario's load.
func TestLoadFrom(t *testing.T) {
	closed := engine.Closed{Users: 200, SpawnRate: 20, RampDown: time.Minute}
	open := engine.Open{Rate: 50, MaxWorkers: 9}
	cases := []struct {
		args []string
		base engine.Load
		want engine.Load
	}{
		{nil, nil, engine.Closed{Users: defaultUsers, SpawnRate: defaultSpawnRate}},
		{nil, closed, closed},
		{[]string{"-u", "50"}, closed, engine.Closed{Users: 50, SpawnRate: 20, RampDown: time.Minute}},
		{[]string{"-r", "5"}, closed, engine.Closed{Users: 200, SpawnRate: 5, RampDown: time.Minute}},
		{[]string{"--users", "7", "--spawn-rate", "0"}, nil, engine.Closed{Users: 7}},
		{[]string{"--rate", "6000/m"}, closed, engine.Open{Rate: 100}},
		{[]string{"--rate", "10"}, open, engine.Open{Rate: 10, MaxWorkers: 9}},
		{[]string{"--max-workers", "3"}, open, engine.Open{Rate: 50, MaxWorkers: 3}},
		{[]string{"--users", "4"}, open, engine.Closed{Users: 4, SpawnRate: defaultSpawnRate}},
		{[]string{"--stages", "1m:5,1m:10"}, closed, engine.Closed{SpawnRate: 20, RampDown: time.Minute,
			Stages: []engine.Stage{{Duration: time.Minute, Users: 5}, {Duration: time.Minute, Users: 10}}}},
	}
	for _, tc := range cases {
		var o runOptions
		fs := newFlagSet("run")
		o.register(fs)
		if _, err := o.parse(fs, tc.args); err != nil {
			t.Fatalf("%q: %v", tc.args, err)
		}
		got, err := o.loadFrom(tc.base)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%q over %+v: %+v, %v; want %+v", tc.args, tc.base, got, err, tc.want)
		}
	}
	var o runOptions
	fs := newFlagSet("run")
	o.register(fs)
	o.parse(fs, []string{"--spawn-rate", "3"})
	if _, err := o.loadFrom(open); err == nil || !isUsage(err) {
		t.Errorf("--spawn-rate over an open scenario: %v", err)
	}
}

// TestTargetFlags: the target flags over the scenario's targets.
func TestTargetFlags(t *testing.T) {
	var o runOptions
	fs := newFlagSet("run")
	o.register(fs)
	_, err := o.parse(fs, []string{"--max-p95", "300ms", "--max-p99", "off", "--max-error-rate", "0", "--min-cache-hit-rate", "0%",
		"--min-rps", "off", "--max-cpu", "90%"})
	if err != nil {
		t.Fatal(err)
	}
	base := analysis.DefaultThresholds()
	th := o.targets.apply(base)
	if th.P95 != 300*time.Millisecond || th.P99 != 0 || th.ErrorRate <= 0 || th.ErrorRate > 1e-300 ||
		th.CacheHitRate != 0 || th.Throughput != 0 || th.CPU != 0.9 || th.P50 != base.P50 || th.Memory != base.Memory {
		t.Fatalf("thresholds %+v", th)
	}
	if err := th.Validate(); err != nil {
		t.Fatal(err)
	}
}

// TestValidate: a valid scenario is described, class by class.
func TestValidate(t *testing.T) {
	code, out, errs := inProcess(t, nil, "validate", "../../docs/scenarios/seed.yaml", "../../docs/scenarios/quick.yaml")
	if code != exitOK {
		t.Fatalf("exit %d:\n%s", code, errs)
	}
	for _, want := range []string{"seed.yaml: valid: seed", "load: 200 users, duration: 30m",
		"class AuthenticatedUser: weight 70 (70%), wait 1s-3s", "class HealthCheckUser: weight 1 (1%)",
		"targets: p50 < 200ms, p95 < 500ms, p99 < 1s, errors < 0.5%, throughput > 100/s", "quick.yaml: valid"} {
		if !strings.Contains(out, want) {
			t.Errorf("validate output lacks %q:\n%s", want, out)
		}
	}
}

// TestWeightsFlag: --weights changes the scenario's class weights.
func TestWeightsFlag(t *testing.T) {
	j, err := seedJob("--weights", "AuthenticatedUser=50,WriterUser=0", "--weights", "HealthCheckUser=10")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, cl := range j.plan.Classes {
		got[cl.Name] = cl.Weight
	}
	want := map[string]int{"AuthenticatedUser": 50, "UnauthenticatedUser": 25, "WriterUser": 0, "HealthCheckUser": 10}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("weights %v, want %v", got, want)
	}
}

// TestStagesFlagDuration: --stages without --duration run for the stages'
// total, not the scenario's duration (seed.yaml says 30m); --duration
// still wins when given.
func TestStagesFlagDuration(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want time.Duration
	}{
		{[]string{"--stages", "1m:5,2m:20"}, 3 * time.Minute},
		{[]string{"--stages", "30s:2/s,30s:5/s"}, time.Minute},
		{[]string{"--stages", "1m:5,2m:20", "--duration", "10m"}, 10 * time.Minute},
		{nil, 30 * time.Minute},
	} {
		j, err := seedJob(tc.args...)
		if err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		if j.plan.Duration != tc.want {
			t.Errorf("%v: duration %v, want %v", tc.args, j.plan.Duration, tc.want)
		}
	}
}

// seedJob is the job `soak run` builds from docs/scenarios/seed.yaml, a
// loopback host and args, without running it.
func seedJob(args ...string) (*job, error) {
	var o runOptions
	args = append([]string{"--host", "http://127.0.0.1:1", "--scenario", "../../docs/scenarios/seed.yaml"}, args...)
	if err := o.parseRunFlags("run", args); err != nil {
		return nil, err
	}
	sc, err := o.loadScenario(context.Background())
	if err != nil {
		return nil, err
	}
	c := &cli{getenv: func(string) string { return "" }}
	return c.newJob("run", &o, sc, nil)
}
