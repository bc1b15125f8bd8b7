package analysis

import (
	"cmp"

	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/probe"
)

// declaredAbsent reports whether every source's probe declares that the
// service has no c (probe.Probe.Without), and the first reason given
// ("data in memory"; "" when none was). With no source, or a source that
// has c or did not say, it reports false, and the report then asks for
// the integration to be wired.
func declaredAbsent(srcs []*capture.SourceTimeline, c probe.Component) (why string, absent bool) {
	if len(srcs) == 0 {
		return "", false
	}
	for _, s := range srcs {
		snap, _ := s.Latest()
		if snap == nil {
			return "", false
		}
		w, ok := snap.Absent(c)
		if !ok {
			return "", false
		}
		why = cmp.Or(why, w)
	}
	return why, true
}

// noneDeclared returns the words for a c the service does not have:
// "the service has no database (data in memory)", or "" when
// [declaredAbsent] is false. thing names c in the words.
func noneDeclared(srcs []*capture.SourceTimeline, c probe.Component, thing string) string {
	why, ok := declaredAbsent(srcs, c)
	if !ok {
		return ""
	}
	out := "the service has no " + thing
	if why != "" {
		out += " (" + why + ")"
	}
	return out
}

// noDatabase and noRedis are noneDeclared for the database and Redis of
// the sources that answered.
func (a *analyzer) noDatabase() string { return noneDeclared(a.sources(), probe.Database, "database") }

func (a *analyzer) noRedis() string { return noneDeclared(a.sources(), probe.Redis, "Redis") }

// declaredAbsent and absentWhy are [declaredAbsent] over the sources that
// answered.
func (a *analyzer) declaredAbsent(c probe.Component) bool {
	_, ok := declaredAbsent(a.sources(), c)
	return ok
}

func (a *analyzer) absentWhy(c probe.Component) string {
	why, _ := declaredAbsent(a.sources(), c)
	return why
}

// NoDatabase says why the sources of tl that answered have no database
// (what their probes declared absent, see probe.Database), "" when one
// of them has one or did not say. The capacity search's advice reads it.
func NoDatabase(tl *capture.Timeline) string {
	if tl == nil {
		return ""
	}
	var srcs []*capture.SourceTimeline
	for _, s := range tl.Sources {
		if s.Reachable() {
			srcs = append(srcs, s)
		}
	}
	return noneDeclared(srcs, probe.Database, "database")
}
