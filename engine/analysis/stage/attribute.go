package stage

import "strings"

// Where names the stages in which check (for source; "" for the client's
// checks) flagged, and those in which it was judged and did not:
// "stage 2 (200 users)". A stage too short or too noisy to judge is in
// neither.
func Where(stages []Stage, check, source string) (flagged, clear []string) {
	for i := range stages {
		s := &stages[i]
		judged, hit := false, false
		for _, c := range s.Checks {
			if c.Check == check && c.Source == source && (c.Verdict == OK || c.Flagged()) {
				judged = true
				hit = hit || c.Flagged()
			}
		}
		switch {
		case hit:
			flagged = append(flagged, s.Name())
		case judged:
			clear = append(clear, s.Name())
		}
	}
	return flagged, clear
}

// Attribution is where check flagged, for a finding's summary: "in stage 2
// (200 users), not in stage 1 (50 users)"; "" when no stage flagged it.
func Attribution(stages []Stage, check, source string) string {
	flagged, clear := Where(stages, check, source)
	if len(flagged) == 0 {
		return ""
	}
	out := "in " + strings.Join(flagged, ", ")
	if len(clear) > 0 {
		out += ", not in " + strings.Join(clear, ", ")
	}
	return out
}

// What a whole-run rise is, within the stages ([Rise]).
const (
	RiseNoStep = ""      // the load never stepped up: the stages say nothing of it
	RiseGrows  = "grows" // it grows within a stage: not the load's steps alone
	RiseLoad   = "load"  // every stage long enough to judge is flat: the rise is the load's steps
	RiseShort  = "short" // the load stepped up and no stage is long enough to judge
)

// Rise tells what a rise of check (CheckMemory or CheckGoroutines) over
// the whole steady state of source is, given the stages, and names the
// step ups: "stage 2 (200 users) from 50 users".
func Rise(stages []Stage, check, source string) (kind, steps string) {
	var ups []string
	for i := 1; i < len(stages); i++ {
		p, s := &stages[i-1], &stages[i]
		if s.Users > p.Users || s.Rate > p.Rate {
			ups = append(ups, s.Name()+" from "+Boundary{Users: p.Users, Rate: p.Rate}.Load())
		}
	}
	if len(ups) == 0 {
		return RiseNoStep, ""
	}
	steps = strings.Join(ups, ", ")
	flagged, clear := Where(stages, check, source)
	switch {
	case len(flagged) > 0:
		return RiseGrows, steps
	case len(clear) > 0:
		return RiseLoad, steps
	}
	return RiseShort, steps
}
