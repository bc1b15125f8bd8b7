package report

import (
	"cmp"
	"fmt"
	"strings"
	"time"

	"github.com/soaklab/soak/engine/analysis"
	"github.com/soaklab/soak/engine/capture"
)

// CommandStep is a step of the seed's Test Execution Instructions: what
// to do, and the shell commands that do it (none when it is the user's
// to do, such as starting the service).
type CommandStep struct {
	What     string   `json:"what"`
	Commands []string `json:"commands,omitempty"`
}

// instructions fills Test Execution Instructions: start the service,
// check that it answers, the command that ran this test (the binary's
// name, the scenario file), watching it, and rebuilding the reports.
func instructions(r *analysis.Result) []CommandStep {
	res := r.Engine
	cfg := runConfig(r)
	host := cmp.Or(res.Host, "http://127.0.0.1:8000")
	var probes []string
	for _, s := range cfg.Sources {
		if strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://") {
			probes = append(probes, s)
		}
	}
	var steps []CommandStep
	if len(cfg.InProcess) > 0 {
		steps = append(steps, CommandStep{What: "soak demo runs the demo service and its probe in its own process: nothing to start"})
	} else {
		start := CommandStep{What: "Ensure the service is running at " + host}
		if len(probes) > 0 {
			start.What += ", its probe at " + strings.Join(probes, ", ") + " (docs/probe.md)"
		} else {
			start.What += "; with soak's probe (docs/probe.md) the report measures it from the inside too"
		}
		steps = append(steps, start, CommandStep{What: "Verify it answers",
			Commands: []string{fmt.Sprintf("curl -sS -o /dev/null -w '%%{http_code}\\n' %s%s", host, healthPath(r))}})
		for _, p := range probes {
			steps[len(steps)-1].Commands = append(steps[len(steps)-1].Commands,
				fmt.Sprintf(`curl -sS -H "Authorization: Bearer $SOAK_PROBE_TOKEN" %s/snapshot | head -c 300; echo`, p))
		}
	}
	run := CommandStep{What: "Run the load test", Commands: []string{executionCommand(r)}}
	if cfg.Scenario != "" {
		run.What += " (the users: " + cfg.Scenario + ")"
	}
	if cfg.Command == "" {
		run.What += "; this run was started from Go, the command is its equivalent"
	}
	steps = append(steps, run,
		CommandStep{What: "Monitor during the test: soak's live view (stderr) shows requests/s, p50/p95/p99, failures and 429s; " +
			"the probe is read every " + pollEvery(cfg.PollInterval) + " (Monitoring Queries below says what it reads, and how to read it without the probe)"},
		CommandStep{What: "After the test, rebuild every output from the results directory (it works after an interruption too)",
			Commands: []string{program(cfg.Command) + " report " + resultsDir(cfg.Command, res.RunID)}})
	return steps
}

// healthPath is the path the health check asks: a GET endpoint of the
// run named for health (/health, /health/ready), else "/".
func healthPath(r *analysis.Result) string {
	for _, s := range r.Engine.Total.Stats {
		if (s.Method == "" || s.Method == "GET") && strings.HasPrefix(s.Name, "/health") && !strings.ContainsAny(s.Name, "[]{} '\"?") {
			return s.Name
		}
	}
	return "/"
}

// program is the soak binary as the command line names it ("./soak",
// "soak").
func program(command string) string {
	if f := strings.Fields(command); len(f) > 0 && !strings.HasPrefix(f[0], "-") {
		return f[0]
	}
	return "soak"
}

// resultsDir is the run's results directory: --out's, else soak's
// default.
func resultsDir(command, runID string) string {
	f := strings.Fields(command)
	for i, a := range f {
		if v, ok := strings.CutPrefix(a, "--out="); ok {
			return v
		}
		if (a == "--out" || a == "-out") && i+1 < len(f) {
			return f[i+1]
		}
	}
	return "soak-results/" + cmp.Or(runID, "<run id>")
}

// runConfig is the runner's configuration the capture recorded, or the
// zero value for a run without one (started from Go without the runner).
func runConfig(r *analysis.Result) capture.CaptureConfig {
	if r.Capture != nil && r.Capture.Config != nil {
		return *r.Capture.Config
	}
	return capture.CaptureConfig{}
}

// pollEvery is the probes' poll interval in words: "2s", or "the poll
// interval" when it was not recorded.
func pollEvery(d time.Duration) string {
	if d <= 0 {
		return "poll interval"
	}
	return d.String()
}

// writeInstructions writes Test Execution Instructions as the seed does:
// one bash block, its steps numbered in comments.
func writeInstructions(m *mdWriter, steps []CommandStep) {
	if len(steps) == 0 {
		return
	}
	m.f("\n## Test Execution Instructions\n\nTo run this test again:\n\n```bash\n%s```\n", fence(instructionScript(steps)))
}

// instructionScript is the steps as one shell script: each a numbered
// comment and its commands.
func instructionScript(steps []CommandStep) string {
	var b strings.Builder
	for i, s := range steps {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "# %d. %s\n", i+1, oneLine(s.What))
		for _, c := range s.Commands {
			b.WriteString(c + "\n")
		}
	}
	return b.String()
}

// oneLine keeps a comment on its line.
func oneLine(s string) string { return strings.NewReplacer("\n", " ", "\r", " ").Replace(s) }

// fence keeps text from closing a code block.
func fence(s string) string { return strings.ReplaceAll(s, "```", "'''") }
