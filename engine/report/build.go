package report

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/analysis"
	"github.com/soaklab/soak/engine/analysis/capacity"
	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/engine/internal/human"
)

// NewReport fills the seed's template from the analysis r, section by
// section; c, when set (a capacity search, runner.Capacity), fills its
// Capacity Planning and Scaling sections and its verdict. The Report
// shares r's findings, targets and notes (slices): change neither while
// the other is in use.
func NewReport(r *analysis.Result, c *capacity.Result) *Report {
	rep := &Report{Title: "Sustained Load Test Results", Performance: r.Performance, System: r.System,
		Findings: r.Findings, Events: chartEvents(r), Notes: r.Notes, Verdict: verdict(r, c),
		Aborted: r.Engine.Total.Total().Aborted}
	ff := r.FailFast()
	switch {
	case ff != nil:
		rep.Title += " (partial: ended early by fail-fast)"
		rep.Notes = append(slices.Clip(r.Notes), "Ended early by fail-fast at the first early warning ("+
			capture.ClockText(ff.At)+" into the load): "+ff.String()+". The figures cover the run until then.")
	case r.Partial:
		rep.Title += " (partial: interrupted)"
	}
	if r.Capture != nil {
		rep.Phases = r.Capture.Timing
		rep.Warnings = r.Capture.Warnings
	}
	res := r.Engine
	rep.Configuration = configurationRows(r)
	rep.Classes = classShares(res)
	rep.Command = executionCommand(r)
	rep.Endpoints = endpointRows(res, r.Thresholds)
	rep.Stability = stability(r)
	rep.Stages = stageRows(r)
	if f := r.Find(analysis.DetectorErrorRate, ""); f != nil && f.Errors != nil {
		rep.Windows = f.Errors.Windows
	}
	rep.Issues = issues(r)
	rep.Actions = actions(r, c)
	rep.Capacity, rep.Bottlenecks, rep.Scaling = capacitySections(r, c)
	rep.NextSteps = nextSteps(r, c)
	rep.Instructions = instructions(r)
	rep.Monitoring = monitoring(r, rep)
	rep.Profiles = profileRefs(r)
	rep.Environment, rep.Hardware, rep.ServiceConfig = environmentRows(&r.Environment)
	return rep
}

func configurationRows(r *analysis.Result) []KV {
	res := r.Engine
	rows := []KV{
		{"Date", res.Start.UTC().Format("2006-01-02 15:04:05 UTC")},
		{"Duration", fmt.Sprintf("%s (planned %s)", durationWords(res.End.Sub(res.Start)), durationWords(res.Duration))},
		{"Target", cmp.Or(res.Host, "in-process handler")},
	}
	switch res.Model {
	case "open":
		rows = append(rows, KV{"Load", fmt.Sprintf("open model, %g %s/second (peak %s)", res.Rate, plural(res.Rate, "arrival"), human.Plural(int64(res.PeakUsers), "worker"))})
	default:
		users := fmt.Sprintf("%s (peak reached: %d)", human.Plural(int64(res.Users), "concurrent user"), res.PeakUsers)
		if q := res.Total.UsersQuit(); q > 0 {
			users += fmt.Sprintf("; %s quit before the load ended (see Users That Quit)", human.Count(q))
		}
		rows = append(rows, KV{"Users", users})
		if res.SpawnRate > 0 {
			rows = append(rows, KV{"Spawn Rate", fmt.Sprintf("%g %s/second", res.SpawnRate, plural(res.SpawnRate, "user"))})
		} else {
			rows = append(rows, KV{"Spawn Rate", "all users at once"})
		}
	}
	if res.RunID != "" {
		rows = append(rows, KV{"Run", res.RunID})
	}
	if g := generators(&res.RunInfo); g != "" {
		rows = append(rows, KV{"Load Generators", g})
	}
	if r.Capture != nil && len(r.Capture.Timing) > 0 {
		var parts []string
		for _, s := range r.Capture.Timing {
			parts = append(parts, fmt.Sprintf("%s %s", s.Phase, human.Span(s.Duration())))
		}
		rows = append(rows, KV{"Phases", strings.Join(parts, ", ")})
	}
	if ch := res.Changes(); len(ch) > 0 {
		rows = append(rows, KV{"Load Changes", loadChanges(ch, res.Start)})
	}
	return rows
}

// loadChanges writes the changes made mid-run (soak run --web's
// controls): "users changed to 50 at 1 minute 20 seconds; ...".
func loadChanges(ch []engine.Change, start time.Time) string {
	parts := make([]string, 0, len(ch))
	for _, c := range ch {
		at := durationWords(max(c.At.Sub(start), 0))
		if at == "" {
			at = "0 seconds"
		}
		parts = append(parts, c.String()+" at "+at)
	}
	return strings.Join(parts, "; ")
}

// durationWords is "30 minutes", "2 minutes 30 seconds", "45 seconds".
func durationWords(d time.Duration) string {
	d = d.Round(time.Second)
	h, m, s := int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60
	var parts []string
	unit := func(n int, name string) {
		if n == 1 {
			parts = append(parts, "1 "+name)
		} else if n > 1 {
			parts = append(parts, fmt.Sprintf("%d %ss", n, name))
		}
	}
	unit(h, "hour")
	unit(m, "minute")
	unit(s, "second")
	if len(parts) == 0 {
		return "0 seconds"
	}
	return strings.Join(parts, " ")
}

func classShares(res *engine.Result) []ClassShare {
	peak := map[string]int{}
	for _, iv := range res.Intervals {
		for k, v := range iv.Classes {
			peak[k] = max(peak[k], v)
		}
	}
	var weights int
	for _, c := range res.Classes {
		if c.Fixed == 0 {
			weights += c.Weight
		}
	}
	var out []ClassShare
	users := 0
	for _, c := range res.Classes {
		users += peak[c.Name]
	}
	for _, c := range res.Classes {
		cs := ClassShare{Name: c.Name, Users: peak[c.Name]}
		switch {
		case users > 0:
			cs.Percent = 100 * float64(cs.Users) / float64(users)
		case weights > 0 && c.Fixed == 0:
			cs.Percent = 100 * float64(c.Weight) / float64(weights)
		}
		out = append(out, cs)
	}
	return out
}

func executionCommand(r *analysis.Result) string {
	if r.Capture != nil && r.Capture.Config != nil && r.Capture.Config.Command != "" {
		return r.Capture.Config.Command
	}
	res := r.Engine
	cmd := "soak run --host " + cmp.Or(res.Host, "<host>")
	if res.Model == "open" {
		cmd += fmt.Sprintf(" --rate %g", res.Rate)
	} else {
		cmd += fmt.Sprintf(" --users %d --spawn-rate %g", res.Users, res.SpawnRate)
	}
	return cmd + " --duration " + res.Duration.String() + "   # equivalent command; the run was started from Go"
}

// endpointName is the seed's naming: "/api/whispers [POST]" for other
// methods than GET.
func endpointName(method, name string) string {
	if method == "" || method == http.MethodGet {
		return name
	}
	return name + " [" + method + "]"
}

// maxEndpointRows is the seed's Top 10.
const maxEndpointRows = 10

// endpointRows fills the Top 10 table. The rule (docs/report.md): the
// endpoints the classes' tasks request (engine.ClassInfo.Endpoints, which
// a scenario declares) take the rows first, the ten with the most
// requests; the rows left go to the others (requests sent once per user
// from on_start, such as a login, and anything not declared), by request
// count. The chosen rows are listed by request count; a declared
// endpoint that got no request keeps its row, saying why. A run without
// declarations (tasks written in Go) lists the ten endpoints with the
// most requests.
func endpointRows(res *engine.Result, th analysis.Thresholds) []EndpointRow {
	stats := slices.Clone(res.Total.Stats)
	slices.SortStableFunc(stats, func(a, b engine.Stat) int { return cmp.Compare(b.Requests, a.Requests) })
	declared, classesOf := declaredEndpoints(res)
	var chosen []engine.Stat
	taken := map[engine.Endpoint]bool{}
	pick := func(s engine.Stat) {
		if len(chosen) < maxEndpointRows && !taken[engine.Endpoint{Method: s.Method, Name: s.Name}] {
			taken[engine.Endpoint{Method: s.Method, Name: s.Name}] = true
			chosen = append(chosen, s)
		}
	}
	for _, s := range stats {
		if slices.Contains(declared, engine.Endpoint{Method: s.Method, Name: s.Name}) {
			pick(s)
		}
	}
	for _, e := range declared {
		pick(engine.Stat{Method: e.Method, Name: e.Name}) // declared, never requested
	}
	for _, s := range stats {
		pick(s)
	}
	slices.SortStableFunc(chosen, func(a, b engine.Stat) int { return cmp.Compare(b.Requests, a.Requests) })
	peak := peakUsers(res)
	var out []EndpointRow
	for i := range chosen {
		s := &chosen[i]
		row := EndpointRow{Method: s.Method, Name: endpointName(s.Method, s.Name), Requests: s.Requests,
			Errors: s.Failures(), RateLimited: s.RateLimited, Status: analysis.StatusPass}
		if s.Requests == 0 {
			row.Status, row.Note = analysis.StatusUnknown, noRequestWhy(classesOf[engine.Endpoint{Method: s.Method, Name: s.Name}], peak)
			out = append(out, row)
			continue
		}
		row.AvgMs, row.P95Ms, row.P99Ms = s.Mean()/1000, float64(s.Percentile(95))/1000, float64(s.Percentile(99))/1000
		// An endpoint fails its p95 or error-rate target, or when most of
		// its answers were 429s: it did not serve its requests.
		if (th.P95 > 0 && row.P95Ms > float64(th.P95.Milliseconds())) ||
			(th.ErrorRate > 0 && s.Requests > 0 && float64(row.Errors)/float64(s.Requests) > th.ErrorRate) ||
			(s.Requests > 0 && 2*s.RateLimited >= s.Requests) {
			row.Status = analysis.StatusFail
		}
		out = append(out, row)
	}
	return out
}

// declaredEndpoints returns the endpoints the classes that ran (a weight
// or a fixed count) declare, in class order, and the classes declaring
// each.
func declaredEndpoints(res *engine.Result) ([]engine.Endpoint, map[engine.Endpoint][]string) {
	var out []engine.Endpoint
	classes := map[engine.Endpoint][]string{}
	for _, c := range res.Classes {
		if c.Weight == 0 && c.Fixed == 0 {
			continue
		}
		for _, e := range c.Endpoints {
			if len(classes[e]) == 0 {
				out = append(out, e)
			}
			classes[e] = append(classes[e], c.Name)
		}
	}
	return out, classes
}

// peakUsers is each class's most users at once.
func peakUsers(res *engine.Result) map[string]int {
	peak := map[string]int{}
	for _, iv := range res.Intervals {
		for k, v := range iv.Classes {
			peak[k] = max(peak[k], v)
		}
	}
	return peak
}

// noRequestWhy says why a declared endpoint got no request.
func noRequestWhy(classes []string, peak map[string]int) string {
	var idle []string
	for _, c := range classes {
		if peak[c] == 0 {
			idle = append(idle, c)
		}
	}
	if len(idle) == len(classes) && len(idle) > 0 {
		return "no request: " + strings.Join(idle, ", ") + " had no user, too few users for its weight"
	}
	return "no request in this run: its task was picked too rarely, or failed before it"
}

// plural is word, or word+"s" for a rate other than 1 ("1 user/second",
// "0.5 users/second").
func plural(rate float64, word string) string {
	if rate == 1 {
		return word
	}
	return word + "s"
}
