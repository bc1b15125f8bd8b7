package capture

import (
	"fmt"
	"time"
)

// Restart is a change of a source's probe instance between two answers:
// the service restarted (or another process answered at its address).
// The samples before and after are in two timelines, so that detectors
// judge each process apart and no figure averages two of them.
type Restart struct {
	// Source is the source polled (Sample.Source).
	Source string `json:"source"`
	// From and To name the timelines of the instances before and after
	// (SourceTimeline.Name); FromInstance and ToInstance are their
	// probes' instance ids.
	From         string `json:"from"`
	To           string `json:"to"`
	FromInstance string `json:"from_instance"`
	ToInstance   string `json:"to_instance"`
	// LastSeen is the last answer of the instance before, FirstSeen the
	// first of the instance after, on the engine's clock: the service
	// was down (or restarting) somewhere between them.
	LastSeen  time.Time `json:"last_seen"`
	FirstSeen time.Time `json:"first_seen"`
	// Phase is the phase of FirstSeen.
	Phase Phase `json:"phase"`
}

// InstanceName is the name of the timeline of source's instance after
// its restart-th restart: source itself for the first instance (0),
// "<source> after restart N" for the others.
func InstanceName(source string, restart int) string {
	if restart == 0 {
		return source
	}
	return fmt.Sprintf("%s after restart %d", source, restart)
}

// current returns the timeline of polled's latest instance, or nil.
func (t *Timeline) current(polled string) *SourceTimeline {
	for i := len(t.Sources) - 1; i >= 0; i-- {
		if t.Sources[i].polled() == polled {
			return t.Sources[i]
		}
	}
	return nil
}

// polled is the source polled: Polled, or Name for a timeline decoded
// from a capture that did not record it.
func (s *SourceTimeline) polled() string {
	if s.Polled != "" {
		return s.Polled
	}
	return s.Name
}

// instance returns the timeline for the answer s of st's source: st
// itself, its instance now known, or a new one when the probe's
// instance id changed since st's last answer.
func (t *Timeline) instance(st *SourceTimeline, s *Sample) *SourceTimeline {
	id := s.Snapshot.InstanceID
	switch {
	case id == "" || id == st.Instance:
		return st
	case st.Instance == "":
		st.Instance = id
		return st
	}
	next := t.newSource(st.polled(), st.Restart+1)
	next.Instance = id
	t.Restarts = append(t.Restarts, Restart{Source: st.polled(), From: st.Name, To: next.Name,
		FromInstance: st.Instance, ToInstance: id, LastSeen: st.lastSeen(), FirstSeen: s.Time, Phase: s.Phase})
	return next
}

// lastSeen is when the timeline's last answer arrived (zero when none).
func (s *SourceTimeline) lastSeen() time.Time {
	var last time.Time
	for _, t := range s.LastTime {
		if t.After(last) {
			last = t
		}
	}
	return last
}

// Attributed returns c with every profile and leak report credited to
// the timeline of the instance that answered it: the latest instance of
// its source whose first answer came at or before the capture's time.
// Without a restart it returns c itself; otherwise a copy sharing all
// but the Profiles and Leaks slices, which are copied. c is not
// modified.
func (c *Capture) Attributed() *Capture {
	if len(c.Timeline.Restarts) == 0 {
		return c
	}
	out := *c
	out.Profiles = append([]Profile(nil), c.Profiles...)
	out.Leaks = append([]LeakCapture(nil), c.Leaks...)
	for i := range out.Profiles {
		out.Profiles[i].Source = c.Timeline.instanceAt(out.Profiles[i].Source, out.Profiles[i].Time)
	}
	for i := range out.Leaks {
		out.Leaks[i].Source = c.Timeline.instanceAt(out.Leaks[i].Source, out.Leaks[i].Time)
	}
	return &out
}

// instanceAt is the name of the timeline of source's instance at tm.
func (t *Timeline) instanceAt(source string, tm time.Time) string {
	name := source
	for _, r := range t.Restarts {
		if r.Source == source && !tm.Before(r.FirstSeen) {
			name = r.To
		}
	}
	return name
}
