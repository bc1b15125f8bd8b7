package main

import (
	"bytes"
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
)

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

// TestK8sManifests: soak k8s writes a ConfigMap with the scenario and its
// data, a coordinator Job and an Indexed Job of workers whose completion
// index picks the segment; decoded into k8s.io/api's batch/v1 and core/v1
// types, every field is where Kubernetes reads it.
func TestK8sManifests(t *testing.T) {
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
	code, out, errOut := inProcess(t, nil, "k8s", "--image", "registry.example/soak:1", "--nats", "nats://nats.nats:4222",
		"--expect", "4", "--name", "shop", "--namespace", "load", "--cpu", "2", "--memory", "1Gi", "--nats-token-secret", "nats-auth",
		"--", "--scenario", filepath.Join(dir, "shop.yaml"), "--allow-remote", "-u", "400", "-r", "40", "-t", "30m",
		"--probe", "http://shop.default:6061")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
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
	if e := env[NATSTokenEnv]; e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil || e.ValueFrom.SecretKeyRef.Name != "nats-auth" ||
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

// TestK8sRefuses: bad flags, secrets in a manifest and data outside the
// scenario's directory are usage errors that name the flag.
func TestK8sRefuses(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "s.yaml"), []byte("name: s\nhost: http://127.0.0.1:8000\nclasses: [{name: A, tasks: [{get: /}]}]\n"), 0o644)
	s := filepath.Join(dir, "s.yaml")
	base := []string{"k8s", "--image", "i", "--nats", "nats://n:4222", "--expect", "2"}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"k8s", "--nats", "nats://n:4222", "--expect", "2"}, "--image is required"},
		{append(base[:5:5], "--expect", "0"), "--expect 0"},
		{append(slices.Clone(base), "--cpu", "lots"), "--cpu"},
		{append(slices.Clone(base), "--name", "Bad_Name"), "--name"},
		{[]string{"k8s", "--image", "i", "--nats", "nats://u:pw@n:4222", "--expect", "2"}, "no place for credentials"},
		{append(slices.Clone(base), "--", "--scenario", s, "--probe-token", "x"), "--probe-token-secret"},
		{append(slices.Clone(base), "--", "--scenario", s, "--out", "x"), "--out"},
		{append(slices.Clone(base), "--", "--scenario", s, "-u", "-3"), "--users"},
	} {
		code, _, errOut := inProcess(t, nil, tc.args...)
		if code != exitUsage || !strings.Contains(errOut, tc.want) || strings.Contains(errOut, "pw") {
			t.Errorf("soak %q: exit %d: %s", tc.args, code, errOut)
		}
	}
}
