package results

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/soaklab/soak/engine"
)

// Format is the version of a results directory's layout, in Meta.Format.
const Format = "soak-results/v1"

// File names inside a results directory.
const (
	RunFile       = "run.json"
	IntervalsFile = "intervals.jsonl"
	CaptureFile   = "probe.jsonl"
	ProfilesDir   = "profiles"
)

// Status is how far a run got.
type Status string

const (
	// StatusRunning: the run started and has not ended; read back, it
	// means soak was killed (the outputs rebuilt from it are partial).
	StatusRunning Status = "running"
	// StatusComplete: the run ended as planned.
	StatusComplete Status = "complete"
	// StatusInterrupted: the run was stopped early (Ctrl-C, SIGTERM).
	StatusInterrupted Status = "interrupted"
)

// Meta is run.json: what a results directory holds beside its records.
// Every field but Format and Status is informational; secrets never
// appear in it (Command is redacted by internal/redact.Args).
type Meta struct {
	Format  string `json:"format"`
	Version string `json:"soak_version,omitempty"`
	// Command is the command line, secrets replaced by REDACTED.
	Command string `json:"command"`
	// Mode is the subcommand: "run", "demo" or "capacity".
	Mode string `json:"mode"`
	// Scenario says what the users do: a scenario file's path, the
	// built-in seed scenario, or the quick-mode URLs.
	Scenario string `json:"scenario,omitempty"`
	// Probes names the probe sources (URLs without credentials).
	Probes []string `json:"probes,omitempty"`
	// Analysis holds the analysis settings the run used (thresholds,
	// phases), as the command encoded them, so a rebuild judges alike.
	Analysis json.RawMessage `json:"analysis,omitempty"`

	Status Status `json:"status"`
	// Ending is how the engine's load ended (engine.Result.Ending:
	// completed, stopped by a graceful stop, or canceled), once known.
	// Files written before it existed lack it: an interrupted status
	// then reads as canceled.
	Ending  engine.Ending `json:"ending,omitempty"`
	Created time.Time     `json:"created"`
	Ended   time.Time     `json:"ended,omitzero"`
	// Info is the engine's description of the run, once it started.
	Info *engine.RunInfo `json:"info,omitempty"`
	// Outputs lists the outputs written, relative to the directory or as
	// given on the command line.
	Outputs []string `json:"outputs,omitempty"`
	// Fleet, for a distributed run, says where its stream is, so that
	// `soak report DIR --nats URL` can rebuild it after its coordinator
	// died.
	Fleet *Fleet `json:"fleet,omitempty"`
}

// Fleet locates a distributed run's stream: the coordinator's NATS URL
// without credentials, the job and the run.
type Fleet struct {
	NATS string `json:"nats"`
	Job  string `json:"job"`
	Run  string `json:"run"`
	// Rebuilt is when the intervals were last rebuilt from the stream.
	Rebuilt time.Time `json:"rebuilt,omitzero"`
}

// writeJSON writes v to path atomically (temporary file, then rename).
func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("results: encoding %s: %w", filepath.Base(path), err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("results: %w", err)
	}
	if _, err = tmp.Write(append(b, '\n')); err == nil {
		err = tmp.Close()
	} else {
		tmp.Close()
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("results: writing %s: %w", path, err)
	}
	return nil
}
