package analysis

import (
	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/probe"
)

// noneDeclared returns the words for a thing the service does not have,
// when every source's probe declares so under key (probe.ConfigDatabase,
// probe.ConfigRedis: "none" or "none: WHY"): "the service has no database
// (data in memory)". It returns "" when a source has the thing, or did not
// say, and the report then asks for the probe to be wired.
func noneDeclared(srcs []*capture.SourceTimeline, key, thing string) string {
	if len(srcs) == 0 {
		return ""
	}
	why := ""
	for _, s := range srcs {
		snap, _ := s.Latest()
		if snap == nil {
			return ""
		}
		w, none := probe.ConfigNone(snap.Config[key])
		if !none {
			return ""
		}
		why = cmpOr(why, w)
	}
	out := "the service has no " + thing
	if why != "" {
		out += " (" + why + ")"
	}
	return out
}

// noneText starts the words for a thing the service does not have, where
// a report would otherwise say "not measured".
const noneText = "none: "

// noDatabase and noRedis are noneDeclared for the database and Redis of
// the sources that answered.
func (a *analyzer) noDatabase() string {
	return noneDeclared(a.sources(), probe.ConfigDatabase, "database")
}

func (a *analyzer) noRedis() string { return noneDeclared(a.sources(), probe.ConfigRedis, "Redis") }

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
