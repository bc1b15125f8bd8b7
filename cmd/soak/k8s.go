package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/goccy/go-yaml"

	"github.com/soaklab/soak/engine/natsfleet"
)

// Bounds and defaults of soak k8s.
const (
	// maxConfigMap is what a ConfigMap may hold (Kubernetes refuses an
	// object over 1 MiB), less room for its own fields.
	maxConfigMap    = 1<<20 - 16<<10
	scenarioMount   = "/etc/soak/scenario"
	resultsMount    = "/results"
	defaultK8sName  = "soak"
	defaultCPU      = "1"
	defaultMemory   = "512Mi"
	coordinatorCPU  = "500m"
	coordinatorMem  = "512Mi"
	completionIndex = "metadata.annotations['batch.kubernetes.io/job-completion-index']"
)

// k8sOptions are soak k8s's flags; the run flags come after "--".
type k8sOptions struct {
	image, nats, name, namespace  string
	expect                        int
	cpu, memory, coordCPU, coordM string
	natsSecret, probeSecret       string
	resultsClaim, out             string
}

func (k *k8sOptions) register(fs *flag.FlagSet) {
	fs.StringVar(&k.image, "image", "", "")
	fs.StringVar(&k.nats, "nats", "", "")
	fs.IntVar(&k.expect, "expect", 0, "")
	fs.StringVar(&k.name, "name", defaultK8sName, "")
	fs.StringVar(&k.namespace, "namespace", "", "")
	fs.StringVar(&k.cpu, "cpu", defaultCPU, "")
	fs.StringVar(&k.memory, "memory", defaultMemory, "")
	fs.StringVar(&k.coordCPU, "coordinator-cpu", coordinatorCPU, "")
	fs.StringVar(&k.coordM, "coordinator-memory", coordinatorMem, "")
	fs.StringVar(&k.natsSecret, "nats-token-secret", "", "")
	fs.StringVar(&k.probeSecret, "probe-token-secret", "", "")
	fs.StringVar(&k.resultsClaim, "results-claim", "", "")
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
	var k k8sOptions
	fs := newFlagSet("k8s")
	k.register(fs)
	runArgs, err := parse(fs, args)
	if err != nil {
		return exitUsage, err
	}
	if err := k.check(); err != nil {
		return exitUsage, err
	}
	objs, err := c.manifests(ctx, &k, runArgs)
	if err != nil {
		return exitUsage, err
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "# soak k8s: a distributed run of %d workers; kubectl apply -f this file.\n", k.expect)
	for _, o := range objs {
		y, err := yaml.Marshal(o)
		if err != nil {
			return exitError, err
		}
		b.WriteString("---\n")
		b.Write(y)
	}
	if k.out != "" {
		return exitOK, os.WriteFile(k.out, b.Bytes(), 0o644)
	}
	_, err = c.stdout.Write(b.Bytes())
	return exitOK, err
}

// k8sName is a DNS-1123 label short enough for the objects' suffixes.
var k8sName = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?$`)

// quantity is a Kubernetes resource quantity as soak accepts one.
var quantity = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$`)

func (k *k8sOptions) check() error {
	switch {
	case k.image == "":
		return usagef("--image is required: a container image with soak as its entry point")
	case k.nats == "":
		return usagef("--nats is required: the NATS server (with JetStream) as the pods reach it")
	case k.expect < 1 || k.expect > 1000:
		return usagef("--expect %d: from 1 to 1000 workers", k.expect)
	case !k8sName.MatchString(k.name):
		return usagef("--name %q: 1-40 lower-case letters, digits and -, starting and ending with one of the first two", k.name)
	case k.namespace != "" && !k8sName.MatchString(k.namespace):
		return usagef("--namespace %q: lower-case letters, digits and -", k.namespace)
	}
	for _, q := range []struct{ flag, v string }{{"cpu", k.cpu}, {"memory", k.memory}, {"coordinator-cpu", k.coordCPU}, {"coordinator-memory", k.coordM}} {
		if !quantity.MatchString(q.v) {
			return usagef("--%s %q: a Kubernetes quantity such as 500m, 1, 512Mi or 2Gi", q.flag, q.v)
		}
	}
	for _, s := range []struct{ flag, v string }{{"nats-token-secret", k.natsSecret}, {"probe-token-secret", k.probeSecret}, {"results-claim", k.resultsClaim}} {
		if s.v != "" && !regexp.MustCompile(`^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$`).MatchString(s.v) {
			return usagef("--%s %q: not a Kubernetes object name", s.flag, s.v)
		}
	}
	if strings.Contains(k.nats, "@") {
		return usagef("--nats %s: a manifest is no place for credentials; use --nats-token-secret", natsfleet.Redact(k.nats))
	}
	return checkNATSURL("--nats", k.nats)
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
	o.fleet.workers, o.fleet.expect, o.fleet.job = k.nats, k.expect, k.name
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
	cm := k8sConfigMap{APIVersion: "v1", Kind: "ConfigMap", Metadata: k.meta("-scenario", "scenario")}
	var items []k8sKeyRef
	coordArgs := append([]string{"run"}, runArgs...)
	if b := o.fleet.bundle; b != nil {
		base := filepath.Base(b.Name)
		files := []struct {
			rel  string
			data []byte
		}{{base, b.Scenario}}
		for _, f := range b.Data {
			if filepath.IsAbs(f.Name) || !filepath.IsLocal(f.Name) {
				return nil, usagef("--scenario %s: data file %q lies outside the scenario's directory; soak k8s mounts the scenario's directory only", b.Name, f.Name)
			}
			files = append(files, struct {
				rel  string
				data []byte
			}{filepath.ToSlash(filepath.Clean(f.Name)), f.Data})
		}
		size := 0
		for i, f := range files {
			key := "file-" + strconv.Itoa(i)
			items = append(items, k8sKeyRef{Key: key, Path: f.rel})
			size += len(f.data)
			if utf8.Valid(f.data) {
				if cm.Data == nil {
					cm.Data = map[string]string{}
				}
				cm.Data[key] = string(f.data)
			} else {
				if cm.BinaryData == nil {
					cm.BinaryData = map[string][]byte{}
				}
				cm.BinaryData[key] = f.data
			}
		}
		if size > maxConfigMap {
			return nil, usagef("--scenario %s: the scenario and its data hold %d bytes; a ConfigMap holds at most 1 MiB: put them on a volume of your own", b.Name, size)
		}
		coordArgs = rewriteScenario(coordArgs, path.Join(scenarioMount, base))
	}
	coordArgs = append(coordArgs, "--workers", k.nats, "--expect", strconv.Itoa(k.expect), "--job", k.name)
	workerArgs := []string{"worker", "--nats", k.nats, "--job", k.name, "--index", "$(SOAK_INDEX)", "--name", "$(POD_NAME)"}
	if o.allowRemote {
		workerArgs = append(workerArgs, "--allow-remote")
	}
	objs := []any{}
	coord := k.job("-coordinator", "coordinator", 1, coordArgs, k.coordCPU, k.coordM)
	pod := &coord.Spec.Template.Spec
	pod.Containers[0].WorkingDir = resultsMount
	pod.Containers[0].VolumeMounts = append(pod.Containers[0].VolumeMounts, k8sMount{Name: "results", MountPath: resultsMount})
	results := k8sVolume{Name: "results", EmptyDir: &struct{}{}}
	if k.resultsClaim != "" {
		results = k8sVolume{Name: "results", PVC: &k8sPVCVolume{ClaimName: k.resultsClaim}}
	}
	pod.Volumes = append(pod.Volumes, results)
	if k.probeSecret != "" {
		pod.Containers[0].Env = append(pod.Containers[0].Env, k8sEnv{Name: ProbeTokenEnv,
			ValueFrom: &k8sEnvSource{SecretKeyRef: &k8sSecretRef{Name: k.probeSecret, Key: "token"}}})
	}
	if len(items) > 0 {
		objs = append(objs, cm)
		pod.Containers[0].VolumeMounts = append(pod.Containers[0].VolumeMounts, k8sMount{Name: "scenario", MountPath: scenarioMount, ReadOnly: true})
		pod.Volumes = append(pod.Volumes, k8sVolume{Name: "scenario", ConfigMap: &k8sCMVolume{Name: cm.Metadata.Name, Items: items}})
	}
	workers := k.job("-workers", "worker", k.expect, workerArgs, k.cpu, k.memory)
	workers.Spec.CompletionMode = "Indexed"
	workers.Spec.BackoffLimit = k.expect
	wc := &workers.Spec.Template.Spec.Containers[0]
	wc.Env = append(wc.Env,
		k8sEnv{Name: "SOAK_INDEX", ValueFrom: &k8sEnvSource{FieldRef: &k8sFieldRef{FieldPath: completionIndex}}},
		k8sEnv{Name: "POD_NAME", ValueFrom: &k8sEnvSource{FieldRef: &k8sFieldRef{FieldPath: "metadata.name"}}})
	return append(objs, coord, workers), nil
}

// job is a Job of n pods running soak with args.
func (k *k8sOptions) job(suffix, component string, n int, args []string, cpu, memory string) *k8sJob {
	c := k8sContainer{Name: "soak", Image: k.image, Args: args,
		Resources: k8sResources{Requests: map[string]string{"cpu": cpu, "memory": memory}, Limits: map[string]string{"memory": memory}},
		Security:  &k8sSecContext{}}
	if k.natsSecret != "" {
		c.Env = append(c.Env, k8sEnv{Name: NATSTokenEnv,
			ValueFrom: &k8sEnvSource{SecretKeyRef: &k8sSecretRef{Name: k.natsSecret, Key: "token"}}})
	}
	meta := k.meta(suffix, component)
	return &k8sJob{APIVersion: "batch/v1", Kind: "Job", Metadata: meta, Spec: k8sJobSpec{
		Completions: n, Parallelism: n,
		Template: k8sPodTemplate{Metadata: k8sMeta{Name: meta.Name, Labels: meta.Labels},
			Spec: k8sPodSpec{RestartPolicy: "Never", Containers: []k8sContainer{c}}},
	}}
}

func (k *k8sOptions) meta(suffix, component string) k8sMeta {
	return k8sMeta{Name: k.name + suffix, Namespace: k.namespace, Labels: map[string]string{
		"app.kubernetes.io/name": "soak", "app.kubernetes.io/instance": k.name, "app.kubernetes.io/component": component}}
}

// rewriteScenario points --scenario (or -f) in args at file.
func rewriteScenario(args []string, file string) []string {
	out := append([]string(nil), args...)
	for i := 0; i < len(out); i++ {
		name, _, hasVal := strings.Cut(strings.TrimLeft(out[i], "-"), "=")
		if !strings.HasPrefix(out[i], "-") || (name != "scenario" && name != "f") {
			continue
		}
		if hasVal {
			out[i] = out[i][:strings.Index(out[i], "=")+1] + file
		} else if i+1 < len(out) {
			out[i+1] = file
			i++
		}
	}
	return out
}
