package flagx

import (
	"strings"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/scenario"
)

// Wait is a flag.Value for a pause between a user's tasks, in the syntax
// of a scenario file's "wait:" (scenario.ParseWait), so that the flag and
// the file read alike: none or 0, 2s, 1s-3s, between 1s 3s, pacing 5s,
// throughput 0.5.
type Wait struct {
	W     engine.Wait // nil: no pause
	text  string
	IsSet bool
}

// String writes the wait as it was given, or "none".
func (w *Wait) String() string {
	if w == nil || w.text == "" {
		return "none"
	}
	return w.text
}

// Set parses s with scenario.ParseWait.
func (w *Wait) Set(s string) error {
	v, err := scenario.ParseWait(s)
	if err != nil {
		return err
	}
	w.W, w.text, w.IsSet = v, strings.TrimSpace(s), true
	return nil
}
