package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/soaklab/soak/cmd/soak/internal/k8s"
)

// k8sOptions are soak k8s's flags; the run flags come after "--".
type k8sOptions struct {
	k8s.Options
	out string // -o: the file to write instead of stdout
}

func (k *k8sOptions) register(fs *flag.FlagSet) {
	fs.StringVar(&k.Image, "image", "", "")
	fs.StringVar(&k.NATS, "nats", "", "")
	fs.IntVar(&k.Expect, "expect", 0, "")
	fs.StringVar(&k.Name, "name", k8s.DefaultName, "")
	fs.StringVar(&k.Namespace, "namespace", "", "")
	fs.StringVar(&k.CPU, "cpu", k8s.DefaultCPU, "")
	fs.StringVar(&k.Memory, "memory", k8s.DefaultMemory, "")
	fs.StringVar(&k.CoordinatorCPU, "coordinator-cpu", k8s.DefaultCoordinatorCPU, "")
	fs.StringVar(&k.CoordinatorMemory, "coordinator-memory", k8s.DefaultCoordinatorMemory, "")
	fs.StringVar(&k.NATSSecret, "nats-token-secret", "", "")
	fs.StringVar(&k.ProbeSecret, "probe-token-secret", "", "")
	fs.StringVar(&k.ResultsClaim, "results-claim", "", "")
	fs.StringVar(&k.out, "o", "", "")
}

const k8sUsage = `Usage: soak k8s --image IMAGE --nats URL --expect N [flags] -- RUN FLAGS

Writes the Kubernetes manifests of a distributed run (docs/distributed.md) on
stdout, for kubectl apply -f -: a ConfigMap with the scenario and its data
files, an Indexed Job of N workers (soak worker; completion index i takes part
i+1 of the plan) and a Job for the coordinator (soak run RUN FLAGS --workers
URL --expect N), which waits for the workers, reads the probes and writes the
report under /results. The run flags are checked here as soak run checks
them; --scenario names a local file, put in the ConfigMap.

Kubernetes flags:
  --image IMAGE            a container image with soak as its entry point (required)
  --nats URL               the NATS server with JetStream, as the pods reach it (required)
  --expect N               how many workers (required)
  --name NAME              the objects' name prefix and the NATS job (default soak)
  --namespace NS           the objects' namespace (default: kubectl's)
  --cpu Q, --memory Q      each worker's resource requests (default 1 and 512Mi; memory is also
                           its limit)
  --coordinator-cpu Q, --coordinator-memory Q
                           the coordinator's (default 500m and 512Mi)
  --nats-token-secret S    a Secret whose key "token" holds the NATS token (as $SOAK_NATS_TOKEN)
  --probe-token-secret S   a Secret whose key "token" holds the probes' token ($SOAK_PROBE_TOKEN)
  --results-claim PVC      keep the coordinator's results directory on this
                           PersistentVolumeClaim (default: an emptyDir, gone with the pod;
                           soak report --nats rebuilds the intervals from the stream)
  -o FILE                  write the manifests to FILE instead of stdout

Examples:
  soak k8s --image registry.example/soak:1 --nats nats://nats.nats:4222 --expect 4 \
      -- --scenario soak.yaml --host http://checkout.shop:8080 --allow-remote -u 2000 -r 50 -t 30m \
      --probe http://checkout.shop:6061 | kubectl apply -f -
`

func (c *cli) cmdK8s(ctx context.Context, args []string) (int, error) {
	k := k8sOptions{Options: k8s.Options{NATSTokenEnv: NATSTokenEnv, ProbeTokenEnv: ProbeTokenEnv}}
	fs := newFlagSet("k8s")
	k.register(fs)
	runArgs, err := parse(fs, args)
	if err != nil {
		return exitUsage, err
	}
	if err := k.Check(); err != nil {
		return exitUsage, asUsage(err)
	}
	if err := checkNATSURL("--nats", k.NATS); err != nil {
		return exitUsage, err
	}
	objs, err := c.manifests(ctx, &k, runArgs)
	if err != nil {
		return exitUsage, err
	}
	b, err := k.Encode(objs)
	if err != nil {
		return exitError, err
	}
	if k.out != "" {
		return exitOK, os.WriteFile(k.out, b, 0o644)
	}
	_, err = c.stdout.Write(b)
	return exitOK, err
}

// manifests checks the run flags as soak run would and builds the
// objects.
func (c *cli) manifests(ctx context.Context, k *k8sOptions, runArgs []string) ([]any, error) {
	var o runOptions
	if err := o.parseRunFlags("run", runArgs, &o.fleet); err != nil {
		return nil, fmt.Errorf("the run flags: %w", err)
	}
	for _, own := range []string{"workers", "expect", "segments", "segment", "job", "out", "data-dir"} {
		if o.given(own) {
			return nil, usagef("the run flags hold --%s: soak k8s sets it (or, for --data-dir, the scenario's data must lie in its directory)", own)
		}
	}
	for _, secret := range []string{"probe-token", "nats-token"} {
		if o.given(secret) {
			return nil, usagef("the run flags hold --%s: a manifest is no place for a secret; use --%s-secret", secret, secret)
		}
	}
	// As the coordinator will check them, with the bundle read here.
	o.fleet.workers, o.fleet.expect, o.fleet.job = k.NATS, k.Expect, k.Name
	if err := o.fleet.check(o.given); err != nil {
		return nil, err
	}
	sc, err := o.loadScenario(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := c.newJob("run", &o, sc, nil); err != nil {
		return nil, err
	}
	objs, err := k.Manifests(k8s.Run{Args: runArgs, Bundle: o.fleet.bundle, AllowRemote: o.allowRemote})
	return objs, asUsage(err)
}
