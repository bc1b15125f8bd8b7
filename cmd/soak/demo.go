package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"syscall"
	"time"

	"github.com/soaklab/soak/cmd/soak/internal/demo"
	"github.com/soaklab/soak/cmd/soak/internal/flagx"
	"github.com/soaklab/soak/cmd/soak/internal/outpath"
	"github.com/soaklab/soak/docs/scenarios"
	"github.com/soaklab/soak/engine/runner"
	"github.com/soaklab/soak/engine/scenario"
	"github.com/soaklab/soak/probe"
)

// Defaults of soak demo: the seed report's users and spawn rate, for two
// minutes of load.
const (
	demoUsers     = 200
	demoSpawnRate = 20
	demoDuration  = 2 * time.Minute
	// closeTimeout bounds stopping the demo service (its pool waits for
	// connections in use).
	closeTimeout = 10 * time.Second
)

// demoOptions are soak demo's own flags, beside the run flags.
type demoOptions struct {
	serve       bool
	addr        string
	adminAddr   string
	databaseURL flagx.Secret // a DSN may hold a password
	redisURL    flagx.Secret
	schema      string
	faults      flagx.List
}

func (d *demoOptions) register(fs *flag.FlagSet) {
	fs.BoolVar(&d.serve, "serve", false, "")
	fs.StringVar(&d.addr, "addr", demo.DefaultAddr, "")
	fs.StringVar(&d.adminAddr, "admin-addr", probe.DefaultAdminAddr, "")
	fs.Var(&d.databaseURL, "database-url", "")
	fs.Var(&d.redisURL, "redis-url", "")
	fs.StringVar(&d.schema, "schema", demo.DefaultSchema, "")
	fs.Var(&d.faults, "fault", "")
}

// Environment variables the demo reads when --database-url or --redis-url
// is not given, as most services are configured.
const (
	databaseURLEnv = "DATABASE_URL"
	redisURLEnv    = "REDIS_URL"
)

// fromEnv fills --database-url and --redis-url from $DATABASE_URL and
// $REDIS_URL when the flags were not given.
func (d *demoOptions) fromEnv(getenv func(string) string) {
	if v := getenv(databaseURLEnv); v != "" && !d.databaseURL.IsSet {
		d.databaseURL.SetValue(v)
	}
	if v := getenv(redisURLEnv); v != "" && !d.redisURL.IsSet {
		d.redisURL.SetValue(v)
	}
}

// config is the demo service's configuration.
func (d *demoOptions) config() demo.Config {
	return demo.Config{DatabaseURL: d.databaseURL.Value(), RedisURL: d.redisURL.Value(), Schema: d.schema,
		Faults: d.faults.Values}
}

func (c *cli) cmdDemo(ctx context.Context, args []string) (int, error) {
	var o runOptions
	var d demoOptions
	if err := o.parseRunFlags("demo", args, &d); err != nil {
		return exitUsage, err
	}
	if err := d.check(&o); err != nil {
		return exitUsage, err
	}
	if err := o.web.check(c.getenv, o.given); err != nil {
		return exitUsage, err
	}
	d.fromEnv(c.getenv)
	if !d.serve {
		if err := o.checkOutputs(); err != nil {
			return exitUsage, err
		}
	}
	// Until the load starts, the first Ctrl-C ends the demo at once.
	pctx, cancel := c.preparing(ctx)
	defer cancel()
	svc, err := demo.New(pctx, d.config())
	if err != nil {
		code := exitError
		if errors.Is(err, demo.ErrConfig) || errors.Is(err, demo.ErrUnknownFault) || errors.Is(err, demo.ErrFaultNeedsDatabase) {
			code = exitUsage
		}
		return prepared(pctx, code, demoFlagError(err))
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), closeTimeout)
		defer cancel()
		if err := svc.Close(cctx); err != nil {
			fmt.Fprintf(c.stderr, "soak demo: %v\n", err)
		}
	}()
	if d.serve {
		return c.serveDemo(ctx, svc, &d)
	}
	sc, err := c.demoScenario(pctx, &o)
	if err != nil {
		return prepared(pctx, exitUsage, err)
	}
	j, err := c.newJob("demo", &o, sc, svc.Handler())
	if err != nil {
		return prepared(pctx, exitUsage, err)
	}
	j.sources = []runner.Source{runner.InProcess(svc.Probe())}
	if j.scenario == scenarios.Seed {
		j.scenario = "built-in seed scenario (docs/scenarios/seed.yaml)"
	}
	c.warnPlan(j)
	return c.execute(ctx, j)
}

// check refuses the flags that make no sense for the demo.
func (d *demoOptions) check(o *runOptions) error {
	switch {
	case o.given("host"):
		return usagef("--host: soak demo serves its own service in process; to soak another one, use soak run --host")
	case o.given("probe", "probe-token"):
		return usagef("--probe: soak demo reads its service's probe in process; --probe is for soak run")
	case !d.serve && o.given("addr", "admin-addr"):
		return usagef("--addr and --admin-addr apply to --serve (the in-process soak uses a private loopback port)")
	}
	if d.serve {
		for name := range o.set {
			if !strings.Contains(" serve addr admin-addr database-url redis-url schema fault ", " "+name+" ") {
				return usagef("--%s: --serve only serves the demo; soak it with soak run from another terminal", name)
			}
		}
	}
	return nil
}

// demoFlagError names the flag behind a demo.Config error.
func demoFlagError(err error) error {
	msg := strings.NewReplacer("Config.DatabaseURL", "--database-url (or $DATABASE_URL)", "Config.RedisURL", "--redis-url (or $REDIS_URL)", "Config.Schema", "--schema",
		"Config.Faults", "--fault").Replace(err.Error())
	if errors.Is(err, demo.ErrUnknownFault) || errors.Is(err, demo.ErrFaultNeedsDatabase) {
		msg = "--fault: " + msg + " (faults: " + faultList() + ")"
	}
	e := errors.New(msg)
	if errors.Is(err, demo.ErrConfig) || errors.Is(err, demo.ErrUnknownFault) || errors.Is(err, demo.ErrFaultNeedsDatabase) {
		return &usageError{e}
	}
	return e
}

func faultList() string {
	var names []string
	for _, f := range demo.FaultNames() {
		names = append(names, f.Name)
	}
	return strings.Join(names, ", ")
}

// demoScenario is the embedded seed scenario, or --scenario / --url when
// given, with the demo's default load when no load flag is given.
func (c *cli) demoScenario(ctx context.Context, o *runOptions) (*scenario.Scenario, error) {
	if o.scenario != "" || len(o.urls.Values) > 0 {
		return o.loadScenario(ctx)
	}
	sc, err := scenario.LoadFS(scenarios.FS, scenarios.Seed)
	if err != nil {
		return nil, fmt.Errorf("the embedded seed scenario: %w", err)
	}
	sc.File = "docs/scenarios/" + scenarios.Seed // built in: the reports name the file in the repository
	if !o.given("users", "u", "rate", "stages") {
		o.users, o.set["users"] = demoUsers, true
		if !o.given("spawn-rate", "r") {
			o.spawnRate, o.set["spawn-rate"] = demoSpawnRate, true
		}
	}
	if !o.duration.IsSet && !o.stages.IsRate() && len(o.stages.Users) == 0 {
		o.duration = flagx.Duration{D: demoDuration, IsSet: true}
	}
	return sc, nil
}

// serveDemo serves the demo service and its probe on loopback until the
// first Ctrl-C (or ctx is cancelled), printing their URLs.
func (c *cli) serveDemo(ctx context.Context, svc *demo.Service, d *demoOptions) (int, error) {
	ctx, cancel := cancelOnStop(ctx, c.stop)
	defer cancel()
	srv, err := demo.Listen(svc, d.addr, d.adminAddr)
	if errors.Is(err, demo.ErrNotLoopback) {
		return exitUsage, usagef("--addr %s, --admin-addr %s: %v", d.addr, d.adminAddr, err)
	}
	if err != nil {
		return exitError, listenError(err)
	}
	fmt.Fprintf(c.stdout, "demo service: %s\nprobe admin:  %s\n", srv.URL(), srv.AdminURL())
	fmt.Fprintf(c.stdout, "Soak it from another terminal, then Ctrl-C here to stop it:\n"+
		"  soak run --host %s --scenario docs/scenarios/seed.yaml --duration 5m --probe %s\n", srv.URL(), srv.AdminURL())
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), closeTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return exitError, err
	}
	return exitOK, nil
}

// listenError words an address soak demo --serve could not bind as one
// line naming the flag that moves it: another process holding the port
// (often another soak demo, or a service on :8000 or a pprof listener
// on :6061), or another failure.
func listenError(err error) error {
	var le *demo.ListenError
	if !errors.As(err, &le) {
		return err
	}
	flag, port := "--addr", "18000"
	if le.Admin {
		flag, port = "--admin-addr", "16061"
	}
	if errors.Is(err, syscall.EADDRINUSE) {
		return fmt.Errorf("%s %s: the port is in use by another process; serve the demo elsewhere with %s 127.0.0.1:%s "+
			"(or 127.0.0.1:0 for any free port; --serve prints the one it took)", flag, le.Addr, flag, port)
	}
	return fmt.Errorf("%s %s: %v", flag, le.Addr, outpath.Pathless(le.Err))
}
