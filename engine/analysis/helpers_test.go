package analysis

import "github.com/soaklab/soak/engine/internal/synth"

// analyze runs Analyze over a synthetic run with the seed's targets.
func analyze(r *synth.Run) *Result {
	res, err := Analyze(r.Engine(), r.Capture, DefaultThresholds())
	if err != nil {
		panic(err)
	}
	return res
}
