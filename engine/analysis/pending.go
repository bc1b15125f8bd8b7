package analysis

import "context"

func (a *analyzer) environment() Environment { return Environment{} }
func (a *analyzer) memory(s *SourceTimeline) Finding {
	return unknown(DetectorMemoryLeak, s.Name, "pending")
}
func (a *analyzer) goroutines(s *SourceTimeline) Finding {
	return unknown(DetectorGoroutineLeak, s.Name, "pending")
}
func (a *analyzer) connections(s *SourceTimeline) Finding {
	return unknown(DetectorConnectionLeak, s.Name, "pending")
}
func (a *analyzer) pools(s *SourceTimeline) Finding {
	return unknown(DetectorPoolExhaustion, s.Name, "pending")
}
func (a *analyzer) errorRate() Finding                                           { return unknown(DetectorErrorRate, "", "pending") }
func (a *analyzer) rateLimit() Finding                                           { return unknown(DetectorRateLimit, "", "pending") }
func (a *analyzer) performanceTargets() []Target                                 { return nil }
func (a *analyzer) systemTargets() []Target                                      { return nil }
func (a *analyzer) charts() Charts                                               { return Charts{} }
func buildReport(r *Result) *Report                                              { return &Report{} }
func writeMarkdown(w interface{ Write([]byte) (int, error) }, rep *Report) error { return nil }
func runCapacity(ctx context.Context, cfg *CapacityConfig, plan interface{}) (*CapacityResult, error) {
	return nil, nil
}
