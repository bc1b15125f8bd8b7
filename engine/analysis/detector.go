package analysis

import "github.com/soaklab/soak/engine/capture"

// Detector names a stability detector. Every [Result] has one [Finding]
// per detector and probe source (the error-rate and rate-limit detectors
// read the client side and have Source "").
type Detector string

// detector is one stability check. Each lives in its own file with its
// figures (the Finding field it fills) and its decision; adding one is
// that file, its test and a line in [detectors].
type detector interface {
	// name is the Detector the findings carry.
	name() Detector
	// perSource reports whether the detector reads the probe: it then
	// runs once per source that answered (and says VerdictUnknown,
	// naming why, when none did); otherwise once for the run, reading
	// the engine's client side.
	perSource() bool
	// detect returns the finding for source s (nil for a client-side
	// detector). It may read every part of a, and changes nothing.
	detect(a *analyzer, s *capture.SourceTimeline) Finding
}

// detectors are every detector, in the order the report lists them.
var detectors = []detector{
	memoryLeak{}, goroutineLeak{}, connectionLeak{}, poolExhaustion{}, errorRate{}, latencyTrend{}, rateLimit{}, restart{}, userQuits{},
}

// Detectors lists every detector's name in report order.
var Detectors = detectorNames()

func detectorNames() []Detector {
	out := make([]Detector, len(detectors))
	for i, d := range detectors {
		out[i] = d.name()
	}
	return out
}
