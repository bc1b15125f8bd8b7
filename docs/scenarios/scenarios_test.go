package scenarios_test

import (
	"fmt"
	"io/fs"
	"strings"
	"testing"

	"github.com/soaklab/soak/docs/scenarios"
	"github.com/soaklab/soak/engine/scenario"
)

// TestExamplesValidate loads every embedded scenario and builds its plan.
func TestExamplesValidate(t *testing.T) {
	names, err := fs.Glob(scenarios.FS, "*.yaml")
	if err != nil || len(names) < 3 {
		t.Fatalf("examples %v: %v", names, err)
	}
	for _, name := range names {
		s, err := scenario.LoadFS(scenarios.FS, name)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if s.Host == "" || s.Load == nil || !strings.HasPrefix(s.Host, "http://127.0.0.1") {
			t.Errorf("%s: host %q load %v: the examples run as they are against soak demo --serve", name, s.Host, s.Load)
		}
		if _, err := s.Plan(scenario.Options{}); err != nil {
			t.Errorf("%s: plan: %v", name, err)
		}
	}
}

func ExampleFS() {
	s, err := scenario.LoadFS(scenarios.FS, scenarios.Seed)
	if err != nil {
		panic(err)
	}
	plan, err := s.Plan(scenario.Options{})
	if err != nil {
		panic(err)
	}
	fmt.Println(plan.Host, plan.Duration, plan.Load)
	for _, c := range plan.Classes {
		fmt.Println(c.Name, c.Weight, len(c.Tasks), "tasks")
	}
	// Output:
	// http://127.0.0.1:8000 30m0s {200 20 [] 0s}
	// AuthenticatedUser 70 7 tasks
	// UnauthenticatedUser 25 4 tasks
	// WriterUser 4 3 tasks
	// HealthCheckUser 1 2 tasks
}
