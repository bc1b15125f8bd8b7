// Package k8s builds the Kubernetes manifests of soak k8s: a ConfigMap
// with the scenario and its data files, an Indexed Job of workers and a
// Job for the coordinator, as YAML for kubectl apply -f -.
//
// It checks the Kubernetes flags (Options.Check) and turns the run flags
// and the scenario bundle soak run would send its workers into objects
// (Options.Manifests); the command line, and the checks of the run flags
// as soak run makes them, stay in cmd/soak. The objects are soak's own
// types with only the fields it sets (manifest.go), so that the CLI links
// no Kubernetes module; the tests decode them into k8s.io/api's types,
// strictly.
//
// Errors name the flag as the user typed it and carry no "k8s: " prefix:
// cmd/soak shows them as usage errors. Nothing here is concurrent.
package k8s
