package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"

	"github.com/soaklab/soak/cmd/soak/internal/results"
	"github.com/soaklab/soak/engine/analysis"
)

// analyzeSaved analyses a results directory read back, as the run did:
// against the targets and policy its run.json saved, overridden by the
// flags t (nil: none). A bad target is a usage error.
func analyzeSaved(saved *results.Saved, t *targetFlags) (*analysis.Result, error) {
	var sa savedAnalysis
	if len(saved.Meta.Analysis) > 0 {
		if err := json.Unmarshal(saved.Meta.Analysis, &sa); err != nil {
			return nil, fmt.Errorf("%s: analysis: %w", filepath.Join(saved.Dir, results.RunFile), err)
		}
	}
	if t == nil {
		t = &targetFlags{}
	}
	th := t.apply(sa.Thresholds)
	if err := th.Validate(); err != nil {
		return nil, asUsage(err)
	}
	return analysis.Analyze(saved.Result(), saved.Capture, th, analysis.WithPolicy(t.policy(sa.Policy)))
}
