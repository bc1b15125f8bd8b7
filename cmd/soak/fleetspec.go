package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/soaklab/soak/cmd/soak/internal/results"
	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/scenario"
)

// fleetSpecFormat names the layout of a fleetSpec.
const fleetSpecFormat = "soak-fleet/v1"

// maxFleetSpec bounds a spec a worker reads: the largest scenario and
// data a scenario may read, and the rest.
const maxFleetSpec = scenario.MaxBundleBytes + 1<<20

// fleetSpec is what a coordinator gives its workers to build the plan
// from, stored in the job's bucket (natsfleet.Config.Spec): the plan
// flags of its command line and the scenario file with the data files it
// read (nil in quick mode, whose --url flags are among the Args), so
// that a worker needs nothing of the coordinator's file system; and
// what a results directory rebuilt from the stream needs of run.json.
// The scenario's secrets (headers, data) travel with it, as the plan
// needs them; the command line is redacted, and no probe token is sent.
type fleetSpec struct {
	Format  string           `json:"format"`
	Version string           `json:"soak_version"`
	Args    []string         `json:"args"`
	Bundle  *scenario.Bundle `json:"bundle,omitempty"`
	Meta    results.Meta     `json:"meta"` // command, mode, scenario, probes, analysis
}

func decodeSpec(b []byte) (*fleetSpec, error) {
	var s fleetSpec
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("the run's spec: %w", err)
	}
	if s.Format != fleetSpecFormat {
		return nil, fmt.Errorf("the run's spec is %q, this soak reads %q: run the same soak version as the coordinator (%s)",
			s.Format, fleetSpecFormat, s.Version)
	}
	return &s, nil
}

// planFromSpec builds the plan a coordinator built, from its spec, as
// soak run would with those flags and that scenario; allowRemote is the
// worker's own --allow-remote, never the coordinator's. The host must
// answer before the worker runs its segment.
func planFromSpec(ctx context.Context, stderr io.Writer, b []byte, allowRemote bool) (engine.Plan, error) {
	s, err := decodeSpec(b)
	if err != nil {
		return engine.Plan{}, err
	}
	var o runOptions
	if err := o.parseRunFlags("worker", s.Args); err != nil {
		return engine.Plan{}, fmt.Errorf("the coordinator's plan flags %q: %w", s.Args, err)
	}
	o.allowRemote = allowRemote
	var sc *scenario.Scenario
	if s.Bundle != nil {
		sc, err = s.Bundle.Load(ctx)
	} else {
		sc, err = o.loadScenario(ctx)
	}
	if err != nil {
		return engine.Plan{}, err
	}
	// The plan only: no probe is read here, whatever the environment says.
	pc := &cli{stdout: io.Discard, stderr: stderr, getenv: func(string) string { return "" }}
	j, err := pc.newJob("worker", &o, sc, nil)
	if err != nil {
		return engine.Plan{}, err
	}
	if err := preflight(ctx, j.plan.Host); err != nil {
		return engine.Plan{}, err
	}
	return j.plan, nil
}
