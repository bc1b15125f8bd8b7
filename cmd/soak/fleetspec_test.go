package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/soaklab/soak/engine"
)

// TestPlanFromSpec: a worker builds from the coordinator's spec the plan
// the coordinator built: the same load, classes, waits and settings,
// for every kind of command line, with the scenario's data from the
// spec, not from a file system.
func TestPlanFromSpec(t *testing.T) {
	tg := newTarget(t)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "acc.csv"), []byte("u\nann\nbob\n"), 0o644)
	scen := filepath.Join(dir, "s.yaml")
	os.WriteFile(scen, []byte(`name: s
data:
  acc: {csv: acc.csv}
wait: 1s-2s
classes:
  - {name: A, weight: 3, tasks: [{get: '/ok?u={{acc.u}}'}]}
  - {name: B, weight: 1, tasks: [{get: /ok}]}
  - {name: C, fixed: 2, tasks: [{get: /ok}]}
`), 0o644)
	open := filepath.Join(dir, "o.yaml")
	os.WriteFile(open, []byte("name: o\nclasses:\n  - {name: A, weight: 3, tasks: [{get: /ok}]}\n  - {name: B, weight: 1, tasks: [{get: /ok}]}\n"), 0o644)
	for _, args := range [][]string{
		{"--host", tg.URL, "--url", "/ok", "--url", "/", "-u", "7", "-r", "2.5", "-t", "90s", "--wait", "none"},
		{"--host", tg.URL, "--scenario", scen, "--stages", "1m:10,2m:40", "--weights", "A=5,B=2", "--stop-timeout", "3s", "--timeout", "4s", "--interval", "500ms"},
		{"--host", tg.URL, "--scenario", open, "--rate", "6000/m", "--max-workers", "33", "--max-rps", "90", "--duration", "1h30m", "--wait", "pacing 5s"},
		{"-f", scen, "--host", tg.URL, "--users", "12", "--run-time", "2m", "--spawn-rate", "0", "--wait", "between 1s 3s"},
	} {
		t.Run(strings.Join(args[:4], " "), func(t *testing.T) {
			coordArgs := append(args, "--workers", "nats://127.0.0.1:4222", "--expect", "3")
			var o runOptions
			if err := o.parseRunFlags("run", coordArgs, &o.fleet); err != nil {
				t.Fatal(err)
			}
			c := &cli{stdout: io.Discard, stderr: io.Discard, getenv: func(string) string { return "" }}
			sc, err := o.loadScenario(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			j, err := c.newJob("run", &o, sc, nil)
			if err != nil {
				t.Fatal(err)
			}
			spec, _ := json.Marshal(&fleetSpec{Format: fleetSpecFormat, Args: planArgs(o.fs), Bundle: o.fleet.bundle})
			if o.scenario != "" && o.fleet.bundle == nil {
				t.Fatal("the coordinator read its scenario without the bundle")
			}
			moved := filepath.Join(t.TempDir(), "away") // the worker has no access to the scenario's directory
			if err := os.Rename(dir, moved); err != nil {
				t.Fatal(err)
			}
			defer os.Rename(moved, dir)
			wp, err := planFromSpec(context.Background(), io.Discard, spec, false)
			if err != nil {
				t.Fatalf("%v (args %q)", err, planArgs(o.fs))
			}
			describe := func(p engine.Plan) string {
				p.RunID = "same"
				d, err := engine.Describe(p)
				if err != nil {
					t.Fatal(err)
				}
				d.Start, d.Cores = time.Time{}, 0
				var b strings.Builder
				fmt.Fprintf(&b, "%+v stop %v timeout %v interval %v maxrps %v load %+v\n", d, p.StopTimeout, p.Transport.Timeout, p.Interval, p.MaxRPS, p.Load)
				for _, cl := range p.Classes {
					fmt.Fprintf(&b, "%s %d %d %#v %d\n", cl.Name, cl.Weight, cl.Fixed, cl.Wait, len(cl.Tasks))
				}
				return b.String()
			}
			if a, b := describe(j.plan), describe(wp); a != b {
				t.Errorf("the coordinator's plan:\n%s\nthe worker's:\n%s", a, b)
			}
			if reflect.DeepEqual(planArgs(o.fs), []string{}) {
				t.Error("no plan flag sent")
			}
		})
	}
}

// TestPlanFromSpecRefuses: a worker refuses a plan for a host that is
// not loopback unless its own --allow-remote says so, a spec of another
// format, and a host that does not answer.
func TestPlanFromSpecRefuses(t *testing.T) {
	remote, _ := json.Marshal(&fleetSpec{Format: fleetSpecFormat, Args: []string{"--host=http://10.1.2.3:8000", "--url=/"}})
	if _, err := planFromSpec(context.Background(), io.Discard, remote, false); err == nil || !strings.Contains(err.Error(), "--allow-remote") {
		t.Errorf("a remote host without --allow-remote: %v", err)
	}
	old, _ := json.Marshal(map[string]string{"format": "soak-fleet/v0", "soak_version": "v0.1"})
	if _, err := planFromSpec(context.Background(), io.Discard, old, false); err == nil || !strings.Contains(err.Error(), "same soak version") {
		t.Errorf("another format: %v", err)
	}
	down, _ := json.Marshal(&fleetSpec{Format: fleetSpecFormat, Args: []string{"--host=http://" + freePort(t), "--url=/"}})
	if _, err := planFromSpec(context.Background(), io.Discard, down, false); err == nil || !strings.Contains(err.Error(), "nothing answers") {
		t.Errorf("a host that does not answer: %v", err)
	}
}

// TestFleetFlagsRefused: the distributed flags that do not go together
// are usage errors naming the flag, never echoing a credential.
func TestFleetFlagsRefused(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "--url", "/", "--host", "http://127.0.0.1:1", "--expect", "3"}, "go with --workers"},
		{[]string{"run", "--url", "/", "--host", "http://127.0.0.1:1", "--workers", "nats://127.0.0.1:4222"}, "--expect N"},
		{[]string{"run", "--url", "/", "--host", "http://127.0.0.1:1", "--workers", "nats://127.0.0.1:4222", "--expect", "3", "--segment", "1/3"}, "--segment with --workers"},
		{[]string{"run", "--url", "/", "--host", "http://127.0.0.1:1", "--workers", "http://u:pw@127.0.0.1:4222", "--expect", "3"}, `scheme "http"`},
		{[]string{"run", "--url", "/", "--host", "http://127.0.0.1:1", "--workers", "nats://127.0.0.1:4222", "--segments", "1/2,1/3"}, "add up to 5/6"},
		{[]string{"run", "--url", "/", "--host", "http://127.0.0.1:1", "--workers", "nats://127.0.0.1:4222", "--expect", "2", "--job", "a.b"}, "--job"},
		{[]string{"run", "--url", "/", "--host", "http://127.0.0.1:1", "--segment", "0/4"}, "numbered from 1"},
		{[]string{"worker"}, "--nats URL is required"},
		{[]string{"worker", "--nats", "nats://127.0.0.1:4222", "--index", "-2"}, "--index -2"},
		{[]string{"report", "--job", "j", "x"}, "go with --nats"},
	} {
		code, _, errOut := inProcess(t, nil, tc.args...)
		if code != exitUsage || !strings.Contains(errOut, tc.want) || strings.Contains(errOut, "pw") {
			t.Errorf("soak %q: exit %d: %s", tc.args, code, errOut)
		}
	}
}

// TestSegmentRun: soak run --segment runs its share of the plan only,
// and the report says so.
func TestSegmentRun(t *testing.T) {
	tg := newTarget(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "seg")
	code, stdout, stderr := inProcess(t, nil, append([]string{"run", "--host", tg.URL, "--url", "/ok", "-u", "8", "-r", "0",
		"-t", "1s", "--segment", "2/4", "--out", out, "--probe-optional"}, quick...)...)
	if code != exitOK && code != exitTargetMissed {
		t.Fatalf("exit %d:\n%s\n%s", code, stdout, stderr)
	}
	md, _ := os.ReadFile(filepath.Join(out, "report.md"))
	for _, want := range []string{"**Users**: 2 concurrent users", "this engine ran segment 2/4 of the plan"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("report.md lacks %q:\n%.700s", want, md)
		}
	}
}

// FuzzDecodeSpec: a spec read from the stream, whatever its bytes, is a
// plan's flags and scenario soak parses, or an error; never a panic.
func FuzzDecodeSpec(f *testing.F) {
	good, _ := json.Marshal(&fleetSpec{Format: fleetSpecFormat, Args: []string{"--host=http://127.0.0.1:8000", "--url=/", "-u=3"}})
	f.Add(good)
	f.Add([]byte(`{"format":"soak-fleet/v1","args":["--stages=1m:10"],"bundle":{"name":"s.yaml","scenario":"bmFtZTogeAo="}}`))
	f.Add([]byte(`{"format":"soak-fleet/v1","args":["--nope"]}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := decodeSpec(b)
		if err != nil {
			return
		}
		var o runOptions
		if o.parseRunFlags("worker", s.Args) != nil {
			return
		}
		if s.Bundle != nil {
			_, _ = s.Bundle.Load(context.Background())
		}
	})
}
