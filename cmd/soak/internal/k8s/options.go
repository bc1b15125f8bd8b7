package k8s

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/soaklab/soak/engine/natsfleet"
)

// Defaults of soak k8s's flags.
const (
	DefaultName              = "soak"
	DefaultCPU               = "1"
	DefaultMemory            = "512Mi"
	DefaultCoordinatorCPU    = "500m"
	DefaultCoordinatorMemory = "512Mi"
)

// Options are soak k8s's Kubernetes flags, one field per flag.
type Options struct {
	Image     string // --image: a container image with soak as its entry point
	NATS      string // --nats: the NATS server, as the pods reach it
	Expect    int    // --expect: how many workers, 1 to 1000
	Name      string // --name: the objects' name prefix and the NATS job
	Namespace string // --namespace: the objects' namespace; "" is kubectl's

	// Resource requests (memory is also the limit), as Kubernetes
	// quantities: --cpu, --memory, --coordinator-cpu, --coordinator-memory.
	CPU, Memory, CoordinatorCPU, CoordinatorMemory string

	NATSSecret   string // --nats-token-secret: a Secret whose key "token" holds the NATS token
	ProbeSecret  string // --probe-token-secret: the same for the probes' token
	ResultsClaim string // --results-claim: a PersistentVolumeClaim for /results; "" is an emptyDir

	// The environment variables soak reads the tokens from, set from the
	// Secrets above.
	NATSTokenEnv, ProbeTokenEnv string
}

// objectName is a DNS-1123 label short enough for the objects' suffixes.
var objectName = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?$`)

// quantity is a Kubernetes resource quantity as soak accepts one.
var quantity = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$`)

// refName is the name of an object referred to (a Secret, a claim).
var refName = regexp.MustCompile(`^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$`)

// Check refuses options Kubernetes or soak would refuse, naming the flag.
// It does not check that NATS is a NATS URL: cmd/soak does, as for its
// other commands, after Check.
func (k *Options) Check() error {
	switch {
	case k.Image == "":
		return fmt.Errorf("--image is required: a container image with soak as its entry point")
	case k.NATS == "":
		return fmt.Errorf("--nats is required: the NATS server (with JetStream) as the pods reach it")
	case k.Expect < 1 || k.Expect > 1000:
		return fmt.Errorf("--expect %d: from 1 to 1000 workers", k.Expect)
	case !objectName.MatchString(k.Name):
		return fmt.Errorf("--name %q: 1-40 lower-case letters, digits and -, starting and ending with one of the first two", k.Name)
	case k.Namespace != "" && !objectName.MatchString(k.Namespace):
		return fmt.Errorf("--namespace %q: lower-case letters, digits and -", k.Namespace)
	}
	for _, q := range []struct{ flag, v string }{{"cpu", k.CPU}, {"memory", k.Memory}, {"coordinator-cpu", k.CoordinatorCPU}, {"coordinator-memory", k.CoordinatorMemory}} {
		if !quantity.MatchString(q.v) {
			return fmt.Errorf("--%s %q: a Kubernetes quantity such as 500m, 1, 512Mi or 2Gi", q.flag, q.v)
		}
	}
	for _, s := range []struct{ flag, v string }{{"nats-token-secret", k.NATSSecret}, {"probe-token-secret", k.ProbeSecret}, {"results-claim", k.ResultsClaim}} {
		if s.v != "" && !refName.MatchString(s.v) {
			return fmt.Errorf("--%s %q: not a Kubernetes object name", s.flag, s.v)
		}
	}
	if strings.Contains(k.NATS, "@") {
		return fmt.Errorf("--nats %s: a manifest is no place for credentials; use --nats-token-secret", natsfleet.Redact(k.NATS))
	}
	return nil
}
