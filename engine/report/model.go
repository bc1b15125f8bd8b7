package report

import (
	"github.com/soaklab/soak/engine/analysis"
	"github.com/soaklab/soak/engine/capture"
)

// Report is the seed report's template filled from an analysis.Result,
// section by section, as plain rows ([NewReport]): [Markdown] prints it
// in the template's structure, and [HTML] lays out the same sections.
// Every value is measured, or says why it is not.
type Report struct {
	Title         string                 `json:"title"`
	Verdict       Verdict                `json:"verdict"`           // the outcome first: exit code, what set it, what could not be checked
	Configuration []KV                   `json:"configuration"`     // Test Configuration: Date, Duration, Target, Users, Spawn Rate
	Classes       []ClassShare           `json:"classes"`           // User Distribution
	Command       string                 `json:"command,omitempty"` // Execution Command
	Performance   []analysis.Target      `json:"performance"`       // Performance Metrics
	System        []analysis.Target      `json:"system"`            // System Metrics
	Endpoints     []EndpointRow          `json:"endpoints"`         // Top 10 Endpoints by Request Count
	Stability     Stability              `json:"stability"`         // Stability Analysis
	Stages        []StageRow             `json:"stages,omitempty"`  // Stages: the load levels of a run whose load changed
	Issues        []Issue                `json:"issues"`            // Issues Identified, most severe first
	Actions       Actions                `json:"actions"`           // Recommendations
	Capacity      []KV                   `json:"capacity"`          // Capacity Planning: Current Capacity
	Bottlenecks   []string               `json:"bottlenecks"`       // Bottlenecks Identified
	Scaling       []KV                   `json:"scaling"`           // Scaling Recommendations
	NextSteps     []Step                 `json:"next_steps"`        // Next Steps
	Instructions  []CommandStep          `json:"instructions"`      // Test Execution Instructions
	Monitoring    []MonitoringQuery      `json:"monitoring"`        // Monitoring Queries
	Profiles      []ProfileRef           `json:"profiles"`          // profiles saved beside the report
	Environment   []KV                   `json:"environment"`       // Appendix: Test Environment
	Hardware      []KV                   `json:"hardware"`          // Hardware Specifications
	ServiceConfig []KV                   `json:"service_config"`    // Configuration
	Notes         []string               `json:"notes,omitempty"`   // unreachable probes, partial run, generator-bound
	Aborted       int64                  `json:"aborted,omitempty"` // requests cut at the stop timeout
	Findings      []analysis.Finding     `json:"findings"`          // every detector's finding
	Events        []analysis.Event       `json:"events,omitempty"`  // for charts
	Windows       []analysis.ErrorWindow `json:"windows,omitempty"` // error rate over time
	Phases        capture.Timing         `json:"phases,omitempty"`
	// Warnings are the early warnings raised while the run went, in the
	// order first warned (the one that ended a fail-fast run has
	// EndedRun).
	Warnings []capture.Warning `json:"warnings,omitempty"`
}

// KV is a labelled value: "**Users**: 200 concurrent users".
type KV struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// ClassShare is a user class's share of the users.
type ClassShare struct {
	Name    string  `json:"name"`
	Percent float64 `json:"percent"` // of the users
	Users   int     `json:"users"`   // at the peak
}

// EndpointRow is one row of the endpoint table.
type EndpointRow struct {
	Method      string          `json:"method"`
	Name        string          `json:"name"` // "/api/stories/[slug]", "/api/whispers [POST]"
	Requests    int64           `json:"requests"`
	AvgMs       float64         `json:"avg_ms"`
	P95Ms       float64         `json:"p95_ms"`
	P99Ms       float64         `json:"p99_ms"`
	Errors      int64           `json:"errors"`
	RateLimited int64           `json:"rate_limited"`
	Status      analysis.Status `json:"status"` // fail when its p95 or error rate breaks the target; unknown without a request
	// Note says why a row has no request: an endpoint the scenario's
	// tasks declare that no user requested ("no request: class
	// HealthCheckUser had no user").
	Note string `json:"note,omitempty"`
}

// Stability is the Stability Analysis section.
type Stability struct {
	Memory      []KV `json:"memory"`       // Memory Leak Detection
	Goroutines  []KV `json:"goroutines"`   // Goroutine Leak Detection (not in the seed; soak adds it)
	Pool        []KV `json:"pool"`         // Connection Pool Stability
	ErrorRate   []KV `json:"error_rate"`   // Error Rate Over Time
	Latency     []KV `json:"latency"`      // Latency Over Time (not in the seed)
	RateLimited []KV `json:"rate_limited"` // Rate Limiting
	Restarts    []KV `json:"restarts"`     // Restarts: the probe's instance changed (not in the seed)
	Users       []KV `json:"users"`        // Users That Quit (not in the seed)
}

// Issue is one entry of Issues Identified.
type Issue struct {
	Severity analysis.Severity `json:"severity"`
	Title    string            `json:"title"`
	Detail   []string          `json:"detail,omitempty"`
}

// Actions are the Recommendations, from the evidence.
type Actions struct {
	Immediate []string `json:"immediate"`
	ShortTerm []string `json:"short_term"`
	LongTerm  []string `json:"long_term"`
}

// Step is a Next Steps checkbox.
type Step struct {
	Done bool   `json:"done"`
	Text string `json:"text"`
}

// ProfileRef is a profile saved beside the report and the command that
// opens it.
type ProfileRef struct {
	Path    string `json:"path"`
	What    string `json:"what"`
	Command string `json:"command"`
}
