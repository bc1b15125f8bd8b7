package engine

import "context"

// Describe returns the RunInfo that [Run] would report for p at its
// start, without running anything: the whole plan's description, for a
// caller that has it run elsewhere (a distributed run's coordinator,
// whose workers run its segments). Start is the time of the call, Cores
// this machine's, RunID p's or a fresh one. It returns Validate's error.
func Describe(p Plan) (RunInfo, error) {
	if err := p.Validate(); err != nil {
		return RunInfo{}, err
	}
	p.Handler = nil // nothing is served: the host is only described
	r := &runner{plan: p}
	r.init(context.Background())
	r.abort()
	r.client.closeIdle()
	return r.info, nil
}
