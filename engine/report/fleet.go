package report

import (
	"fmt"
	"strings"

	"github.com/soaklab/soak/engine"
)

// generators says who generated the load when it was not one engine
// alone: the engines of a distributed run with their segments (and which
// stopped counting), or the one segment of a plan this engine ran.
func generators(ri *engine.RunInfo) string {
	if len(ri.Parts) == 0 {
		if ri.Segment != "" {
			return fmt.Sprintf("this engine ran segment %s of the plan; the figures are its share only", ri.Segment)
		}
		return ""
	}
	parts := make([]string, len(ri.Parts))
	for i, p := range ri.Parts {
		s := p.Segment + " " + p.Engine
		if p.Engine == "" {
			s = p.Segment + " (no worker)"
		}
		if !p.Stopped.IsZero() {
			s += fmt.Sprintf(" (lost at %s)", p.Stopped.UTC().Format("15:04:05"))
		}
		parts[i] = s
	}
	return fmt.Sprintf("%d engines, merged exactly: %s", len(ri.Parts), strings.Join(parts, ", "))
}
