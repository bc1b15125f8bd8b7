package compare

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrPlansDiffer is wrapped by the [PlanError] Compare returns for runs
// whose plans differ.
var ErrPlansDiffer = errors.New("compare: the runs' plans differ")

// PlanError lists how two plans differ; Compare returns it unless
// Options.AllowPlanChange.
type PlanError struct{ Differences []string }

func (e *PlanError) Error() string {
	return ErrPlansDiffer.Error() + ": " + strings.Join(e.Differences, "; ")
}

func (e *PlanError) Unwrap() error { return ErrPlansDiffer }

// PlanDifferences says, one line each, how the plan of new differs from
// base's: model, users, spawn rate, rate, max RPS, duration, and each
// class's presence, weight, fixed count and task count. Empty when they
// match.
func PlanDifferences(base, new Plan) []string {
	var d []string
	diff := func(what string, a, b any) {
		if a != b {
			d = append(d, fmt.Sprintf("%s: %v in BASE, %v in NEW", what, a, b))
		}
	}
	diff("model", base.Model, new.Model)
	diff("users", base.Users, new.Users)
	diff("spawn rate (users/s)", base.SpawnRate, new.SpawnRate)
	diff("rate (arrivals/s)", base.Rate, new.Rate)
	diff("max RPS", base.MaxRPS, new.MaxRPS)
	diff("duration", base.Duration.Round(time.Millisecond), new.Duration.Round(time.Millisecond))
	newClasses := map[string]Class{}
	for _, c := range new.Classes {
		newClasses[c.Name] = c
	}
	seen := map[string]bool{}
	for _, b := range base.Classes {
		seen[b.Name] = true
		n, ok := newClasses[b.Name]
		if !ok {
			d = append(d, fmt.Sprintf("class %s: in BASE only", b.Name))
			continue
		}
		diff("class "+b.Name+" weight", b.Weight, n.Weight)
		diff("class "+b.Name+" fixed users", b.Fixed, n.Fixed)
		diff("class "+b.Name+" tasks", b.Tasks, n.Tasks)
	}
	for _, n := range new.Classes {
		if !seen[n.Name] {
			d = append(d, fmt.Sprintf("class %s: in NEW only", n.Name))
		}
	}
	return d
}
