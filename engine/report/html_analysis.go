package report

import (
	"time"

	"github.com/soaklab/soak/engine/analysis"
)

// analysisView is what the HTML report shows of an analysis: the seed
// template's sections (from Report, the Markdown report's model)
// and the findings.
type analysisView struct {
	Report   *Report
	Findings []analysis.Finding
	Issues   []issueGroup
	// ServerCharts are the server-side series on the run's timeline;
	// NoServer is set when no chart has a point (no probe, or none
	// reachable).
	ServerCharts []chartView
	NoServer     bool
	// NoProbe is set when the analysis had no probe sample at all.
	NoProbe bool
	// Unsampled names the server-side charts without a point when others
	// have some (a service without a pool, a cache or a limiter).
	Unsampled []string
	// Tiles is the badge class of each Performance row by metric, for
	// the summary's tiles: a tile whose target failed is not green.
	Tiles map[string]string
	// Quit counts the users that quit; QuitClass is the user-quits
	// finding's badge class.
	Quit      int64
	QuitClass string
}

// tile is the class of the summary tile of metric: its row's badge, ""
// without an analysis or a row.
func tile(a *analysisView, metric string) string {
	if a == nil {
		return ""
	}
	return a.Tiles[metric]
}

// issueGroup is one severity of Issues Identified.
type issueGroup struct {
	Title  string
	Issues []Issue
}

// serverChartIDs names the server-side charts in the order they are drawn.
var serverChartIDs = []string{
	"chart-heap", "chart-goroutines", "chart-pool-acquired", "chart-pool-wait",
	"chart-cache-hit-rate", "chart-rate-limited",
}

func serverCharts(c *Charts) []Chart {
	return []Chart{c.Heap, c.Goroutines, c.PoolAcquired, c.PoolWait, c.CacheHitRate, c.RateLimited}
}

// serverChartSpecs turns the analysis's charts into chart specs, with
// default titles for charts the analysis left untitled.
func serverChartSpecs(c *Charts) (specs []chartSpec, points int) {
	defaults := []struct{ title, unit string }{
		{"Live heap after GC", "MB"}, {"Goroutines", "goroutines"}, {"Pool connections acquired", "connections"},
		{"Pool wait", "ms per second"}, {"Cache hit rate", "%"}, {"Rate limiting", "per second"},
	}
	for i, ch := range serverCharts(c) {
		spec := chartSpec{id: serverChartIDs[i], title: ch.Title, unit: ch.Unit}
		if spec.title == "" {
			spec.title, spec.unit = defaults[i].title, defaults[i].unit
		}
		for _, s := range ch.Series {
			pts := make([]point, len(s.Points))
			for j, p := range s.Points {
				pts[j] = point{p.T, p.V}
			}
			points += len(pts)
			spec.series = append(spec.series, series{name: s.Name, points: pts, dashed: isLimitSeries(s.Name)})
		}
		specs = append(specs, spec)
	}
	return specs, points
}

// isLimitSeries tells a limit drawn beside a figure (a pool's max) from
// the figure: limits are dashed.
func isLimitSeries(name string) bool {
	return len(name) >= 3 && (name[:3] == "max" || name[len(name)-3:] == "max")
}

// phaseEvent is the Kind of the events Charts lists for the
// phases: drawn as marks, not bands.
const phaseEvent = "phase"

// eventBands are the detected events, drawn on the latency chart. Events
// of one kind and source that touch or overlap (an error burst reported
// interval by interval) make one band.
func eventBands(events []analysis.Event, origin time.Time) []band {
	var evs []analysis.Event
	for _, e := range events {
		if e.Kind == phaseEvent {
			continue
		}
		if n := len(evs); n > 0 && evs[n-1].Kind == e.Kind && evs[n-1].Source == e.Source &&
			!e.Start.After(evs[n-1].End) && !e.End.Before(evs[n-1].Start) {
			last := &evs[n-1]
			if e.End.After(last.End) {
				last.End = e.End
			}
			if e.Start.Before(last.Start) {
				last.Start = e.Start
			}
			if last.Detail != e.Detail {
				last.Detail = ""
			}
			continue
		}
		evs = append(evs, e)
	}
	var bs []band
	for _, e := range evs {
		title := e.Kind
		if e.Source != "" {
			title += " [" + e.Source + "]"
		}
		title += " " + spanText(e.Start, e.End, origin)
		if e.Detail != "" {
			title += ": " + e.Detail
		}
		bs = append(bs, band{start: e.Start, end: e.End, label: e.Kind, title: title})
	}
	return bs
}

// phaseMarks mark where each phase starts: from the capture's timing, or
// else from the phase events of the charts.
func phaseMarks(a *analysis.Result) []mark {
	var ms []mark
	if a.Capture != nil && len(a.Capture.Timing) > 0 {
		for _, s := range a.Capture.Timing {
			ms = append(ms, mark{at: s.Start, label: string(s.Phase)})
		}
		return ms
	}
	for _, e := range chartEvents(a) {
		if e.Kind == phaseEvent {
			ms = append(ms, mark{at: e.Start, label: e.Detail})
		}
	}
	return ms
}

// probed reports whether the analysis had probe samples to work with.
func probed(a *analysis.Result) bool {
	if a.Capture == nil {
		return false
	}
	for _, s := range a.Capture.Timeline.Sources {
		if len(s.Points) > 0 {
			return true
		}
	}
	return false
}

// groupIssues splits issues by severity, most severe first, as the seed's
// Critical / High / Medium Priority Issues.
func groupIssues(issues []Issue) []issueGroup {
	groups := []issueGroup{{Title: "Critical issues"}, {Title: "High priority issues"}, {Title: "Medium priority issues"}}
	for _, is := range issues {
		switch is.Severity {
		case analysis.SeverityCritical:
			groups[0].Issues = append(groups[0].Issues, is)
		case analysis.SeverityHigh:
			groups[1].Issues = append(groups[1].Issues, is)
		default:
			groups[2].Issues = append(groups[2].Issues, is)
		}
	}
	return groups
}

// statusClass is the badge class of a target status or a verdict.
func statusClass(s string) string {
	switch s {
	case string(analysis.StatusPass), string(analysis.VerdictOK):
		return "ok"
	case string(analysis.StatusFail), string(analysis.VerdictDetected):
		return "fail"
	case string(analysis.StatusWarning), string(analysis.StatusUnreachable), string(analysis.VerdictInconclusive): // also analysis.VerdictWarning
		return "warn"
	}
	return "unknown"
}

// statusText is a target status for the badge, in words (emoji need
// fonts a minimal machine lacks).
func statusText(s analysis.Status) string {
	switch s {
	case analysis.StatusPass:
		return "Pass"
	case analysis.StatusFail:
		return "Fail"
	case analysis.StatusWarning:
		return "Check"
	case analysis.StatusNoLimit:
		return "No target"
	case analysis.StatusUnreachable:
		return "Unreachable by this plan"
	}
	return "Not measured"
}
