package main

import (
	"errors"
	"testing"
)

// TestGuide is the part of the guide's check that needs no service: every
// page parses, every relative link resolves, and every code block passes
// the check of its kind (shell blocks are parsed; .ci/docs runs them).
func TestGuide(t *testing.T) {
	if testing.Short() {
		t.Skip("parses the module's Go files and compiles whole-file blocks")
	}
	g, err := LoadGuide(repoRoot(t))
	if err != nil {
		t.Fatal(err)
	}
	rep, errs := g.Check()
	for _, err := range errs {
		if errors.Is(err, errNoPython) {
			t.Logf("not checked here: %v", err)
			continue
		}
		t.Error(err)
	}
	if len(g.Docs) == 0 || len(rep.Shell) == 0 {
		t.Errorf("%d pages, %d with shell blocks: the guide was not found", len(g.Docs), len(rep.Shell))
	}
	for _, s := range rep.Skipped {
		t.Logf("skipped: %s", s)
	}
}
