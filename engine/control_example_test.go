package engine_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/soaklab/soak/engine"
)

// Steering a running load: once 2 users run, another goroutine (a web
// page's button, say) asks for 6; the engine's intervals follow, and the
// change is in the result as an unplanned stage boundary.
func ExampleControl() {
	ctl := engine.NewControl()
	stop := make(chan struct{})
	var once, stopOnce sync.Once
	res, err := engine.Run(context.Background(), engine.Plan{
		Handler:  http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}),
		Load:     engine.Closed{Users: 2},
		Duration: time.Minute, // the Stop below ends it sooner
		Interval: 100 * time.Millisecond,
		Control:  ctl,
		Stop:     stop,
		Classes: []engine.Class{{Name: "u", Weight: 1, Wait: engine.Constant{D: 10 * time.Millisecond},
			Tasks: []engine.Task{{Weight: 1, Do: func(ctx context.Context, u *engine.User) error {
				_, err := u.Get(ctx, "/", "/")
				return err
			}}}}},
		OnInterval: func(iv *engine.Interval) {
			switch iv.Users {
			case 2:
				once.Do(func() { fmt.Println("set users:", ctl.SetUsers(6)) })
			case 6:
				stopOnce.Do(func() { close(stop) })
			}
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range res.Changes() {
		fmt.Println(c)
	}
	fmt.Println("peak users:", res.PeakUsers, "ending:", res.Ending())
	// Output:
	// set users: <nil>
	// users changed to 6
	// peak users: 6 ending: stopped
}
