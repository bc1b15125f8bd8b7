package main

import (
	"errors"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/goccy/go-yaml/parser"

	"github.com/soaklab/soak/cmd/soak/internal/live"
	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/analysis"
)

// TestFlagErrorsAsTyped: a flag error spells the flag as the user typed
// it (--userz, not Go's -userz), names a short flag's long form, and
// says what a value should be instead of "parse error". Each Locust flag
// soak refuses names docs/locust.md.
func TestFlagErrorsAsTyped(t *testing.T) {
	host := "--host=http://127.0.0.1:1"
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "--userz", "5"}, `soak run: flag provided but not defined: --userz (did you mean "--users"?)`},
		{[]string{"--userz", "5"}, `soak run: flag provided but not defined: --userz (did you mean "--users"?)`},
		{[]string{"run", "-userz", "5"}, `flag provided but not defined: -userz (did you mean "--users"?)`},
		{[]string{"demo", "--fualt", "x"}, `flag provided but not defined: --fualt (did you mean "--fault"?)`},
		{[]string{"run", "-u", "abc"}, `soak run: invalid value "abc" for -u (--users): not a whole number`},
		{[]string{"run", "--users=1.5"}, `invalid value "1.5" for --users: not a whole number`},
		{[]string{"run", "-u", "5", "-u", "x"}, `invalid value "x" for -u (--users): not a whole number`},
		{[]string{"run", "--users", "99999999999999999999"}, `for --users: out of range for a whole number`},
		{[]string{"run", "-r", "fast"}, `invalid value "fast" for -r (--spawn-rate): not a number`},
		{[]string{"run", "--headless=maybe"}, `invalid value "maybe" for --headless: not true or false`},
		{[]string{"run", "-t"}, `flag needs an argument: -t (--duration)`},
		{[]string{"run", "--duration", "3x"}, `invalid value "3x" for --duration: "3x": not a duration`},
		{[]string{"run", "-L", "LOUD"}, `invalid value "LOUD" for -L (--loglevel): not a level: DEBUG, INFO (the default), WARNING, ERROR or CRITICAL`},
		{[]string{"run", "--exit-code-on-error", "3"}, `3 means something else to soak (2 usage, 3 target missed, 4 unstable, 5 reserved): choose 0, 1 or 6-125`},
		{[]string{"run", "--exit-code-on-error", "256"}, `256 is not an exit code soak can give`},
		{[]string{"run", "--exit-code-on-error", "one"}, `invalid value "one" for --exit-code-on-error: not a whole number`},
		{[]string{"run", host, "--reset-stats"}, `--reset-stats: soak keeps every request and needs no reset: its report judges the steady state apart from the ramp-up (the warm-up phase, --settle); see docs/locust.md#flags`},
		{[]string{"capacity", host, "--exit-code-on-error", "1"}, `--exit-code-on-error: soak capacity's steps fail on purpose`},
		{[]string{"validate", "--data-dri", "x"}, `flag provided but not defined: --data-dri (did you mean "--data-dir"?)`},
	} {
		code, stdout, stderr := inProcess(t, nil, tc.args...)
		if code != exitUsage || !strings.Contains(stderr, tc.want) || stdout != "" {
			t.Errorf("soak %q: exit %d\n got %s\nwant ...%s...", tc.args, code, stderr, tc.want)
		}
	}
}

// TestLocustFlagsAccepted: -H is --host; -L and --only-summary set the
// live view's verbosity; --exit-code-on-error keeps its code.
func TestLocustFlagsAccepted(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want live.Verbosity
	}{
		{nil, live.Everything},
		{[]string{"-L", "debug"}, live.Everything},
		{[]string{"--loglevel", "INFO"}, live.Everything},
		{[]string{"--only-summary"}, live.NoFigures},
		{[]string{"-L", "Warning", "--only-summary"}, live.WarningsOnly},
		{[]string{"-L", "WARN"}, live.WarningsOnly},
		{[]string{"--loglevel=CRITICAL"}, live.WarningsOnly},
	} {
		var o runOptions
		args := append([]string{"-H", "http://127.0.0.1:9", "--exit-code-on-error", "7", "--headless"}, tc.args...)
		if err := o.parseRunFlags("run", args); err != nil {
			t.Fatalf("%q: %v", args, err)
		}
		if err := o.checkFlags(); err != nil {
			t.Fatalf("%q: %v", args, err)
		}
		if o.host != "http://127.0.0.1:9" || o.locust.verbosity() != tc.want || o.locust.exitOnError != (exitCodeFlag{7, true}) {
			t.Errorf("%q: host %q verbosity %d exit %+v", args, o.host, o.locust.verbosity(), o.locust.exitOnError)
		}
	}
}

// failedRun is a result whose verdict is 0 with n failed requests.
func failedRun(n int64) *analysis.Result {
	st := engine.Stat{Method: "GET", Name: "/x", Requests: 100}
	st.Kinds[engine.KindStatus5xx] = n
	return &analysis.Result{Engine: &engine.Result{Total: &engine.Interval{Stats: []engine.Stat{st}}}}
}

// TestExitCodeOnError: a run that met every target exits N when it had
// a failed request, 0 without one; a missed target, an unstable service
// and an interruption keep their codes; the summary's last line says why.
func TestExitCodeOnError(t *testing.T) {
	for _, tc := range []struct {
		set           bool
		n, failed     int64
		verdict, want int
		replaced      bool
	}{
		{true, 7, 3, exitOK, 7, true},
		{true, 1, 1, exitOK, 1, true},
		{true, 7, 0, exitOK, exitOK, false},
		{true, 7, 3, exitTargetMissed, exitTargetMissed, false},
		{true, 7, 3, exitUnstable, exitUnstable, false},
		{true, 0, 3, exitOK, exitOK, false},
		{false, 0, 3, exitOK, exitOK, false},
	} {
		l := locustFlags{exitOnError: exitCodeFlag{int(tc.n), tc.set}}
		if got := l.exitCode(failedRun(tc.failed), tc.verdict); got != tc.want || l.replaced != tc.replaced {
			t.Errorf("%+v: exit %d replaced %v", tc, got, l.replaced)
		}
	}
	l := locustFlags{exitOnError: exitCodeFlag{7, true}}
	r := failedRun(1)
	l.exitCode(r, exitOK)
	if got := l.replacedLine(r); got != "exit 7: 1 request failed (--exit-code-on-error 7); every target met otherwise" {
		t.Errorf("summary line %q", got)
	}
}

// TestLocustfileGivenAsScenario: a locustfile given to -f (a .py file,
// or Python that imports locust under another name) is refused with
// exit 2, never run: stderr says soak reads YAML or Go and names
// docs/locust.md's section, and stdout holds the scenario sketched from
// it, which is YAML. soak validate does the same.
func TestLocustfileGivenAsScenario(t *testing.T) {
	src, err := os.ReadFile("../../docs/scenarios/locustfile.py")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	py := filepath.Join(dir, "locustfile.py")
	txt := filepath.Join(dir, "load.txt")
	os.WriteFile(py, src, 0o644)
	os.WriteFile(txt, src, 0o644)
	tg := newCountingTarget(t)
	for _, tc := range []struct {
		args []string
		flag string
	}{
		{[]string{"-f", py, "-H", tg.URL, "-u", "1", "-t", "1s"}, "-f " + py},
		{[]string{"run", "--scenario", txt, "--host", tg.URL}, "--scenario " + txt},
		{[]string{"validate", py}, py},
	} {
		code, stdout, stderr := inProcess(t, nil, tc.args...)
		want := tc.flag + ": soak reads YAML scenarios or Go, not Python: see docs/locust.md#porting-a-locustfile. " +
			"The scenario soak sketched from its classes is on stdout: save it (soak -f "
		if code != exitUsage || !strings.Contains(stderr, want) {
			t.Errorf("soak %q: exit %d, stderr:\n%s", tc.args, code, stderr)
		}
		if !strings.Contains(stdout, `- name: "AuthenticatedUser"`) || !strings.Contains(stdout, "status: 401") {
			t.Errorf("soak %q: stdout is not the sketch:\n%s", tc.args, stdout)
		}
		if _, err := parser.ParseBytes([]byte(stdout), 0); err != nil {
			t.Errorf("soak %q: the sketch is not YAML: %v", tc.args, err)
		}
	}
	tg.untouched(t, "a locustfile")
	// Python soak cannot sketch from: the message without a sketch.
	os.WriteFile(py, []byte("import locust\nprint('hi')\n"), 0o644)
	code, stdout, stderr := inProcess(t, nil, "-f", py, "-H", tg.URL)
	if code != exitUsage || stdout != "" || !strings.Contains(stderr, "(no user class to sketch a scenario from: class Name(HttpUser))") {
		t.Errorf("no class: exit %d\n%s%s", code, stdout, stderr)
	}
}

// TestOnlySummaryRun: a run with --only-summary and --exit-code-on-error
// against a service that fails every fourth request: stderr has the
// headline and no figures, the outputs list all four CSVs, and the exit
// code is the flag's, said by the summary's last line. The failures are
// steady (every window a quarter), so the error-rate detector finds no
// trend, and the error-rate target is off: the verdict is 0.
func TestOnlySummaryRun(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1)%4 == 0 {
			http.Error(w, "boom", http.StatusInternalServerError)
			return
		}
		io.WriteString(w, `{}`)
	}))
	defer srv.Close()
	dir := t.TempDir()
	code, stdout, stderr := inProcess(t, nil, "-H", srv.URL, "--url", "/x", "-u", "2", "-t", "2s", "--wait", "20ms",
		"--out", filepath.Join(dir, "out"), "--probe-optional", "--only-summary", "--exit-code-on-error", "9", "--max-error-rate", "off", "--min-rps", "off")
	if !strings.Contains(stderr, "run ") || strings.Contains(stderr, "elapsed") {
		t.Errorf("stderr with --only-summary:\n%s", stderr)
	}
	if !strings.Contains(stdout, "soak_stats.csv soak_stats_history.csv soak_failures.csv soak_exceptions.csv") {
		t.Errorf("outputs line:\n%s", stdout)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	last := strings.TrimSpace(lines[len(lines)-1])
	if code != 9 || !strings.HasPrefix(last, "exit 9: ") || !strings.HasSuffix(last, "failed (--exit-code-on-error 9); every target met otherwise") {
		t.Errorf("exit %d, last line %q\n%s", code, last, stdout)
	}
}

// FuzzFlagError parses arbitrary command lines with the run flags: the
// error, reworded from package flag's, never panics, and names a flag the
// way the line spells it.
func FuzzFlagError(f *testing.F) {
	for _, s := range []string{"--userz 5", "-u abc", "-t", "--users=1.5 -u x", `--exit-code-on-error "3"`, "-L LOUD --", "---x", "-=", "--headless=maybe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		args := strings.Fields(line)
		var o runOptions
		err := o.parseRunFlags("run", args)
		if err == nil || errors.Is(err, flag.ErrHelp) {
			return
		}
		msg := err.Error()
		if strings.Contains(msg, "flag provided but not defined: ") {
			_, name, _ := strings.Cut(msg, "defined: ")
			name, _, _ = strings.Cut(name, " (did you mean")
			if !slices.Contains(args, name) && !slices.ContainsFunc(args, func(a string) bool { return strings.HasPrefix(a, name+"=") }) {
				t.Fatalf("%q: error names %q, which the line does not spell", line, name)
			}
		}
	})
}
