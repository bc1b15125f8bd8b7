package middleware

import (
	"context"
	"fmt"
	"net/http"
	"runtime/pprof"

	"github.com/soaklab/soak/probe/label"
)

// LabelMode says which requests get request labels: a [*label.Info] in the
// request context (read by the probe's connection-leak registry with
// [label.FromContext]) and the same labels as pprof labels on the handling
// goroutine, so CPU and goroutine profiles split by route and user class.
// (fgprof v0.9.5 reads stacks with runtime.GoroutineProfile, which carries
// no labels: its profiles cannot split by label.)
//
// The middleware label a request with a [Labeler]: one allocation (the
// request copy with its context) and a few hundred nanoseconds more than an
// unlabelled request, however many virtual users send them (BenchmarkMiddleware and BenchmarkHTTP, "labels"; see
// docs/performance.md). The default still labels only the requests soak
// sent.
type LabelMode uint8

const (
	// LabelSoak labels only requests that carry at least one valid soak
	// header ([label.Parse] finds a non-zero set). The default.
	LabelSoak LabelMode = iota
	// LabelAll labels every request; others get method and route only.
	LabelAll
	// LabelOff never labels: the request context and pprof labels are
	// left alone.
	LabelOff
)

func (m LabelMode) String() string {
	switch m {
	case LabelSoak:
		return "soak"
	case LabelAll:
		return "all"
	case LabelOff:
		return "off"
	}
	return fmt.Sprintf("LabelMode(%d)", uint8(m))
}

// Validate reports an unknown mode.
func (m LabelMode) Validate() error {
	if m > LabelOff {
		return fmt.Errorf("unknown LabelMode %d (want LabelSoak, LabelAll or LabelOff)", uint8(m))
	}
	return nil
}

// Considers reports whether a request with headers h may be labelled
// under m: m is LabelAll, or LabelSoak and h has a [label.Header]. It is a
// header lookup, so that middleware parses labels ([Labeler.Parse]; then
// [LabelMode.Wants] decides) only for requests that may carry them.
func (m LabelMode) Considers(h http.Header) bool {
	_, ok := m.Lookup(h)
	return ok
}

// Lookup is [LabelMode.Considers] that also returns the request's label
// header values vs (h[label.Header]), for middleware that hands them to
// [Labeler.ParseValues] instead of looking the header up again. It looks
// the header up at most once, and not at all under LabelOff.
func (m LabelMode) Lookup(h http.Header) (vs []string, ok bool) {
	switch m {
	case LabelAll:
		return h[label.Header], true
	case LabelSoak:
		vs = h[label.Header]
		return vs, vs != nil
	}
	return nil, false
}

// Wants reports whether a request carrying the soak labels set (from
// [label.Parse]) is labelled under m.
func (m LabelMode) Wants(set label.Set) bool {
	return m == LabelAll || (m == LabelSoak && !set.IsZero())
}

// pprof label keys set on the goroutine that handles a labelled request
// (defined in probe/label, where soak's analysis reads them back from
// profiles). Only non-empty values are set. Soak label values are those of
// [label.Parse]: validated, at most [label.MaxLen] bytes.
const (
	PprofMethod  = label.PprofMethod  // method label (MethodOther for non-standard methods)
	PprofRoute   = label.PprofRoute   // route template, or UnmatchedRoute
	PprofClass   = label.PprofClass   // soak user class, e.g. "AuthenticatedUser"
	PprofRequest = label.PprofRequest // soak request name, e.g. "/api/stories/[slug]"
	PprofRun     = label.PprofRun     // soak run id
)

// The virtual user's number (label.Set.User) is in the request's
// label.Info only, not a pprof label: a label per user would split every
// profile into as many label sets as the soak has users, and profiles are
// read by route, class and request.

// RunLabeled calls f with a context that carries info (for
// label.FromContext) and pprof labels made from it, set on the current
// goroutine for the duration of f (and inherited by goroutines f starts).
// info must not be modified afterwards. It labels exactly as a [Labeler]
// does (the context and pprof labels a handler sees are the same), built
// with pprof.Do: simpler to call, at about 7 allocations per request where
// the Labeler, which [HTTPWithConfig] and middleware/echoprobe use, takes
// one.
func RunLabeled(ctx context.Context, info *label.Info, f func(context.Context)) {
	pprof.Do(label.NewContext(ctx, info), pprofSet(info), f)
}

func appendLabel(args []string, k, v string) []string {
	if v == "" {
		return args
	}
	return append(args, k, v)
}
