package engine

import (
	"context"
	"reflect"
	"testing"
	"time"
)

// TestDescribe: Describe tells what Run's OnStart tells, without a run.
func TestDescribe(t *testing.T) {
	p := Plan{Host: "http://127.0.0.1:9", RunID: "described", Duration: 50 * time.Millisecond, MaxRPS: 30,
		Load: Closed{Stages: []Stage{{20 * time.Millisecond, 3}, {30 * time.Millisecond, 7}}, SpawnRate: 100},
		Classes: []Class{{Name: "A", Weight: 2, Tasks: []Task{{Weight: 1, Do: func(context.Context, *User) error { return nil }}}},
			{Name: "B", Fixed: 1, Tasks: []Task{{Weight: 1, Do: func(context.Context, *User) error { return nil }}}}}}
	d, err := Describe(p)
	if err != nil {
		t.Fatal(err)
	}
	var got RunInfo
	p.OnStart = func(ri RunInfo) { got = ri }
	if _, err := Run(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	// The plan's stages, by when each starts: the analysis's stage
	// boundaries.
	if want := []PlannedStage{{At: 0, Users: 3}, {At: 20 * time.Millisecond, Users: 7}}; !reflect.DeepEqual(d.Stages, want) {
		t.Errorf("Stages %+v, want %+v", d.Stages, want)
	}
	d.Start, got.Start = time.Time{}, time.Time{}
	if !reflect.DeepEqual(d, got) {
		t.Errorf("Describe: %+v\nRun:      %+v", d, got)
	}
	if _, err := Describe(Plan{}); err == nil {
		t.Error("Describe of an empty plan: no error")
	}
}
