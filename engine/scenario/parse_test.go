package scenario

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/analysis"
)

// minimal is the smallest valid scenario body after the given prefix.
const minimal = "classes:\n  - name: A\n    tasks:\n      - get: /x\n"

func TestParseGood(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		check     func(t *testing.T, s *Scenario)
	}{
		{"minimal", minimal, func(t *testing.T, s *Scenario) {
			if s.Name != "t" || s.Load != nil || s.Host != "" || s.Thresholds != analysis.DefaultThresholds() {
				t.Errorf("defaults: %+v", s)
			}
			if c := s.classes[0]; c.weight != 1 || c.tasks[0].weight != 1 || c.tasks[0].steps[0].method != "GET" {
				t.Errorf("class defaults: %+v", c)
			}
		}},
		{"closed load", "load: {users: 200, spawn_rate: 20, ramp_down: 30s}\nduration: 30m\n" + minimal, func(t *testing.T, s *Scenario) {
			want := engine.Closed{Users: 200, SpawnRate: 20, RampDown: 30 * time.Second}
			if c, ok := s.Load.(engine.Closed); !ok || c.Users != want.Users || c.SpawnRate != want.SpawnRate || c.RampDown != want.RampDown || s.Duration != 30*time.Minute {
				t.Errorf("load %+v duration %v", s.Load, s.Duration)
			}
		}},
		{"closed stages", "load:\n  spawn_rate: 5\n  stages:\n    - {duration: 1m, users: 10}\n    - {duration: 2m, users: 50}\n" + minimal, func(t *testing.T, s *Scenario) {
			c := s.Load.(engine.Closed)
			if len(c.Stages) != 2 || c.Stages[1] != (engine.Stage{Duration: 2 * time.Minute, Users: 50}) || c.Users != 0 {
				t.Errorf("%+v", c)
			}
		}},
		{"open stages", "load:\n  max_workers: 100\n  stages:\n    - {duration: 30s, rate: 10}\n    - {duration: 30s, rate: 40.5}\n" + minimal, func(t *testing.T, s *Scenario) {
			o := s.Load.(engine.Open)
			if o.MaxWorkers != 100 || len(o.Stages) != 2 || o.Stages[1].Rate != 40.5 {
				t.Errorf("%+v", o)
			}
		}},
		{"waits", "wait: 1s-3s\nclasses:\n  - {name: A, tasks: [{get: /x}]}\n  - {name: B, wait: pacing 5s, tasks: [{get: /x}]}\n  - {name: C, wait: none, tasks: [{get: /x}]}\n", func(t *testing.T, s *Scenario) {
			p, err := s.Plan(Options{Host: "http://127.0.0.1:1", Load: engine.Closed{Users: 3}, Duration: time.Second})
			if err != nil {
				t.Fatal(err)
			}
			if p.Classes[0].Wait != (engine.Between{Min: time.Second, Max: 3 * time.Second}) ||
				p.Classes[1].Wait != (engine.ConstantPacing{Every: 5 * time.Second}) || p.Classes[2].Wait != nil {
				t.Errorf("waits %v %v %v", p.Classes[0].Wait, p.Classes[1].Wait, p.Classes[2].Wait)
			}
		}},
		{"fixed count", "classes:\n  - {name: A, weight: 3, tasks: [{get: /x}]}\n  - {name: B, fixed: 2, tasks: [{get: /x}]}\n", func(t *testing.T, s *Scenario) {
			if s.classes[1].fixed != 2 || s.classes[0].weight != 3 {
				t.Errorf("%+v %+v", s.classes[0], s.classes[1])
			}
		}},
		{"anchors and merge keys", "defaults: &d\n  weight: 5\n", nil},
		{"thresholds", "thresholds:\n  p95: 300ms\n  error_rate: 1%\n  throughput: 50 rps\n  cpu: off\n" + minimal, func(t *testing.T, s *Scenario) {
			want := analysis.DefaultThresholds()
			want.P95, want.ErrorRate, want.Throughput, want.CPU = 300*time.Millisecond, 0.01, 50, 0
			if s.Thresholds != want {
				t.Errorf("got %+v\nwant %+v", s.Thresholds, want)
			}
		}},
		{"steps and names", "classes:\n  - name: A\n    tasks:\n      - name: flow\n        steps:\n          - post: /login\n            capture: {tok: $.token}\n          - get: '/items/{{tok}}?x=1'\n", func(t *testing.T, s *Scenario) {
			tk := s.classes[0].tasks[0]
			if tk.name != "flow" || len(tk.steps) != 2 || tk.steps[0].method != "POST" {
				t.Fatalf("%+v", tk)
			}
			if n := defaultName(tk.steps[1].path); n != "/items/[tok]" {
				t.Errorf("default name %q", n)
			}
		}},
	} {
		if tc.check == nil {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			s, err := Parse("t.yaml", []byte(tc.src))
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, s)
		})
	}
}

func TestParseMergeKeys(t *testing.T) {
	src := `
x-class: &base
  weight: 5
  wait: 2s
  tasks: [{get: /a}]
classes:
  - <<: *base
    name: A
  - <<: *base
    name: B
    weight: 1
`
	// Unknown top-level keys are errors, so the anchor lives under a class.
	if _, err := Parse("t.yaml", []byte(src)); err == nil || !strings.Contains(err.Error(), `unknown field "x-class"`) {
		t.Fatalf("err = %v", err)
	}
	src = `
classes:
  - &base
    name: A
    weight: 5
    wait: 2s
    tasks: [{get: /a}]
  - <<: *base
    name: B
    weight: 1
`
	s, err := Parse("t.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	a, b := s.classes[0], s.classes[1]
	if a.name != "A" || a.weight != 5 || b.name != "B" || b.weight != 1 || b.wait != (engine.Constant{D: 2 * time.Second}) || len(b.tasks) != 1 {
		t.Errorf("A %+v\nB %+v", a, b)
	}
}

func TestParseFailFast(t *testing.T) {
	for src, want := range map[string]bool{minimal: false, "fail_fast: true\n" + minimal: true, "fail_fast: false\n" + minimal: false} {
		s, err := Parse("t.yaml", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		if s.FailFast != want {
			t.Errorf("%q: FailFast %v, want %v", src, s.FailFast, want)
		}
	}
}

func TestParseBad(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      []string // every problem, in order
	}{
		{"syntax", "classes: [\n", []string{"t.yaml:1:10: YAML: sequence end token ']' not found"}},
		{"empty file", "", []string{"t.yaml:1:1: empty file: a scenario needs at least classes:"}},
		{"two documents", minimal + "---\n" + minimal, []string{"t.yaml:6:1: more than one YAML document (---); a scenario is one document"}},
		{"not a mapping", "- a\n", []string{`t.yaml:1:1: expected a mapping (key: value), found a list`}},
		{"unknown field with hint", "classes:\n  - name: A\n    wiegth: 2\n    tasks:\n      - get: /x\n",
			[]string{`t.yaml:3:5: classes[0].wiegth: unknown field "wiegth"; did you mean "weight"?`}},
		{"unknown field, dash for underscore", "load: {users: 5, spawn-rate: 3}\n" + minimal,
			[]string{`t.yaml:1:18: load.spawn-rate: unknown field "spawn-rate"; did you mean "spawn_rate"?`}},
		{"unknown field without hint", "zzz: 1\n" + minimal,
			[]string{`t.yaml:1:1: zzz: unknown field "zzz"; expected one of classes, data, description, duration, fail_fast, headers, host, load, max_rps, name, stop_timeout, thresholds, ...`}},
		{"fail_fast not a boolean", "fail_fast: yes please\n" + minimal,
			[]string{"t.yaml:1:12: fail_fast: expected true or false, found a string"}},
		{"missing classes", "host: http://127.0.0.1:1\n", []string{"t.yaml:1:1: classes: missing: a scenario needs at least one user class"}},
		{"several at once", "load:\n  users: -5\nclasses:\n  - name: A\n    tasks:\n      - get: /x\n        status: 700\n",
			[]string{"t.yaml:2:10: load.users: -5 is not in [1, 1000000]", "t.yaml:7:17: classes[0].tasks[0].status: 700 is not in [100, 599]"}},
		{"mixed models", "load: {users: 10, rate: 5}\n" + minimal,
			[]string{"t.yaml:1:25: load.rate: open-model field in a closed-model load (load.users); use users/spawn_rate or rate/max_workers, not both"}},
		{"empty stages", "load: {stages: []}\n" + minimal, []string{"t.yaml:1:16: load.stages: empty list: give at least one {duration, users} or {duration, rate}"}},
		{"stage without users or rate", "load:\n  stages:\n    - duration: 1m\n" + minimal, []string{"t.yaml:3:7: load.stages[0]: needs users (closed model) or rate (open model)"}},
		{"fixed in open model", "load: {rate: 5}\nduration: 1m\nclasses:\n  - {name: A, fixed: 2, tasks: [{get: /x}]}\n",
			[]string{"t.yaml:4:22: classes[0].fixed: fixed user counts do not apply to the open model (load: rate)"}},
		{"weight and fixed", "classes:\n  - {name: A, weight: 2, fixed: 2, tasks: [{get: /x}]}\n",
			[]string{"t.yaml:2:33: classes[0].fixed: set together with weight; a class has a weight or a fixed count"}},
		{"weights sum to zero", "classes:\n  - {name: A, weight: 0, tasks: [{get: /x}]}\n",
			[]string{"t.yaml:2:3: classes: the weights of the classes without fixed: sum to 0"}},
		{"no tasks", "classes:\n  - name: A\n    tasks: []\n", []string{"t.yaml:3:12: classes[0].tasks: empty: a class needs at least one task"}},
		{"task weights zero", "classes:\n  - name: A\n    tasks: [{get: /x, weight: 0}]\n", []string{"t.yaml:3:12: classes[0].tasks: every task has weight 0"}},
		{"class without name", "classes:\n  - tasks: [{get: /x}]\n", []string{"t.yaml:2:5: classes[0].name: missing: every class needs a name"}},
		{"duplicate class and bad wait and path", "classes:\n  - name: A\n    wait: between 3s 1s\n    tasks: [{get: x}]\n  - name: A\n    tasks: [{post: /y, json: {a: '{{nope}}'}, body: z}]\n",
			[]string{
				`t.yaml:3:11: classes[0].wait: wait "between 3s 1s": maximum 1s is below minimum 3s`,
				`t.yaml:4:19: classes[0].tasks[0].path: "x" must start with "/"`,
				`t.yaml:5:11: classes[1].name: "A" is used by another class`,
				`t.yaml:6:34: classes[1].tasks[0].json.a: {{nope}}: unknown variable; it is neither captured nor set in vars: by this class, nor a data source`,
				`t.yaml:6:53: classes[1].tasks[0].body: both json and body; give one`,
			}},
		{"unknown variable with hint", "classes:\n  - name: A\n    tasks:\n      - get: /x/{{slg}}\n        capture: {slug: $.a}\n",
			[]string{`t.yaml:4:14: classes[0].tasks[0].path: {{slg}}: unknown variable; did you mean "slug"?`}},
		{"variable captured by another class", "classes:\n  - {name: A, tasks: [{get: /x, capture: {tok: $.t}}]}\n  - {name: B, tasks: [{get: '/y/{{tok}}'}]}\n",
			[]string{`t.yaml:3:29: classes[1].tasks[0].path: {{tok}}: unknown variable; it is neither captured nor set in vars: by this class, nor a data source`}},
		{"thresholds", "thresholds:\n  p95: 500\n  error_rate: 0.5\n  cpu: 170%\n  p50: 900ms\n" + minimal,
			[]string{
				`t.yaml:2:8: thresholds.p95: "500" has no unit; write a duration such as 500ms or 500s`,
				`t.yaml:3:15: thresholds.error_rate: "0.5" has no % sign; write 0.5% (a bare number could be a fraction or a percentage)`,
				`t.yaml:4:8: thresholds.cpu: "170%" is not in [0%, 100%]`,
			}},
		{"csv in Parse", "data:\n  d: {csv: a.csv}\nclasses:\n  - name: A\n    tasks: [{get: '/x/{{d.col}}'}]\n",
			[]string{`t.yaml:2:12: data.d.csv: data files cannot be read here (no directory to read "a.csv" from)`}},
		{"source misuse, order, JSON paths", "data:\n  d: {pick: [a, b], order: rondom}\nclasses:\n  - name: A\n    tasks: [{get: '/x/{{d.c}}', check: [{json: 'status'}], capture: {token: '$.a[x'}}]\n",
			[]string{
				`t.yaml:2:28: data.d.order: unknown order "rondom"; did you mean "random"?`,
				`t.yaml:5:19: classes[0].tasks[0].path: {{d.c}}: d is a list (pick:); write {{d}}`,
				`t.yaml:5:48: classes[0].tasks[0].check[0].json: JSON path "status" must start with $ (such as $.token or $.items[0].id)`,
				`t.yaml:5:77: classes[0].tasks[0].capture.token: JSON path "$.a[x": "[" is not closed by "]"`,
			}},
		{"host, duration, reserved header", "host: ftp://x\nduration: 5\nclasses:\n  - name: A\n    tasks: [{get: /x, headers: {Host: y}}]\n",
			[]string{
				`t.yaml:1:7: host: scheme "ftp" is not http or https`,
				`t.yaml:2:11: duration: "5" has no unit; write a duration such as 5ms or 5s`,
				`t.yaml:5:39: classes[0].tasks[0].headers.Host: header Host is set by soak's transport; remove it`,
			}},
		{"wrong types", "max_rps: fast\nclasses:\n  - name: [A]\n    sequential: maybe\n    tasks: {get: /x}\n",
			[]string{
				`t.yaml:1:10: max_rps: expected a number, found a string`,
				`t.yaml:3:11: classes[0].name: expected a value, found a list`,
				`t.yaml:4:17: classes[0].sequential: expected true or false, found a string`,
				`t.yaml:5:12: classes[0].tasks: expected a list, found a mapping`,
				`t.yaml:5:12: classes[0].tasks: empty: a class needs at least one task`,
			}},
		{"request and steps", "classes:\n  - name: A\n    tasks:\n      - get: /x\n        steps: [{get: /y}]\n",
			[]string{`t.yaml:4:14: classes[0].tasks[0].get: a task is one request or a list of steps, not both`}},
		{"no request", "classes:\n  - name: A\n    tasks:\n      - weight: 3\n", []string{`t.yaml:4:9: classes[0].tasks[0]: no request: give path: (with method:) or a method key such as get: /path`}},
		{"method twice", "classes:\n  - name: A\n    tasks:\n      - {get: /x, method: POST}\n", []string{`t.yaml:4:27: classes[0].tasks[0].method: method given twice (also at classes[0].tasks[0].get)`}},
		{"full URL as path", "classes:\n  - name: A\n    tasks: [{get: 'http://127.0.0.1/x'}]\n",
			[]string{`t.yaml:3:19: classes[0].tasks[0].path: "http://127.0.0.1/x" is a URL; write the path (/...) and put the scheme and host in host:`}},
		{"bad template syntax", "classes:\n  - name: A\n    tasks: [{get: '/x/{{uuid', headers: {X: '{{random_int(5, 1)}}'}}]\n",
			[]string{
				`t.yaml:3:19: classes[0].tasks[0].path: "{{" is not closed by "}}"`,
				`t.yaml:3:45: classes[0].tasks[0].headers.X: {{random_int(5, 1)}}: MIN 5 is above MAX 1`,
			}},
		{"unknown alias", "classes:\n  - *nope\n", []string{`t.yaml:2:5: classes[0]: unknown alias *nope`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("t.yaml", []byte(tc.src))
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("not ErrInvalid: %v", err)
			}
			var probs Problems
			if !errors.As(err, &probs) {
				t.Fatalf("not Problems: %T", err)
			}
			got := strings.Split(err.Error(), "\n")
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

func TestParseBadHeadersAndNames(t *testing.T) {
	src := "classes:\n  - name: A\n    headers: {x-a: 1, X-A: 2}\n    tasks:\n      - get: /s/{{user.id}}\n        name: '/s/{{user.id}}'\n"
	_, err := Parse("t.yaml", []byte(src))
	want := "t.yaml:3:28: classes[0].headers.X-A: header X-A given twice (also as x-a)\n" +
		"t.yaml:6:15: classes[0].tasks[0].name: \"/s/{{user.id}}\": a grouping name is literal, not a template (one name per group): write /s/[user.id]"
	if err == nil || err.Error() != want {
		t.Errorf("got:\n%v\nwant:\n%s", err, want)
	}
}

func TestParseBadRates(t *testing.T) {
	_, err := Parse("t.yaml", []byte("max_rps: -1\nload: {rate: 0, max_workers: 10}\n"+minimal))
	want := "t.yaml:1:10: max_rps: -1 is not a rate in [0, 1e9] requests/s\nt.yaml:2:14: load.rate: 0 is not a rate in (0, 1e9] arrivals/s"
	if err == nil || err.Error() != want {
		t.Errorf("got:\n%v\nwant:\n%s", err, want)
	}
}
