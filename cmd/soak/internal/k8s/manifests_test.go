package k8s

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/yaml"

	"github.com/soaklab/soak/engine/scenario"
)

// options are valid Options for 4 workers, as soak k8s's defaults give.
func options() Options {
	return Options{Image: "registry.example/soak:1", NATS: "nats://nats.nats:4222", Expect: 4, Name: DefaultName,
		CPU: DefaultCPU, Memory: DefaultMemory, CoordinatorCPU: DefaultCoordinatorCPU, CoordinatorMemory: DefaultCoordinatorMemory,
		NATSTokenEnv: "SOAK_NATS_TOKEN", ProbeTokenEnv: "SOAK_PROBE_TOKEN"}
}

// decodeStrict decodes one YAML document into v, a k8s.io/api type,
// refusing a field the type does not have: a misspelt field in soak's
// manifests fails here, as kubectl apply --validate=strict would.
func decodeStrict(t *testing.T, doc []byte, v any) {
	t.Helper()
	js, err := yaml.ToJSON(doc)
	if err != nil {
		t.Fatalf("%v:\n%s", err, doc)
	}
	d := json.NewDecoder(bytes.NewReader(js))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		t.Fatalf("%v:\n%s", err, doc)
	}
}

// TestManifests: Manifests gives a ConfigMap with the scenario and its
// data, a coordinator Job and an Indexed Job of workers whose completion
// index picks the segment; decoded into k8s.io/api's batch/v1 and core/v1
// types, every field is where Kubernetes reads it.
func TestManifests(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "data"), 0o755)
	os.WriteFile(filepath.Join(dir, "shop.yaml"), []byte(`name: shop
host: http://shop.default:8080
data:
  acc: {csv: data/acc.csv}
classes:
  - name: Buyer
    tasks:
      - get: /buy?u={{acc.u}}
`), 0o644)
	os.WriteFile(filepath.Join(dir, "data", "acc.csv"), []byte("u\nann\nbob\n"), 0o644)
	_, bundle, err := scenario.LoadBundle(context.Background(), filepath.Join(dir, "shop.yaml"), scenario.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	k := options()
	k.Name, k.Namespace, k.CPU, k.Memory, k.NATSSecret = "shop", "load", "2", "1Gi", "nats-auth"
	if err := k.Check(); err != nil {
		t.Fatal(err)
	}
	objs, err := k.Manifests(Run{Args: []string{"--scenario", filepath.Join(dir, "shop.yaml"), "--allow-remote", "-u", "400", "-r", "40", "-t", "30m",
		"--probe", "http://shop.default:6061"}, Bundle: bundle, AllowRemote: true})
	if err != nil {
		t.Fatal(err)
	}
	b, err := k.Encode(objs)
	if err != nil {
		t.Fatal(err)
	}
	out := string(b)
	docs := strings.Split(out, "---\n") // each document keeps its last newline
	if len(docs) != 4 || !strings.HasPrefix(docs[0], "# soak k8s") {
		t.Fatalf("%d documents:\n%s", len(docs), out)
	}
	var cm corev1.ConfigMap
	var coord, workers batchv1.Job
	decodeStrict(t, []byte(docs[1]), &cm)
	decodeStrict(t, []byte(docs[2]), &coord)
	decodeStrict(t, []byte(docs[3]), &workers)

	if cm.Kind != "ConfigMap" || cm.Name != "shop-scenario" || cm.Namespace != "load" ||
		!strings.Contains(cm.Data["file-0"], "name: shop") || cm.Data["file-1"] != "u\nann\nbob\n" {
		t.Errorf("ConfigMap: %+v", cm)
	}

	if workers.APIVersion != "batch/v1" || workers.Name != "shop-workers" || workers.Namespace != "load" {
		t.Errorf("workers Job: %s %s/%s", workers.APIVersion, workers.Namespace, workers.Name)
	}
	ws := workers.Spec
	if ws.CompletionMode == nil || *ws.CompletionMode != batchv1.IndexedCompletion || *ws.Completions != 4 || *ws.Parallelism != 4 {
		t.Errorf("workers: mode %v, completions %v, parallelism %v", ws.CompletionMode, ws.Completions, ws.Parallelism)
	}
	wp := ws.Template.Spec
	if wp.RestartPolicy != corev1.RestartPolicyNever || len(wp.Containers) != 1 {
		t.Fatalf("worker pod: %+v", wp)
	}
	wc := wp.Containers[0]
	wantArgs := []string{"worker", "--nats", "nats://nats.nats:4222", "--job", "shop", "--index", "$(SOAK_INDEX)", "--name", "$(POD_NAME)", "--allow-remote"}
	if wc.Image != "registry.example/soak:1" || !slices.Equal(wc.Args, wantArgs) {
		t.Errorf("worker container: %s %q", wc.Image, wc.Args)
	}
	env := map[string]corev1.EnvVar{}
	for _, e := range wc.Env {
		env[e.Name] = e
	}
	if e := env["SOAK_INDEX"]; e.ValueFrom == nil || e.ValueFrom.FieldRef == nil ||
		e.ValueFrom.FieldRef.FieldPath != "metadata.annotations['batch.kubernetes.io/job-completion-index']" {
		t.Errorf("SOAK_INDEX does not read the completion index: %+v", e)
	}
	if e := env["SOAK_NATS_TOKEN"]; e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil || e.ValueFrom.SecretKeyRef.Name != "nats-auth" ||
		e.ValueFrom.SecretKeyRef.Key != "token" {
		t.Errorf("the NATS token does not come from the Secret: %+v", e)
	}
	if cpu := wc.Resources.Requests[corev1.ResourceCPU]; cpu.Cmp(resource.MustParse("2")) != 0 {
		t.Errorf("worker cpu request %s", cpu.String())
	}
	if mem := wc.Resources.Limits[corev1.ResourceMemory]; mem.Cmp(resource.MustParse("1Gi")) != 0 {
		t.Errorf("worker memory limit %s", mem.String())
	}

	cs := coord.Spec
	if coord.Name != "shop-coordinator" || *cs.Completions != 1 || *cs.BackoffLimit != 0 || cs.CompletionMode != nil {
		t.Errorf("coordinator Job: %s %+v", coord.Name, cs)
	}
	cc := cs.Template.Spec.Containers[0]
	args := strings.Join(cc.Args, " ")
	for _, want := range []string{"run --scenario /etc/soak/scenario/shop.yaml --allow-remote -u 400", "--probe http://shop.default:6061",
		"--workers nats://nats.nats:4222 --expect 4 --job shop"} {
		if !strings.Contains(args, want) {
			t.Errorf("coordinator args %q lack %q", args, want)
		}
	}
	if cc.WorkingDir != "/results" {
		t.Errorf("coordinator working dir %q", cc.WorkingDir)
	}
	vols := map[string]corev1.Volume{}
	for _, v := range cs.Template.Spec.Volumes {
		vols[v.Name] = v
	}
	sv := vols["scenario"].ConfigMap
	if sv == nil || sv.Name != "shop-scenario" || len(sv.Items) != 2 || sv.Items[0].Path != "shop.yaml" || sv.Items[1].Path != "data/acc.csv" {
		t.Errorf("scenario volume: %+v", vols["scenario"])
	}
	if vols["results"].EmptyDir == nil {
		t.Errorf("results volume: %+v", vols["results"])
	}
	mounts := map[string]string{}
	for _, m := range cc.VolumeMounts {
		mounts[m.Name] = m.MountPath
	}
	if mounts["scenario"] != "/etc/soak/scenario" || mounts["results"] != "/results" {
		t.Errorf("coordinator mounts: %v", mounts)
	}
}

// TestCheck: each bad flag is refused with an error that names it, and
// never shows a password.
func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		edit func(*Options)
		want string
	}{
		{func(o *Options) { o.Image = "" }, "--image is required"},
		{func(o *Options) { o.NATS = "" }, "--nats is required"},
		{func(o *Options) { o.Expect = 0 }, "--expect 0: from 1 to 1000"},
		{func(o *Options) { o.Expect = 1001 }, "--expect 1001"},
		{func(o *Options) { o.Name = "Bad_Name" }, `--name "Bad_Name"`},
		{func(o *Options) { o.Name = strings.Repeat("a", 41) }, "--name"},
		{func(o *Options) { o.Namespace = "-x" }, "--namespace"},
		{func(o *Options) { o.CPU = "lots" }, `--cpu "lots"`},
		{func(o *Options) { o.CoordinatorMemory = "1GB" }, "--coordinator-memory"},
		{func(o *Options) { o.ProbeSecret = "Probe" }, "--probe-token-secret"},
		{func(o *Options) { o.ResultsClaim = "a_b" }, "--results-claim"},
		{func(o *Options) { o.NATS = "nats://u:pw@n:4222" }, "no place for credentials"},
	} {
		o := options()
		tc.edit(&o)
		err := o.Check()
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "pw") {
			t.Errorf("%+v: %v, want %q", o, err, tc.want)
		}
	}
	o := options()
	o.Namespace, o.CPU, o.Memory, o.ResultsClaim = "load", "1.5", "2Gi", "soak-results"
	if err := o.Check(); err != nil {
		t.Errorf("valid options: %v", err)
	}
}

// TestManifestsRefuses: a data file outside the scenario's directory and
// a bundle a ConfigMap cannot hold are refused, naming --scenario.
func TestManifestsRefuses(t *testing.T) {
	k := options()
	for _, tc := range []struct {
		b    *scenario.Bundle
		want string
	}{
		{&scenario.Bundle{Name: "s.yaml", Scenario: []byte("x"), Data: []scenario.BundleFile{{Name: "../acc.csv"}}}, "lies outside the scenario's directory"},
		{&scenario.Bundle{Name: "s.yaml", Scenario: []byte("x"), Data: []scenario.BundleFile{{Name: "/acc.csv"}}}, "lies outside"},
		{&scenario.Bundle{Name: "s.yaml", Scenario: make([]byte, maxConfigMap+1)}, "a ConfigMap holds at most 1 MiB"},
	} {
		_, err := k.Manifests(Run{Args: []string{"--scenario", "s.yaml"}, Bundle: tc.b})
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "--scenario s.yaml") {
			t.Errorf("%v, want %q", err, tc.want)
		}
	}
}

// TestManifestsNoScenario: without a scenario there is no ConfigMap, and
// a results claim and a probe Secret reach the coordinator.
func TestManifestsNoScenario(t *testing.T) {
	k := options()
	k.ResultsClaim, k.ProbeSecret = "soak-results", "probe-auth"
	objs, err := k.Manifests(Run{Args: []string{"--host", "http://h:80"}})
	if err != nil {
		t.Fatal(err)
	}
	b, err := k.Encode(objs)
	if err != nil {
		t.Fatal(err)
	}
	docs := strings.Split(string(b), "---\n")
	if len(docs) != 3 {
		t.Fatalf("%d documents:\n%s", len(docs), b)
	}
	var coord batchv1.Job
	decodeStrict(t, []byte(docs[1]), &coord)
	pod := coord.Spec.Template.Spec
	if len(pod.Volumes) != 1 || pod.Volumes[0].PersistentVolumeClaim == nil || pod.Volumes[0].PersistentVolumeClaim.ClaimName != "soak-results" {
		t.Errorf("results volume: %+v", pod.Volumes)
	}
	env := pod.Containers[0].Env
	if len(env) != 1 || env[0].Name != "SOAK_PROBE_TOKEN" || env[0].ValueFrom.SecretKeyRef.Name != "probe-auth" {
		t.Errorf("coordinator env: %+v", env)
	}
	if args := pod.Containers[0].Args; !slices.Equal(args[:3], []string{"run", "--host", "http://h:80"}) {
		t.Errorf("coordinator args %q", args)
	}
}

// TestRewriteScenario: every spelling of --scenario points at the file;
// other flags and a value that merely looks like one stay.
func TestRewriteScenario(t *testing.T) {
	for _, tc := range []struct{ in, want []string }{
		{[]string{"--scenario", "a.yaml", "-u", "3"}, []string{"--scenario", "/m/s.yaml", "-u", "3"}},
		{[]string{"-f=a.yaml"}, []string{"-f=/m/s.yaml"}},
		{[]string{"--scenario=a.yaml", "--host", "scenario"}, []string{"--scenario=/m/s.yaml", "--host", "scenario"}},
		{[]string{"-u", "3", "--scenario"}, []string{"-u", "3", "--scenario"}},
	} {
		if got := rewriteScenario(tc.in, "/m/s.yaml"); !slices.Equal(got, tc.want) {
			t.Errorf("rewriteScenario(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
