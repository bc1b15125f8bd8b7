package report

import (
	"fmt"
	"strings"

	"github.com/soaklab/soak/engine/analysis"
	"github.com/soaklab/soak/engine/analysis/stage"
	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/engine/internal/human"
)

// StageRow is one stage of the Stages section (analysis.Result.Stages,
// present when the load changed during the steady state), as the
// Markdown and HTML reports print it; the JSON document has the stages
// whole (Analysis.Stages).
type StageRow struct {
	Stage string `json:"stage"` // "stage 2 (200 users)"
	Cause string `json:"cause"` // "users changed to 200", "planned stage 2", "steady state"
	// Span is the stage on the run's clock and what was judged:
	// "2m00s-5m00s (2 min 47 s judged after 13 s settling)".
	Span         string  `json:"span"`
	RunningUsers int     `json:"running_users"`
	RPS          float64 `json:"rps"`
	P50Ms        float64 `json:"p50_ms"`
	P95Ms        float64 `json:"p95_ms"`
	P99Ms        float64 `json:"p99_ms"`
	ErrorRate    float64 `json:"error_rate"`
	// Server is each source's heap, goroutines and pools over the stage;
	// Checks the stage's judgments, flagged first; Flagged is set when
	// one is a warning or a defect.
	Server  string `json:"server"`
	Checks  string `json:"checks"`
	Flagged bool   `json:"flagged"`
}

// stageRows writes r's stages as rows; nil for a run of one load level.
func stageRows(r *analysis.Result) []StageRow {
	if len(r.Stages) < 2 {
		return nil
	}
	start := r.Engine.Start
	out := make([]StageRow, 0, len(r.Stages))
	for i := range r.Stages {
		s := &r.Stages[i]
		row := StageRow{Stage: s.Name(), Cause: s.Cause, RunningUsers: s.RunningUsers, RPS: s.RPS, ErrorRate: s.ErrorRate,
			P50Ms: msf(s.P50), P95Ms: msf(s.P95), P99Ms: msf(s.P99),
			Span: fmt.Sprintf("%s-%s (%s judged", capture.ClockText(s.Start.Sub(start)), capture.ClockText(s.End.Sub(start)), human.Span(s.Judged))}
		if s.Settle > 0 {
			row.Span += " after " + human.Span(s.Settle) + " settling"
		}
		row.Span += ")"
		var srv []string
		for _, sv := range s.Servers {
			if sv.Samples == 0 {
				continue
			}
			t := fmt.Sprintf("%s: heap %s to %s, goroutines %d to %d", sv.Source, human.Bytes(int64(sv.HeapFirst)), human.Bytes(int64(sv.HeapLast)),
				sv.GoroutinesFirst, sv.GoroutinesLast)
			for _, p := range sv.Pools {
				t += fmt.Sprintf(", pool %s peak %d of %d, %s waits", p.Name, p.Peak, p.Max, human.Count(p.Waits))
			}
			srv = append(srv, t)
		}
		row.Server = strings.Join(srv, "; ")
		var flagged, rest []string
		for _, c := range s.Checks {
			t := c.Check + sourceSuffix(c.Source) + ": "
			switch c.Verdict {
			case stage.OK:
				t += c.Verdict
			case stage.TooShort:
				t += c.Summary
			default:
				t += c.Verdict + " (" + c.Summary + ")"
			}
			if c.Flagged() {
				flagged = append(flagged, t)
			} else {
				rest = append(rest, t)
			}
		}
		row.Flagged = len(flagged) > 0
		row.Checks = strings.Join(append(flagged, rest...), "; ")
		out = append(out, row)
	}
	return out
}

// stagesIntro says what the Stages section is.
func stagesIntro(rows []StageRow) string {
	return fmt.Sprintf("The load changed during the steady state: %d stages, each measured and judged on its own. After each change a settling time (%s plus the users' ramp at the spawn rate) is left out of the stage's figures. A leak trend needs %s of a stage; a shorter stage says too short.",
		len(rows), human.Span(analysis.StageSettle), human.Span(analysis.MinStageLeak))
}

// writeStages writes the Stages section in Markdown, when there is one.
func writeStages(m *mdWriter, rows []StageRow) {
	if len(rows) == 0 {
		return
	}
	m.f("\n### Stages\n\n%s\n\n| Stage | Began | Span | Users running | RPS | P50 (ms) | P95 (ms) | P99 (ms) | Error rate | Server | Checks |\n|-------|-------|------|---------------|-----|----------|----------|----------|------------|--------|--------|\n",
		stagesIntro(rows))
	for _, r := range rows {
		m.f("| %s | %s | %s | %d | %.1f | %.1f | %.1f | %.1f | %s | %s | %s |\n", cell(r.Stage), cell(r.Cause), cell(r.Span), r.RunningUsers,
			r.RPS, r.P50Ms, r.P95Ms, r.P99Ms, human.Percent(r.ErrorRate), cell(orNone(r.Server)), cell(r.Checks))
	}
}

func orNone(s string) string {
	if s == "" {
		return "no probe sample"
	}
	return s
}
