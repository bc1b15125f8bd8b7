package scenario_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing/fstest"
	"time"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/scenario"
)

func ExampleParse() {
	s, err := scenario.Parse("shop.yaml", []byte(`
host: http://127.0.0.1:8080
duration: 10m
load: {users: 50, spawn_rate: 10}
wait: between 1s 3s
classes:
  - name: Shopper
    weight: 3
    headers:
      Authorization: Bearer {{token}}
    on_start:
      - post: /login
        json: {user: 'shopper{{user.id}}', password: secret}
        capture: {token: $.token}
    tasks:
      - get: /items
        weight: 5
        capture: {item: '$.items[*].id'}
      - get: /items/{{item}}
        weight: 2
  - name: Browser
    tasks:
      - get: /items
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	plan, err := s.Plan(scenario.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(plan.Host, plan.Duration, plan.Load)
	for _, c := range plan.Classes {
		fmt.Print(c.Name, " weight ", c.Weight, " wait ", c.Wait, ":")
		for _, t := range c.Tasks {
			fmt.Print(" ", t.Name, " x", t.Weight, ";")
		}
		fmt.Println()
	}
	// Output:
	// http://127.0.0.1:8080 10m0s {50 10 [] 0s}
	// Shopper weight 3 wait {1s 3s}: GET /items x5; GET /items/[item] x2;
	// Browser weight 1 wait {1s 3s}: GET /items x1;
}

func ExampleScenario_Validate() {
	_, err := scenario.Parse("shop.yaml", []byte(`
load: {users: 50, spawn-rate: 10}
classes:
  - name: Shopper
    wait: between 3s 1s
    tasks:
      - get: /items/{{itme}}
        capture: {item: $.id}
      - get: /cart
        status: 700
`))
	fmt.Println(errors.Is(err, scenario.ErrInvalid))
	fmt.Println(err)
	// Output:
	// true
	// shop.yaml:2:19: load.spawn-rate: unknown field "spawn-rate"; did you mean "spawn_rate"?
	// shop.yaml:5:11: classes[0].wait: wait "between 3s 1s": maximum 1s is below minimum 3s
	// shop.yaml:7:14: classes[0].tasks[0].path: {{itme}}: unknown variable; did you mean "item"?
	// shop.yaml:10:17: classes[0].tasks[1].status: 700 is not in [100, 599]
}

func ExampleLoadFS() {
	fsys := fstest.MapFS{
		"load/users.yaml": {Data: []byte(`
data:
  accounts: {csv: accounts.csv}   # user N gets row N (per_user)
classes:
  - name: Member
    on_start:
      - post: /login
        json: {username: '{{accounts.username}}', password: '{{accounts.password}}'}
        capture: {token: $.token}
    tasks:
      - get: /me
        headers: {Authorization: 'Bearer {{token}}'}
`)},
		"load/accounts.csv": {Data: []byte("username,password\nann,pw1\nbob,pw2\n")},
	}
	s, err := scenario.LoadFS(fsys, "load/users.yaml")
	fmt.Println(s.Name, err)
	// Output:
	// users <nil>
}

// ExampleLoadContext reads a scenario whose data file sits in a
// directory beside the scenario's: refused, unless LoadOptions.DataDirs
// (soak's --data-dir) allows that directory.
func ExampleLoadContext() {
	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	for name, data := range map[string]string{
		"shared/accounts.csv": "username\nann\nbob\n",
		"scenarios/soak.yaml": "data:\n  accounts: {csv: ../shared/accounts.csv}\n" +
			"classes:\n  - {name: Member, tasks: [{get: '/users/{{accounts.username}}'}]}\n",
	} {
		p := filepath.Join(dir, name)
		if err := errors.Join(os.MkdirAll(filepath.Dir(p), 0o755), os.WriteFile(p, []byte(data), 0o644)); err != nil {
			fmt.Println(err)
			return
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a CLI's is its Ctrl-C
	defer cancel()
	name := filepath.Join(dir, "scenarios", "soak.yaml")
	_, err = scenario.LoadContext(ctx, name, scenario.LoadOptions{})
	fmt.Println("outside the scenario's directory, refused:", errors.Is(err, scenario.ErrInvalid))
	s, err := scenario.LoadContext(ctx, name, scenario.LoadOptions{DataDirs: []string{filepath.Join(dir, "shared")}})
	fmt.Println("with DataDirs:", s.Name, err)
	// Output:
	// outside the scenario's directory, refused: true
	// with DataDirs: soak <nil>
}

func ExampleQuick() {
	s, err := scenario.Quick("http://127.0.0.1:8080/health", "/api/items?page=2")
	if err != nil {
		fmt.Println(err)
		return
	}
	plan, err := s.Plan(scenario.Options{Load: engine.Closed{Users: 10}, Duration: time.Minute})
	if err != nil {
		fmt.Println(err)
		return
	}
	c := plan.Classes[0]
	fmt.Println(plan.Host, c.Name, len(c.Tasks), c.Tasks[1].Name)
	// Output:
	// http://127.0.0.1:8080 QuickUser 2 GET /api/items?page=2
}

func ExampleParseWait() {
	for _, s := range []string{"1s-3s", "between(1, 3)", "constant 2s", "pacing 10s", "throughput 0.5", "none"} {
		w, err := scenario.ParseWait(s)
		fmt.Printf("%-14s %T %v %v\n", s, w, w, err)
	}
	// Output:
	// 1s-3s          engine.Between {1s 3s} <nil>
	// between(1, 3)  engine.Between {1s 3s} <nil>
	// constant 2s    engine.Constant {2s} <nil>
	// pacing 10s     engine.ConstantPacing {10s} <nil>
	// throughput 0.5 engine.ConstantThroughput {0.5} <nil>
	// none           <nil> <nil> <nil>
}

// A file's thresholds override analysis.DefaultThresholds field by field;
// "off" turns a target off.
func ExampleParse_thresholds() {
	s, _ := scenario.Parse("t.yaml", []byte("thresholds: {p95: 300ms, error_rate: 1%, cpu: off}\nclasses: [{name: A, tasks: [{get: /}]}]\n"))
	fmt.Println(s.Thresholds.P95, s.Thresholds.ErrorRate, s.Thresholds.CPU, s.Thresholds.P99)
	// Output:
	// 300ms 0.01 0 1s
}

// The "did you mean" of scenario files and of soak's command line.
func ExampleSuggest() {
	known := []string{"users", "spawn_rate", "duration"}
	fmt.Println(scenario.Suggest("spwan_rate", known)) // two letters swapped
	fmt.Println(scenario.Suggest("Spawn-Rate", known)) // case, '-' and '_' ignored
	fmt.Printf("%q\n", scenario.Suggest("colour", known))
	// Output:
	// spawn_rate
	// spawn_rate
	// ""
}
