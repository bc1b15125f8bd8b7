package k8s

import (
	"bytes"
	"fmt"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/goccy/go-yaml"

	"github.com/soaklab/soak/engine/scenario"
)

// Where the pods find what soak k8s gives them.
const (
	// maxConfigMap is what a ConfigMap may hold (Kubernetes refuses an
	// object over 1 MiB), less room for its own fields.
	maxConfigMap    = 1<<20 - 16<<10
	scenarioMount   = "/etc/soak/scenario"
	resultsMount    = "/results"
	completionIndex = "metadata.annotations['batch.kubernetes.io/job-completion-index']"
)

// Run is what the coordinator runs: soak run with the run flags, checked
// by cmd/soak as soak run checks them.
type Run struct {
	Args        []string         // the run flags, as given after "--"
	Bundle      *scenario.Bundle // the scenario and its data files as read; nil without --scenario
	AllowRemote bool             // --allow-remote was given: the workers get it too
}

// Manifests returns the objects of a distributed run: the ConfigMap with
// the scenario and its data (when there is a scenario), the coordinator's
// Job and the workers' Indexed Job, in that order. It refuses a data file
// outside the scenario's directory and a bundle over what a ConfigMap
// holds (1 MiB).
func (k *Options) Manifests(run Run) ([]any, error) {
	cm := k8sConfigMap{APIVersion: "v1", Kind: "ConfigMap", Metadata: k.meta("-scenario", "scenario")}
	var items []k8sKeyRef
	coordArgs := append([]string{"run"}, run.Args...)
	if b := run.Bundle; b != nil {
		base := filepath.Base(b.Name)
		files := []struct {
			rel  string
			data []byte
		}{{base, b.Scenario}}
		for _, f := range b.Data {
			if filepath.IsAbs(f.Name) || !filepath.IsLocal(f.Name) {
				return nil, fmt.Errorf("--scenario %s: data file %q lies outside the scenario's directory; soak k8s mounts the scenario's directory only", b.Name, f.Name)
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
			return nil, fmt.Errorf("--scenario %s: the scenario and its data hold %d bytes; a ConfigMap holds at most 1 MiB: put them on a volume of your own", b.Name, size)
		}
		coordArgs = rewriteScenario(coordArgs, path.Join(scenarioMount, base))
	}
	coordArgs = append(coordArgs, "--workers", k.NATS, "--expect", strconv.Itoa(k.Expect), "--job", k.Name)
	workerArgs := []string{"worker", "--nats", k.NATS, "--job", k.Name, "--index", "$(SOAK_INDEX)", "--name", "$(POD_NAME)"}
	if run.AllowRemote {
		workerArgs = append(workerArgs, "--allow-remote")
	}
	objs := []any{}
	coord := k.job("-coordinator", "coordinator", 1, coordArgs, k.CoordinatorCPU, k.CoordinatorMemory)
	pod := &coord.Spec.Template.Spec
	pod.Containers[0].WorkingDir = resultsMount
	pod.Containers[0].VolumeMounts = append(pod.Containers[0].VolumeMounts, k8sMount{Name: "results", MountPath: resultsMount})
	results := k8sVolume{Name: "results", EmptyDir: &struct{}{}}
	if k.ResultsClaim != "" {
		results = k8sVolume{Name: "results", PVC: &k8sPVCVolume{ClaimName: k.ResultsClaim}}
	}
	pod.Volumes = append(pod.Volumes, results)
	if k.ProbeSecret != "" {
		pod.Containers[0].Env = append(pod.Containers[0].Env, k8sEnv{Name: k.ProbeTokenEnv,
			ValueFrom: &k8sEnvSource{SecretKeyRef: &k8sSecretRef{Name: k.ProbeSecret, Key: "token"}}})
	}
	if len(items) > 0 {
		objs = append(objs, cm)
		pod.Containers[0].VolumeMounts = append(pod.Containers[0].VolumeMounts, k8sMount{Name: "scenario", MountPath: scenarioMount, ReadOnly: true})
		pod.Volumes = append(pod.Volumes, k8sVolume{Name: "scenario", ConfigMap: &k8sCMVolume{Name: cm.Metadata.Name, Items: items}})
	}
	workers := k.job("-workers", "worker", k.Expect, workerArgs, k.CPU, k.Memory)
	workers.Spec.CompletionMode = "Indexed"
	workers.Spec.BackoffLimit = k.Expect
	wc := &workers.Spec.Template.Spec.Containers[0]
	wc.Env = append(wc.Env,
		k8sEnv{Name: "SOAK_INDEX", ValueFrom: &k8sEnvSource{FieldRef: &k8sFieldRef{FieldPath: completionIndex}}},
		k8sEnv{Name: "POD_NAME", ValueFrom: &k8sEnvSource{FieldRef: &k8sFieldRef{FieldPath: "metadata.name"}}})
	return append(objs, coord, workers), nil
}

// Encode writes objs as one YAML stream for kubectl apply -f -, after a
// comment line saying what it is.
func (k *Options) Encode(objs []any) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# soak k8s: a distributed run of %d workers; kubectl apply -f this file.\n", k.Expect)
	for _, o := range objs {
		y, err := yaml.Marshal(o)
		if err != nil {
			return nil, err
		}
		b.WriteString("---\n")
		b.Write(y)
	}
	return b.Bytes(), nil
}

// job is a Job of n pods running soak with args.
func (k *Options) job(suffix, component string, n int, args []string, cpu, memory string) *k8sJob {
	c := k8sContainer{Name: "soak", Image: k.Image, Args: args,
		Resources: k8sResources{Requests: map[string]string{"cpu": cpu, "memory": memory}, Limits: map[string]string{"memory": memory}},
		Security:  &k8sSecContext{}}
	if k.NATSSecret != "" {
		c.Env = append(c.Env, k8sEnv{Name: k.NATSTokenEnv,
			ValueFrom: &k8sEnvSource{SecretKeyRef: &k8sSecretRef{Name: k.NATSSecret, Key: "token"}}})
	}
	meta := k.meta(suffix, component)
	return &k8sJob{APIVersion: "batch/v1", Kind: "Job", Metadata: meta, Spec: k8sJobSpec{
		Completions: n, Parallelism: n,
		Template: k8sPodTemplate{Metadata: k8sMeta{Name: meta.Name, Labels: meta.Labels},
			Spec: k8sPodSpec{RestartPolicy: "Never", Containers: []k8sContainer{c}}},
	}}
}

func (k *Options) meta(suffix, component string) k8sMeta {
	return k8sMeta{Name: k.Name + suffix, Namespace: k.Namespace, Labels: map[string]string{
		"app.kubernetes.io/name": "soak", "app.kubernetes.io/instance": k.Name, "app.kubernetes.io/component": component}}
}

// rewriteScenario returns args with --scenario (or -f) pointing at file,
// in whichever spelling args use (--scenario F, -f=F, ...).
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
