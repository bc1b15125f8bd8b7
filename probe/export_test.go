package probe

// CaptureRunning reports whether a CPU-type capture is running (tests
// wait on it instead of sleeping).
func CaptureRunning(p *Probe) bool { return p.prof.busy.Load() }
