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
	"github.com/soaklab/soak/engine/internal/human"
)

// NewReport fills the seed's template from the analysis r, section by
// section. The Report shares r's findings, targets and notes (slices):
// change neither while the other is in use.
func NewReport(r *analysis.Result) *Report {
	rep := &Report{Title: "Sustained Load Test Results", Performance: r.Performance, System: r.System,
		Findings: r.Findings, Events: r.Charts.Events, Notes: r.Notes}
	if r.Partial {
		rep.Title += " (partial: interrupted)"
	}
	if r.Capture != nil {
		rep.Phases = r.Capture.Timing
	}
	res := r.Engine
	rep.Configuration = configurationRows(r)
	rep.Classes = classShares(res)
	rep.Command = executionCommand(r)
	rep.Endpoints = endpointRows(res, r.Thresholds)
	rep.Stability = stability(r)
	if f := r.Find(analysis.DetectorErrorRate, ""); f != nil && f.Errors != nil {
		rep.Windows = f.Errors.Windows
	}
	rep.Issues = issues(r)
	rep.Actions = actions(r)
	rep.Capacity, rep.Bottlenecks, rep.Scaling = capacitySections(r)
	rep.NextSteps = nextSteps(r)
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
		rows = append(rows, KV{"Load", fmt.Sprintf("open model, %g arrivals/second (peak %d workers)", res.Rate, res.PeakUsers)})
	default:
		rows = append(rows, KV{"Users", fmt.Sprintf("%d concurrent users (peak reached: %d)", res.Users, res.PeakUsers)})
		if res.SpawnRate > 0 {
			rows = append(rows, KV{"Spawn Rate", fmt.Sprintf("%g users/second", res.SpawnRate)})
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
	return rows
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

func endpointRows(res *engine.Result, th analysis.Thresholds) []EndpointRow {
	stats := slices.Clone(res.Total.Stats)
	slices.SortStableFunc(stats, func(a, b engine.Stat) int { return cmp.Compare(b.Requests, a.Requests) })
	var out []EndpointRow
	for i := range stats {
		if i == 10 {
			break
		}
		s := &stats[i]
		row := EndpointRow{Method: s.Method, Name: endpointName(s.Method, s.Name), Requests: s.Requests,
			AvgMs: s.Mean() / 1000, P95Ms: float64(s.Percentile(95)) / 1000, P99Ms: float64(s.Percentile(99)) / 1000,
			Errors: s.Failures(), RateLimited: s.RateLimited, Status: analysis.StatusPass}
		if (th.P95 > 0 && row.P95Ms > float64(th.P95.Milliseconds())) ||
			(th.ErrorRate > 0 && s.Requests > 0 && float64(row.Errors)/float64(s.Requests) > th.ErrorRate) {
			row.Status = analysis.StatusFail
		}
		out = append(out, row)
	}
	return out
}
