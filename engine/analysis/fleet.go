package analysis

import (
	"fmt"
	"time"

	"github.com/soaklab/soak/engine"
)

// fleetNotes says, for a run merged from several engines (a distributed
// run: RunInfo.Parts), which segments stopped counting before the end,
// when and why, and what share of the planned load the figures lack
// from then on. The figures are what the other engines measured; no
// estimate stands in for a lost segment, and the notes say so.
func fleetNotes(res *engine.Result) []string {
	var out []string
	var missing float64
	for _, p := range res.Parts {
		if p.Stopped.IsZero() {
			continue
		}
		f := 0.0
		if seg, err := engine.ParseSegment(p.Segment); err == nil {
			f = seg.Fraction()
		}
		into := min(max(p.Stopped.Sub(res.Start), 0), res.Duration)
		rest := res.Duration - into
		share := 0.0
		if res.Duration > 0 {
			share = f * rest.Seconds() / res.Duration.Seconds()
		}
		missing += share
		who := "no worker"
		if p.Engine != "" {
			who = "engine " + p.Engine
		}
		out = append(out, fmt.Sprintf("Segment %s (%s, %.1f%% of the plan's load) stopped counting at %s, %s into the load: %s. "+
			"The figures from then on lack its share: %.1f%% of the planned load (its %.1f%% for %s of %s) was not measured, and nothing is estimated in its place.",
			p.Segment, who, 100*f, p.Stopped.UTC().Format("15:04:05 MST"), into.Round(time.Second), p.Why,
			100*share, 100*f, rest.Round(time.Second), res.Duration.Round(time.Second)))
	}
	if len(out) > 1 {
		out = append(out, fmt.Sprintf("In all, %.1f%% of the planned load is missing from the figures of this distributed run.", 100*missing))
	}
	return out
}
