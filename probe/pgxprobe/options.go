package pgxprobe

import "fmt"

// DefaultMaxStatements bounds each pool's table of normalised statements
// unless [WithMaxStatements] says otherwise.
const DefaultMaxStatements = 256

// Option configures [New]. Options are sealed: only this package defines
// them.
type Option interface{ apply(*options) }

type optionFunc func(*options)

func (f optionFunc) apply(o *options) { f(o) }

type options struct {
	statActivity  bool
	maxStatements int
	err           error
}

// WithStatActivity makes snapshots also read the server's view: connection
// counts by state from pg_stat_activity for the pool's database, through
// one extra connection the tracer opens on first use (closed by
// probe.Probe.Close) and queries at most once per poll interval
// (probe.WithPollInterval).
func WithStatActivity() Option {
	return optionFunc(func(o *options) { o.statActivity = true })
}

// WithMaxStatements bounds the pool's statement table (default
// [DefaultMaxStatements], at least 1); further statements share one
// probe.OverflowStatement entry. The raw SQL texts seen are cached up to 4
// times as many.
func WithMaxStatements(n int) Option {
	return optionFunc(func(o *options) {
		if n < 1 {
			if o.err == nil {
				o.err = fmt.Errorf("pgxprobe: WithMaxStatements(%d): must be at least 1", n)
			}
			return
		}
		o.maxStatements = n
	})
}
