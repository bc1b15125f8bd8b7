package analysis

import (
	"fmt"
	"strings"
	"time"

	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/engine/internal/human"
)

// DetectorRestart is the restart detector's name.
const DetectorRestart Detector = "restart"

// restart is the restart detector: a probe that answers with another
// instance id than before is another process (capture.Restart).
type restart struct{}

func (restart) name() Detector { return DetectorRestart }

func (restart) perSource() bool { return false }

// detect reports every restart: when, in which phase, and the requests
// that failed around it (from the last answer of the old process, less a
// poll interval, to the first of the new one, plus one).
func (restart) detect(a *analyzer, _ *capture.SourceTimeline) Finding {
	d := DetectorRestart
	if len(a.sources()) == 0 {
		return unknown(d, "", a.noProbeReason())
	}
	rs := a.c.Timeline.Restarts
	f := Finding{Detector: d, Restarts: &RestartFigures{}}
	if len(rs) == 0 {
		f.Verdict, f.Confidence = VerdictOK, maxConfidence
		f.Summary = "no restart: every probe answered with one instance id through the run"
		return f
	}
	var poll time.Duration
	if a.c.Config != nil {
		poll = a.c.Config.PollInterval
	}
	var names []string
	for _, r := range rs {
		ev := RestartEvent{Restart: r, Offset: r.FirstSeen.Sub(a.res.Start)}
		from, to := r.LastSeen.Add(-poll), r.FirstSeen.Add(poll)
		if r.LastSeen.IsZero() {
			from = r.FirstSeen.Add(-2 * poll)
		}
		for _, iv := range a.intervalsIn(from, to) {
			req, fail, _ := ivCounts(iv)
			ev.Requests += req
			ev.Failures += fail
		}
		f.Restarts.Events = append(f.Restarts.Events, ev)
		f.Events = append(f.Events, Event{Kind: "restart", Source: r.Source, Start: r.LastSeen, End: r.FirstSeen,
			Detail: fmt.Sprintf("instance %s replaced by %s", r.FromInstance, r.ToInstance)})
		f.Evidence = append(f.Evidence, fmt.Sprintf("%s: instance %s last answered at %s, instance %s first answered at %s (%s into the load, %s); %s of %s requests failed from a poll before to a poll after.",
			r.Source, r.FromInstance, r.LastSeen.Format(time.TimeOnly), r.ToInstance, r.FirstSeen.Format(time.TimeOnly),
			human.Span(ev.Offset), r.Phase, human.Count(ev.Failures), human.Count(ev.Requests)))
		names = append(names, r.Source)
	}
	first := f.Restarts.Events[0]
	f.Verdict, f.Severity, f.Confidence = VerdictDetected, SeverityCritical, maxConfidence
	f.Summary = fmt.Sprintf("the service restarted %s under load (%s; the first %s into the load, %s requests failed around it): each process is judged apart",
		times(len(rs)), strings.Join(uniq(names), ", "), human.Span(first.Offset), human.Count(first.Failures))
	f.NextStep = "Find why the process ended (its logs, the exit status, an OOM kill in dmesg or the container's events): a crash or an out-of-memory kill under load is the defect; the findings of the instance before the restart show what grew until it."
	return f
}

// times is "once", "twice", "3 times".
func times(n int) string {
	switch n {
	case 1:
		return "once"
	case 2:
		return "twice"
	}
	return fmt.Sprintf("%d times", n)
}

// RestartFigures are the restart detector's measurements: one event per
// change of a probe's instance.
type RestartFigures struct {
	Events []RestartEvent `json:"events,omitempty"`
}

// RestartEvent is one restart and what the client saw around it.
type RestartEvent struct {
	capture.Restart
	// Offset is FirstSeen from the load's start.
	Offset time.Duration `json:"offset_ns"`
	// Requests and Failures count the client's requests, and those that
	// failed, from a poll interval before LastSeen to one after
	// FirstSeen.
	Requests int64 `json:"requests"`
	Failures int64 `json:"failures"`
}
