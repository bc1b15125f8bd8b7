package analysis

import (
	"fmt"
	"time"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/engine/internal/human"
)

// maxQuitShare is the share of the users started that may quit (a failed
// on_start, a task stopping its user) before the run is unhealthy: a few
// users whose data ran out are a scenario's business, more are a service
// that turns users away (see docs/report.md).
const maxQuitShare = 0.01

// DetectorUserQuits is the user-quit detector's name.
const DetectorUserQuits Detector = "user-quits"

// userQuits is the detector of users that ended before the load did.
type userQuits struct{}

func (userQuits) name() Detector { return DetectorUserQuits }

func (userQuits) perSource() bool { return false }

// detect counts the users that quit (engine.Interval.Quits) against those
// that started, and says when and why.
func (userQuits) detect(a *analyzer, _ *capture.SourceTimeline) Finding {
	d := DetectorUserQuits
	tot := a.res.Total
	q := &QuitFigures{Started: tot.Started, Quit: tot.UsersQuit(), Reasons: tot.Quits}
	if q.Started == 0 { // saved before the engine counted starts
		q.Started = int64(a.res.PeakUsers)
	}
	if q.Started > 0 {
		q.Share = float64(q.Quit) / float64(q.Started)
	}
	f := Finding{Detector: d, Quits: q}
	if q.Quit == 0 {
		f.Verdict, f.Confidence = VerdictOK, maxConfidence
		f.Summary = fmt.Sprintf("every user that started (%s) ran until the load ended", human.Count(q.Started))
		return f
	}
	for i, r := range q.Reasons {
		if i == 5 {
			break
		}
		f.Evidence = append(f.Evidence, fmt.Sprintf("%s x %s: %s (first at %s, last at %s into the load).", human.Count(r.Count), r.Name, r.Error,
			human.Span(r.First.Sub(a.res.Start)), human.Span(r.Last.Sub(a.res.Start))))
		f.Events = append(f.Events, Event{Kind: "user-quits", Start: r.First, End: maxTime(r.Last, r.First.Add(time.Second)), Detail: r.Name + ": " + r.Error})
	}
	top := q.Reasons[0]
	f.Summary = fmt.Sprintf("%s of %s users (%s) quit before the load ended, most in %s: %s", human.Count(q.Quit), human.Count(q.Started),
		human.Percent(q.Share), top.Name, top.Error)
	f.NextStep = "Read why the users quit above: a failed on_start (a login) turns a user away for the whole run; fix the service's answer or the scenario's data, then soak again."
	if q.Share > maxQuitShare {
		f.Verdict, f.Severity, f.Confidence = VerdictDetected, SeverityHigh, 0.9
		f.Summary += fmt.Sprintf(": more than the %s a run may lose, so the load was lighter than planned", human.LimitPercent(maxQuitShare))
		return f
	}
	f.Verdict, f.Severity, f.Confidence = VerdictWarning, SeverityMedium, 0.8
	return f
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// QuitFigures are the user-quit detector's measurements (client side).
type QuitFigures struct {
	// Started counts the users (or open-model workers) that started;
	// Quit those that ended before the load did; Share is Quit/Started.
	Started int64   `json:"started"`
	Quit    int64   `json:"quit"`
	Share   float64 `json:"share"`
	// Reasons are the quits by "Class/hook" and reason, most first, with
	// when the first and last happened.
	Reasons []engine.ErrorStat `json:"reasons,omitempty"`
}
