//go:build !unix

package engine

import "time"

// processCPU is not measured on this platform: intervals report 0 CPU and
// the CPU-saturation check never fires.
func processCPU() time.Duration { return 0 }
