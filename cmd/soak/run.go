package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/soaklab/soak/cmd/soak/internal/outpath"
	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/analysis"
	"github.com/soaklab/soak/engine/scenario"
	"github.com/soaklab/soak/internal/redact"
)

// preflightTimeout bounds the check that the host answers before a run.
const preflightTimeout = 5 * time.Second

func (c *cli) cmdRun(ctx context.Context, args []string) (int, error) {
	var o runOptions
	if err := o.parseRunFlags("run", args, &o.fleet); err != nil {
		return exitUsage, err
	}
	if err := o.fleet.check(o.given); err != nil {
		return exitUsage, err
	}
	if err := o.web.check(c.getenv, o.given); err != nil {
		return exitUsage, err
	}
	if err := o.checkOutputs(); err != nil {
		return exitUsage, err
	}
	pctx, cancel := c.preparing(ctx)
	defer cancel()
	sc, err := o.loadScenario(pctx)
	if err != nil {
		return prepared(pctx, exitUsage, err)
	}
	j, err := c.newJob("run", &o, sc, nil)
	if err != nil {
		return prepared(pctx, exitUsage, err)
	}
	j.plan.Segment = o.fleet.segment.S
	if o.fleet.coordinating() {
		return c.coordinate(ctx, &o, j) // the workers check the host
	}
	if err := preflight(pctx, j.plan.Host); err != nil {
		return prepared(pctx, exitError, err)
	}
	if err := c.checkProbes(pctx, j); err != nil {
		return prepared(pctx, exitUsage, err)
	}
	c.warnPlan(j)
	return c.execute(ctx, j)
}

// loadScenario reads --scenario (its data files from its directory and
// --data-dir), or builds quick mode from --url. A done ctx stops the
// parse; the error then is not a usage error.
func (o *runOptions) loadScenario(ctx context.Context) (*scenario.Scenario, error) {
	if o.scenario == "" {
		paths := o.urls.Values
		if len(paths) == 0 {
			paths = []string{"/"}
		}
		sc, err := scenario.Quick(paths...)
		if err != nil {
			return nil, asUsage(err) // its problems name --url
		}
		return sc, nil
	}
	if len(o.urls.Values) > 0 {
		return nil, usagef("--url and --scenario: --url is quick mode without a scenario file; put the paths in the scenario")
	}
	if err := checkDataDirs(o.dataDirs.Values); err != nil {
		return nil, err
	}
	flag := "--scenario"
	if o.set["f"] {
		flag = "-f"
	}
	if strings.EqualFold(filepath.Ext(o.scenario), ".py") {
		return nil, asUsage(readLocustfile(flag, o.scenario))
	}
	sc, err := o.fleet.load(ctx, o.scenario, scenario.LoadOptions{DataDirs: o.dataDirs.Values})
	if err != nil && errors.Is(err, scenario.ErrInvalid) {
		if isLocustfile(o.scenario) {
			return nil, asUsage(readLocustfile(flag, o.scenario))
		}
		return nil, asUsage(err)
	}
	return sc, err
}

// checkDataDirs refuses a --data-dir that is not a directory, before
// the scenario that would read from it.
func checkDataDirs(dirs []string) error {
	for _, d := range dirs {
		fi, err := os.Stat(d)
		switch {
		case err != nil:
			return usagef("--data-dir %s: %v", d, outpath.Pathless(err))
		case !fi.IsDir():
			return usagef("--data-dir %s: not a directory", d)
		}
	}
	return nil
}

// newJob builds the job of a run or demo from the flags and the scenario.
// handler, when set, is served in process (the demo); otherwise the host
// comes from --host or the scenario.
func (c *cli) newJob(mode string, o *runOptions, sc *scenario.Scenario, handler http.Handler) (*job, error) {
	if err := o.checkFlags(); err != nil {
		return nil, err
	}
	opts := scenario.Options{Host: o.host, Handler: handler, AllowRemote: o.allowRemote, Duration: o.duration.D, MaxRPS: o.maxRPS.PerSecond}
	if handler == nil {
		host, flagName := o.host, "host"
		if host == "" {
			host, flagName = sc.Host, "host (from "+sc.File+")"
		}
		if host == "" {
			return nil, usagef("no host: give --host URL (or host: in the scenario)")
		}
		if err := checkHost(flagName, host, o.allowRemote); err != nil {
			return nil, err
		}
	}
	load, err := o.loadFrom(sc.Load)
	if err != nil {
		return nil, err
	}
	opts.Load = load
	switch {
	case !o.duration.IsSet && o.stages.Len() > 0:
		// --stages on the command line are the whole run, as in k6,
		// whatever duration the scenario (or the demo's seed) states.
		opts.Duration = o.stages.Total()
	case !o.duration.IsSet && sc.Duration == 0 && engine.StagesDuration(load) == 0:
		opts.Duration = defaultDuration
	}
	if o.wait.IsSet {
		opts.Wait = o.wait.W
		if opts.Wait == nil {
			opts.Wait = engine.Constant{} // --wait none
		}
	}
	plan, err := sc.Plan(opts)
	if err != nil {
		return nil, asUsage(err)
	}
	o.applyPlan(&plan)
	if err := o.applyWeights(&plan); err != nil {
		return nil, err
	}
	if err := plan.Validate(); err != nil {
		return nil, asUsage(err)
	}
	if err := c.prepareBaseline(mode, o, plan); err != nil {
		return nil, err
	}
	sources, err := c.sources(o)
	if err != nil {
		return nil, err
	}
	th := o.targets.apply(sc.Thresholds)
	if err := th.Validate(); err != nil {
		return nil, asUsage(err)
	}
	return &job{mode: mode, plan: plan, sources: sources, scenario: describeScenario(o, sc), opts: o, th: th,
		policy: o.targets.policy(analysis.Policy{}), failFast: o.failFast || sc.FailFast}, nil
}

// describeScenario says what the users do, for run.json.
func describeScenario(o *runOptions, sc *scenario.Scenario) string {
	if o.scenario != "" {
		return sc.File
	}
	if sc.Name != "" && len(o.urls.Values) == 0 && sc.File != "" {
		return sc.File
	}
	return fmt.Sprintf("quick mode: GET %v", o.urls.Values)
}

// preflight checks that something accepts connections at host, so that a
// service that is not running is a clear error in seconds, not a run of
// failures.
func preflight(ctx context.Context, host string) error {
	u, err := url.Parse(host)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err // interrupted: no connection is made
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	addr := net.JoinHostPort(u.Hostname(), port)
	d := net.Dialer{Timeout: preflightTimeout}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		var ne net.Error
		why := err.Error()
		if errors.As(err, &ne) && ne.Timeout() {
			why = fmt.Sprintf("no answer within %v", preflightTimeout)
		}
		return fmt.Errorf("--host %s: nothing answers at %s (%s); is the service running?", redact.URL(host), addr, why)
	}
	return conn.Close()
}
