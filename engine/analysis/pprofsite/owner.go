package pprofsite

import (
	"strings"

	"github.com/soaklab/soak/probe"
)

// Owner is whose code an allocation stack runs, when it is not the
// service's own.
type Owner string

// The owners [OwnerOf] tells apart.
const (
	// OwnerService: the service's code (and the libraries it calls).
	OwnerService Owner = ""
	// OwnerGenerator: soak's own generator (the engine, its recording,
	// the analysis), which shares the process in an in-process run.
	OwnerGenerator Owner = "generator"
	// OwnerDriver: a database driver whose pool grew (see [Drivers]).
	OwnerDriver Owner = "driver"
	// OwnerProbe: soak's probe or middleware, which the service links in.
	OwnerProbe Owner = "probe"
	// OwnerRuntime: the Go runtime's own structures, allocated on a
	// stack of runtime frames only (goroutine descriptors made by
	// newproc on the system stack, timers): they grow with the number of
	// goroutines, which the goroutine detector counts and locates.
	OwnerRuntime Owner = "runtime"
)

// Drivers says which database drivers' allocations are set apart as
// [OwnerDriver]: those whose pools grew (connections opened), bounded by
// each pool's max.
type Drivers struct {
	PGX   bool // github.com/jackc/... (pgx, pgxpool, puddle)
	Redis bool // github.com/redis/go-redis/...
}

// OwnerOf says whose an allocation stack (innermost first) is: soak's
// generator's, a growing driver's (d), soak's probe's, the runtime's own,
// else the service's ([OwnerService]).
func OwnerOf(stack []probe.Frame, d Drivers) Owner {
	switch {
	case generatorStack(stack):
		return OwnerGenerator
	case driverStack(stack, d):
		return OwnerDriver
	case probeStack(stack):
		return OwnerProbe
	case runtimeStack(stack):
		return OwnerRuntime
	}
	return OwnerService
}

// runtimeStack reports an allocation stack with no frame outside the
// runtime package: the runtime allocating for itself.
func runtimeStack(stack []probe.Frame) bool {
	for _, fr := range stack {
		if !strings.HasPrefix(fr.Function, "runtime.") {
			return false
		}
	}
	return len(stack) > 0
}

// probeStack reports an allocation whose site (its first frame in the
// application's code) is soak's probe or middleware, which the service
// links in: the probe's snapshot buffers (probe.writeJSON), its
// start-up tables (probe.init.func1), its /proc reads (probe.countFDs).
// Stacks that pass through soak's middleware to the service's handler
// have their site in the handler, and stay the service's.
func probeStack(stack []probe.Frame) bool {
	fn := Of(stack).Function
	return strings.HasPrefix(fn, "github.com/soaklab/soak/probe") || strings.HasPrefix(fn, "github.com/soaklab/soak/middleware")
}

// driverStack reports an allocation stack inside a database driver of d.
func driverStack(stack []probe.Frame, d Drivers) bool {
	for _, fr := range stack {
		if d.PGX && strings.HasPrefix(fr.Function, "github.com/jackc/") || d.Redis && strings.HasPrefix(fr.Function, "github.com/redis/go-redis/") {
			return true
		}
	}
	return false
}

// generatorStack reports an allocation stack of soak's own generator.
// Test files are the service's code, not the generator's.
func generatorStack(stack []probe.Frame) bool {
	for _, fr := range stack {
		if strings.HasSuffix(fr.File, "_test.go") {
			return false
		}
		if strings.HasPrefix(fr.Function, "github.com/soaklab/soak/engine") || strings.HasPrefix(fr.Function, "github.com/HdrHistogram/") {
			return true
		}
	}
	return false
}
