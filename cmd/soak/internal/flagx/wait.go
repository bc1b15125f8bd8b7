package flagx

import (
	"fmt"
	"strings"

	"github.com/soaklab/soak/engine"
)

// ParseWait reads a pause between a user's tasks, Locust's wait_time:
//
//	0, none            no pause
//	2s                 constant(2)
//	1s-3s              between(1, 3)
//	pacing:5s          constant_pacing(5): a task starts every 5 s
//	throughput:2/s     constant_throughput(2): 2 tasks per second per user
//
// A nil engine.Wait means no pause.
func ParseWait(s string) (engine.Wait, error) {
	t := strings.TrimSpace(s)
	kind, arg, hasKind := strings.Cut(t, ":")
	switch {
	case t == "0" || t == "none":
		return nil, nil
	case hasKind && kind == "pacing":
		d, err := ParseDuration(arg)
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("%q: pacing needs a positive duration, e.g. pacing:5s", s)
		}
		return engine.ConstantPacing{Every: d}, nil
	case hasKind && kind == "throughput":
		r, err := ParseRate(arg)
		if err != nil {
			return nil, fmt.Errorf("%q: throughput needs a rate, e.g. throughput:2/s", s)
		}
		return engine.ConstantThroughput{PerSecond: r}, nil
	case hasKind:
		return nil, fmt.Errorf("%q: unknown wait %q (use 2s, 1s-3s, pacing:5s or throughput:2/s)", s, kind)
	}
	if lo, hi, ok := strings.Cut(t, "-"); ok {
		min, err1 := ParseDuration(lo)
		max, err2 := ParseDuration(hi)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("%q: want MIN-MAX durations, e.g. 1s-3s", s)
		}
		if min > max {
			return nil, fmt.Errorf("%q: minimum above maximum", s)
		}
		return engine.Between{Min: min, Max: max}, nil
	}
	d, err := ParseDuration(t)
	if err != nil {
		return nil, fmt.Errorf("%q: not a wait (use 0, 2s, 1s-3s, pacing:5s or throughput:2/s)", s)
	}
	if d == 0 {
		return nil, nil
	}
	return engine.Constant{D: d}, nil
}

// Wait is a flag.Value for ParseWait.
type Wait struct {
	W     engine.Wait // nil: no pause
	text  string
	IsSet bool
}

// String writes the wait as it was given, or "0".
func (w *Wait) String() string {
	if w == nil || w.text == "" {
		return "0"
	}
	return w.text
}

// Set parses s with ParseWait.
func (w *Wait) Set(s string) error {
	v, err := ParseWait(s)
	if err != nil {
		return err
	}
	w.W, w.text, w.IsSet = v, strings.TrimSpace(s), true
	return nil
}

// FormatWait describes w in ParseWait's syntax.
func FormatWait(w engine.Wait) string {
	switch v := w.(type) {
	case nil:
		return "0"
	case engine.Constant:
		return FormatDuration(v.D)
	case engine.Between:
		return FormatDuration(v.Min) + "-" + FormatDuration(v.Max)
	case engine.ConstantPacing:
		return "pacing:" + FormatDuration(v.Every)
	case engine.ConstantThroughput:
		return fmt.Sprintf("throughput:%g/s", v.PerSecond)
	default:
		return fmt.Sprintf("%T", w)
	}
}
