package natsfleet_test

import (
	"context"
	"fmt"
	"time"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/natsfleet"
	"github.com/soaklab/soak/engine/runner"
)

// A coordinator of three workers: it stores the spec, waits for the
// workers, and runs the soak with its Run as the load step; the probes
// are read here, the report is the merged run's.
func ExampleNew() {
	ctx := context.Background()
	nc, err := natsfleet.Connect("nats://127.0.0.1:4222", natsfleet.ConnectOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer nc.Close()
	plan := engine.Plan{RunID: "checkout-1" /* Host, Classes, Load, Duration: as for one engine */}
	c, err := natsfleet.New(ctx, natsfleet.Config{Conn: nc, Job: "checkout", Run: plan.RunID,
		Parts: engine.EqualParts(3), Spec: []byte("checkout")})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	c.Wait(ctx, 2*time.Minute)
	res, err := runner.Soak(ctx, runner.Config{Plan: plan, Load: c.Run})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.ExitCode())
}

// A worker: it joins the next run of the job and builds the plan from
// the spec the coordinator stored, here a name of a plan coded in Go.
func ExampleWork() {
	ctx := context.Background()
	nc, err := natsfleet.Connect("nats://127.0.0.1:4222", natsfleet.ConnectOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer nc.Close()
	plans := map[string]func() engine.Plan{"checkout": func() engine.Plan { return engine.Plan{ /* ... */ } }}
	w, err := natsfleet.Work(ctx, natsfleet.WorkerConfig{Conn: nc, Job: "checkout", Wait: 10 * time.Minute,
		Build: func(_ context.Context, spec []byte) (engine.Plan, error) {
			p, ok := plans[string(spec)]
			if !ok {
				return engine.Plan{}, fmt.Errorf("no plan %q", spec)
			}
			return p(), nil
		}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(w.Segment, w.Result.Total.Total().Requests)
}

// Redact keeps a NATS URL's secrets out of what soak prints: a password,
// or a user name alone, which NATS reads as a token.
func ExampleRedact() {
	fmt.Println(natsfleet.Redact("nats://app:s3cret@nats.internal:4222"))
	fmt.Println(natsfleet.Redact("nats://t0ken@127.0.0.1:4222,tls://nats-2:4443"))
	// Output:
	// nats://app:REDACTED@nats.internal:4222
	// nats://REDACTED@127.0.0.1:4222,tls://nats-2:4443
}
