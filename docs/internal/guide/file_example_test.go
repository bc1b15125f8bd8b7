package guide_test

import (
	"context"
	"fmt"
	"time"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/scenario"
)

// Example_scenarioFile runs a scenario file from Go: the file gives the
// classes and requests, the options override what the CLI's flags would.
func Example_scenarioFile() {
	s, err := scenario.Load("../../scenarios/quick.yaml")
	if err != nil {
		fmt.Println(err) // every problem, as file:line:column: field: message
		return
	}
	plan, err := s.Plan(scenario.Options{
		Handler:  storyService(), // instead of the file's host: a handler served on loopback
		Load:     engine.Closed{Users: 4, SpawnRate: 4},
		Duration: time.Second,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := engine.Run(context.Background(), plan)
	if err != nil {
		fmt.Println(err)
		return
	}
	total := res.Total.Total()
	fmt.Println("classes:", len(plan.Classes), "endpoints:", len(res.Total.Stats), "failures:", total.Failures())
	// Output:
	// classes: 1 endpoints: 4 failures: 0
}
