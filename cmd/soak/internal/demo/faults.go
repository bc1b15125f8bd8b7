package demo

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Fault names accepted in [Config.Faults].
const (
	FaultConnLeak      = "conn-leak"
	FaultGoroutineLeak = "goroutine-leak"
	FaultHeapLeak      = "heap-leak"
	FaultPoolExhausted = "pool-exhausted"
	FaultRowsLeak      = "rows-leak"
	FaultSlowTrending  = "slow-trending"
)

// Rates and sizes of the planted faults.
const (
	// ConnLeakEvery: conn-leak leaks on one GET /api/library/shelves in this many.
	ConnLeakEvery = 50
	// GoroutineLeakEvery: goroutine-leak leaks on one GET /api/discovery/trending
	// in this many.
	GoroutineLeakEvery = 10
	// HeapLeakBytes: heap-leak retains this many bytes per GET /api/stories/:slug.
	HeapLeakBytes = 8 << 10
	// RowsLeakEvery: rows-leak leaves the rows of one GET
	// /api/library/shelves in this many open.
	RowsLeakEvery = 50
	// ExhaustedPoolMaxConns is the pool size under pool-exhausted.
	ExhaustedPoolMaxConns = 4
	// SearchHold is how long pool-exhausted makes a search hold its
	// connection after its query.
	SearchHold = 500 * time.Millisecond
	// SlowTrendingDelay: slow-trending adds this much to every GET
	// /api/discovery/trending (a regression for soak compare to find).
	SlowTrendingDelay = 20 * time.Millisecond
)

// ErrUnknownFault is returned (wrapped, naming the fault) by [New] for a
// name not in [FaultNames].
var ErrUnknownFault = errors.New("demo: unknown fault")

// ErrFaultNeedsDatabase is returned (wrapped, naming the fault) by [New]
// for a fault that needs PostgreSQL when Config.DatabaseURL is empty.
var ErrFaultNeedsDatabase = errors.New("demo: fault needs a database")

// FaultInfo describes one plantable fault.
type FaultInfo struct {
	Name          string // as given in Config.Faults, e.g. "conn-leak"
	Description   string // one line: what it does, where, and how often
	NeedsDatabase bool   // true when it requires Config.DatabaseURL
}

var faultCatalog = []FaultInfo{
	{FaultConnLeak, fmt.Sprintf("GET /api/library/shelves acquires a pgx connection and never releases it, "+
		"on 1 request in %d (leakShelvesConnection), until half the pool is held", ConnLeakEvery), true},
	{FaultGoroutineLeak, fmt.Sprintf("GET /api/discovery/trending starts a goroutine that waits on a channel "+
		"nobody closes, on 1 request in %d (awaitTrendingRefresh)", GoroutineLeakEvery), false},
	{FaultHeapLeak, fmt.Sprintf("GET /api/stories/:slug keeps a %d KiB copy of every page it serves in a "+
		"slice that only grows (rememberStoryView)", HeapLeakBytes>>10), false},
	{FaultPoolExhausted, fmt.Sprintf("the pgx pool shrinks to %d connections and GET /api/search/stories holds "+
		"its connection %v after its query (rankWhileHoldingConn): acquires wait under load, no leak",
		ExhaustedPoolMaxConns, SearchHold), true},
	{FaultRowsLeak, fmt.Sprintf("GET /api/library/shelves runs a query and never closes its rows, on 1 request "+
		"in %d (forgetShelvesRows), until half the pool is held: each holds one connection", RowsLeakEvery), true},
	{FaultSlowTrending, fmt.Sprintf("GET /api/discovery/trending waits %v more on every request (rankTrendingSlowly): "+
		"a latency regression, no leak", SlowTrendingDelay), false},
}

// FaultNames lists the faults [Config.Faults] accepts, sorted by name, each
// with a one-line description.
func FaultNames() []FaultInfo { return slices.Clone(faultCatalog) }

// faultSet is the parsed Config.Faults.
type faultSet struct {
	connLeak, goroutineLeak, heapLeak, poolExhausted, rowsLeak, slowTrending bool
}

// parseFaults checks names against the catalogue; hasDB says whether a
// database is configured.
func parseFaults(names []string, hasDB bool) (faultSet, error) {
	var fs faultSet
	seen := map[string]bool{}
	for _, name := range names {
		i := slices.IndexFunc(faultCatalog, func(f FaultInfo) bool { return f.Name == name })
		if i < 0 {
			return fs, fmt.Errorf("%w %q in Config.Faults (known: %s)", ErrUnknownFault, name, knownFaults())
		}
		if seen[name] {
			return fs, fmt.Errorf("demo: fault %q given twice in Config.Faults", name)
		}
		seen[name] = true
		if faultCatalog[i].NeedsDatabase && !hasDB {
			return fs, fmt.Errorf("%w: %q needs PostgreSQL; set Config.DatabaseURL", ErrFaultNeedsDatabase, name)
		}
	}
	fs.connLeak = seen[FaultConnLeak]
	fs.goroutineLeak = seen[FaultGoroutineLeak]
	fs.heapLeak = seen[FaultHeapLeak]
	fs.poolExhausted = seen[FaultPoolExhausted]
	fs.rowsLeak = seen[FaultRowsLeak]
	fs.slowTrending = seen[FaultSlowTrending]
	return fs, nil
}

func knownFaults() string {
	names := make([]string, len(faultCatalog))
	for i, f := range faultCatalog {
		names[i] = f.Name
	}
	return strings.Join(names, ", ")
}
