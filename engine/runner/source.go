package runner

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"runtime"
	"runtime/pprof"
	"time"

	"github.com/soaklab/soak/probe"
)

// ErrProfileUnavailable is returned (wrapped) by Source.Profile when the
// service does not have that profile (goroutineleak without the
// experiment).
var ErrProfileUnavailable = errors.New("runner: profile not available")

// Source is where the server's truth comes from: one replica's probe, read
// in process ([InProcess]) or over HTTP ([Remote]). A Source must be safe
// for concurrent use; the orchestrator calls it from one goroutine at a
// time per source.
type Source interface {
	// Name tells replicas apart in the report (the probe's instance id,
	// or the probe's URL).
	Name() string
	// Snapshot reads the probe now.
	Snapshot(ctx context.Context) (*probe.Snapshot, error)
	// Leaks lists every connection, query and Redis connection held now,
	// whatever its age, grouped by acquiring stack.
	Leaks(ctx context.Context) (*probe.LeakReport, error)
	// Profile captures a profile of kind probe.ProfileHeap (after a GC),
	// probe.ProfileGoroutine or probe.ProfileGoroutineLeak, in the pprof
	// protocol buffer format (readable by `go tool pprof` and
	// github.com/google/pprof/profile).
	Profile(ctx context.Context, kind string) ([]byte, error)
}

// InProcess returns a Source over a probe in this process, as a go test
// or `soak demo` has it. Profiles are taken with runtime/pprof directly
// (the probe and the service share the process); a heap profile runs a GC
// first, so in-use figures are exact at the time of the capture.
func InProcess(p *probe.Probe) Source { return inProcess{p} }

type inProcess struct{ p *probe.Probe }

func (s inProcess) Name() string { return s.p.InstanceID() }

func (s inProcess) Snapshot(ctx context.Context) (*probe.Snapshot, error) { return s.p.Snapshot(ctx) }

func (s inProcess) Leaks(ctx context.Context) (*probe.LeakReport, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return s.p.Leaks(0), nil
}

func (s inProcess) Profile(ctx context.Context, kind string) ([]byte, error) {
	return captureProfile(ctx, kind)
}

// captureProfile writes this process's profile of kind in proto format.
func captureProfile(ctx context.Context, kind string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	switch kind {
	case probe.ProfileHeap:
		runtime.GC()
	case probe.ProfileGoroutine, probe.ProfileGoroutineLeak:
	default:
		return nil, fmt.Errorf("runner: profile kind %q is not heap, goroutine or goroutineleak", kind)
	}
	prof := pprof.Lookup(kind)
	if prof == nil {
		return nil, fmt.Errorf("%w: %s (build the service with GOEXPERIMENT=goroutineleakprofile)", ErrProfileUnavailable, kind)
	}
	var b bytes.Buffer
	if err := prof.WriteTo(&b, 0); err != nil {
		return nil, fmt.Errorf("runner: %s profile: %w", kind, err)
	}
	return b.Bytes(), nil
}

// Client is what [Remote] needs from a remote probe: the methods of
// *probe.Client, which satisfies it. Tests may supply their own.
type Client interface {
	Snapshot(ctx context.Context) (*probe.Snapshot, error)
	// LeaksMinAge lists the holds at least minAge old (0: every hold).
	LeaksMinAge(ctx context.Context, minAge time.Duration) (*probe.LeakReport, error)
	// Profile returns the named profile (heap, goroutine, goroutineleak)
	// in proto format; seconds is 0 for these instant profiles.
	Profile(ctx context.Context, name string, seconds int) ([]byte, error)
}

var _ Client = (*probe.Client)(nil)

// GCProfiler is the optional method of a [Client] that takes a heap
// profile after a GC: *probe.Client has it. [Remote] uses it when the
// client has it.
type GCProfiler interface {
	ProfileWithOptions(ctx context.Context, name string, o probe.ProfileOptions) ([]byte, error)
}

var _ GCProfiler = (*probe.Client)(nil)

// Remote returns a Source over a remote probe read through c (one per
// replica), e.g. a *probe.Client. name tells the replica apart in the
// report; use the probe's URL without credentials. A remote heap profile
// is taken after a GC in the service (gc=1), as in process, when c is a
// [GCProfiler]; otherwise it shows the heap as of the service's last GC.
func Remote(name string, c Client) Source { return remote{name, c} }

type remote struct {
	name string
	c    Client
}

func (s remote) Name() string                                          { return s.name }
func (s remote) Snapshot(ctx context.Context) (*probe.Snapshot, error) { return s.c.Snapshot(ctx) }
func (s remote) Leaks(ctx context.Context) (*probe.LeakReport, error) {
	return s.c.LeaksMinAge(ctx, 0)
}

func (s remote) Profile(ctx context.Context, kind string) ([]byte, error) {
	if g, ok := s.c.(GCProfiler); ok && kind == probe.ProfileHeap {
		return g.ProfileWithOptions(ctx, kind, probe.ProfileOptions{GC: true})
	}
	return s.c.Profile(ctx, kind, 0)
}
