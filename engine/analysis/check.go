package analysis

import "slices"

// TestingT is the part of *testing.T that [Verify] uses.
type TestingT interface {
	Helper()
	Errorf(format string, args ...any)
}

// VerifyOption configures [Verify]. Options are sealed: only this package
// defines them.
type VerifyOption interface{ applyVerify(*verifyOptions) }

type verifyOptions struct {
	ignore  []Detector
	targets bool
}

type verifyFunc func(*verifyOptions)

func (f verifyFunc) applyVerify(o *verifyOptions) { f(o) }

// IgnoreDetector makes Verify accept a defect of detector d (a test that
// plants it on purpose, or a known issue).
func IgnoreDetector(d Detector) VerifyOption {
	return verifyFunc(func(o *verifyOptions) { o.ignore = append(o.ignore, d) })
}

// RequireTargets makes Verify also fail t for every missed target of the
// Results Summary (latency, error rate, throughput, pool, ...), which it
// ignores by default: a test machine's latency says little.
func RequireTargets() VerifyOption { return verifyFunc(func(o *verifyOptions) { o.targets = true }) }

// Verify fails t, with the findings, their evidence and suspects, for
// every detected defect in r (and missed target with RequireTargets), as
// goleak.VerifyNone does for goroutines:
//
//	res, err := runner.Soak(ctx, cfg) // or analysis.Analyze(result, capture, th)
//	if err != nil { t.Fatal(err) }
//	analysis.Verify(t, res)
func Verify(t TestingT, r *Result, opts ...VerifyOption) {
	t.Helper()
	var o verifyOptions
	for _, opt := range opts {
		if opt != nil {
			opt.applyVerify(&o)
		}
	}
	for _, f := range r.Failed() {
		if slices.Contains(o.ignore, f.Detector) {
			continue
		}
		t.Errorf("%s", describeFinding(&f))
	}
	if o.targets {
		for _, tg := range r.MissedTargets() {
			t.Errorf("target missed: %s %s: %s (target %s)", tg.Component, tg.Metric, tg.Actual, tg.Target)
		}
	}
}

// describeFinding is a finding with its evidence, suspects and next step,
// for a test failure.
func describeFinding(f *Finding) string {
	s := f.String()
	for _, e := range f.Evidence {
		s += "\n    " + e
	}
	for i, sp := range f.Suspects {
		if i == 3 {
			break
		}
		s += "\n    suspect: " + sp.Location()
		if sp.Detail != "" {
			s += ": " + sp.Detail
		}
	}
	if f.NextStep != "" {
		s += "\n    next: " + f.NextStep
	}
	return s
}
