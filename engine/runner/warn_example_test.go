package runner_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/engine/runner"
)

// Early warnings while the run goes: each is shown as it is raised, and
// FailFast ends the load at the first one (as k6's abortOnFail does); the
// result is then unhealthy and says which warning ended it.
func ExampleConfig_failFast() {
	handler, p := checkoutService()
	res, err := runner.Soak(context.Background(), runner.Config{
		Plan: engine.Plan{Handler: handler, Duration: 30 * time.Minute, Load: engine.Closed{Users: 50, SpawnRate: 10},
			Classes: []engine.Class{{Name: "Shopper", Weight: 1, Tasks: []engine.Task{{Weight: 1,
				Do: func(ctx context.Context, u *engine.User) error {
					_, err := u.Get(ctx, "/checkout", "/checkout")
					return err
				}}}}}},
		Sources:   []runner.Source{runner.InProcess(p)},
		OnWarning: func(w capture.Warning) { log.Printf("warning %s", w.String()) },
		FailFast:  true,
	})
	if err != nil {
		log.Fatal(err)
	}
	if w := res.FailFast(); w != nil {
		fmt.Println("ended early:", w.String())
	}
	os.Exit(res.ExitCode()) // 4 when a warning ended the run
}
