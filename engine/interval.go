package engine

import (
	"cmp"
	"slices"
	"time"
)

// Interval is a snapshot of one span of a run: by default one second. The
// engine delivers every interval to Plan.OnInterval as it ends; a window
// (the seed's 0-10, 10-20, 20-30 min) is the [Window] of its intervals,
// computed afterwards and exactly.
//
// An Interval is not safe for concurrent mutation.
type Interval struct {
	// Seq is the number of the first base interval the span covers, from
	// 0 at the run's start; Span is how many base intervals it covers (1,
	// unless the series was coarsened or the span is a window).
	Seq  int `json:"seq"`
	Span int `json:"span"`

	Start time.Time `json:"start"` // wall clock at the span's start
	End   time.Time `json:"end"`   // wall clock at its end (the last interval may be short)

	Users    int            `json:"users"`     // running users (closed) or workers (open) at the end
	MaxUsers int            `json:"max_users"` // most users at any interval end within the span
	Classes  map[string]int `json:"classes"`   // running users per class at the end (closed model)

	// Stats holds one Stat per (method, name) that had a request end in the
	// span, sorted by Name then Method.
	Stats []Stat `json:"stats"`

	// Errors aggregates failed requests by (method, name, error), sorted by
	// Count, highest first; Exceptions does the same for errors returned by
	// tasks (Method is empty and Name is "Class/task"). Past the plan's
	// MaxErrors distinct entries, ErrorsOverflow counts what was not kept.
	Errors         []ErrorStat `json:"errors,omitempty"`
	Exceptions     []ErrorStat `json:"exceptions,omitempty"`
	ErrorsOverflow int64       `json:"errors_overflow,omitempty"`

	// Started counts the users (closed model) or workers (open model)
	// that started in the span. Quits aggregates, by (Name, Error), the
	// ones that ended before the load did: Name is "Class/on_start" for
	// a user whose OnStart failed (it never ran a task) and "Class/task"
	// for one a task stopped with ErrStopUser; Error says why (the
	// failed request, or the task's error). Method is empty. Users
	// stopped by the load's end, a ramp-down or Plan.Stop are not
	// quits. Sorted by Count, highest first; past MaxErrors entries they
	// count in ErrorsOverflow.
	Started int64       `json:"started,omitempty"`
	Quits   []ErrorStat `json:"quits,omitempty"`

	Schedule Schedule `json:"schedule"` // open model: arrivals, lag, drops

	// CPU is the generator process's CPU time (user+system) during the span.
	CPU time.Duration `json:"cpu_ns"`

	// Lost, in a run merged from several engines (RunInfo.Parts), lists
	// the segments (as Segment.String writes them) whose figures are
	// missing from the span, in whole or in part: their engine had
	// stopped, died or lost its connection. The span's figures are what
	// the other engines measured; nothing stands in for the lost ones.
	// Sorted; empty when every engine reported.
	Lost []string `json:"lost,omitempty"`

	// Changes lists the load changes made through a [Control] that the
	// engine applied in the span, in order: unplanned stage boundaries.
	Changes []Change `json:"changes,omitempty"`
}

// Duration is End - Start.
func (iv *Interval) Duration() time.Duration { return iv.End.Sub(iv.Start) }

// UsersQuit sums Quits: the users that ended before the load did.
func (iv *Interval) UsersQuit() int64 {
	var n int64
	for i := range iv.Quits {
		n += iv.Quits[i].Count
	}
	return n
}

// Total sums every Stat of the interval into one named [AggregatedName].
func (iv *Interval) Total() Stat { return Total(iv.Stats) }

// Stat returns the Stat of (method, name), or nil.
func (iv *Interval) Stat(method, name string) *Stat {
	i, ok := slices.BinarySearchFunc(iv.Stats, Stat{Method: method, Name: name},
		func(e, t Stat) int { return compareStats(&e, &t) })
	if !ok {
		return nil
	}
	return &iv.Stats[i]
}

// ErrorStat is a failure or exception aggregated by (Method, Name, Error).
type ErrorStat struct {
	Method string    `json:"method"`
	Name   string    `json:"name"`
	Kind   Kind      `json:"kind"`
	Error  string    `json:"error"` // e.g. "HTTP 503 Service Unavailable", "connection refused"
	Count  int64     `json:"count"`
	First  time.Time `json:"first"` // when it was first seen
	Last   time.Time `json:"last"`  // when it was last seen
}

func compareErrorKeys(a, b *ErrorStat) int {
	return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Method, b.Method), cmp.Compare(a.Error, b.Error))
}

// mergeErrors merges src into dst, keeping at most limit distinct entries,
// and returns the result sorted by count (highest first) and the count of
// occurrences that did not fit.
func mergeErrors(dst, src []ErrorStat, limit int) ([]ErrorStat, int64) {
	out := slices.Clone(dst)
	slices.SortFunc(out, func(a, b ErrorStat) int { return compareErrorKeys(&a, &b) })
	var overflow int64
	for _, e := range src {
		i, found := slices.BinarySearchFunc(out, &e, func(x ErrorStat, t *ErrorStat) int { return compareErrorKeys(&x, t) })
		switch {
		case found:
			o := &out[i]
			o.Count += e.Count
			if e.First.Before(o.First) {
				o.First = e.First
			}
			if e.Last.After(o.Last) {
				o.Last = e.Last
			}
		case len(out) < limit:
			out = slices.Insert(out, i, e)
		default:
			overflow += e.Count
		}
	}
	sortErrors(out)
	return out, overflow
}

func sortErrors(es []ErrorStat) {
	slices.SortFunc(es, func(a, b ErrorStat) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), compareErrorKeys(&a, &b))
	})
}

// DefaultMaxErrors is the bound on distinct errors that [Window] and
// [Series] use when none is given (Plan.MaxErrors zero value).
const DefaultMaxErrors = 1000

// Window merges consecutive intervals (in time order) into one span:
// counts and histograms add exactly, Users is the last interval's,
// MaxUsers the largest. It returns nil for no intervals. The inputs are not
// modified.
func Window(ivs ...*Interval) *Interval {
	if len(ivs) == 0 {
		return nil
	}
	w := &Interval{Seq: ivs[0].Seq, Start: ivs[0].Start}
	for _, iv := range ivs {
		w.appendSpan(iv, DefaultMaxErrors)
	}
	return w
}

// appendSpan adds the later span iv to w.
func (w *Interval) appendSpan(iv *Interval, maxErrors int) {
	if w.Span == 0 || iv.Start.Before(w.Start) {
		w.Start = iv.Start
	}
	if iv.End.After(w.End) {
		w.End = iv.End
	}
	w.Span += iv.Span
	w.Users = iv.Users
	w.MaxUsers = max(w.MaxUsers, iv.MaxUsers)
	w.Classes = cloneMap(iv.Classes)
	w.Schedule.Merge(&iv.Schedule)
	w.addCounts(iv, maxErrors)
}

// unionLost adds the lost segments of o to iv's.
func (iv *Interval) unionLost(o *Interval) {
	for _, s := range o.Lost {
		if i, found := slices.BinarySearch(iv.Lost, s); !found {
			iv.Lost = slices.Insert(slices.Clip(iv.Lost), i, s)
		}
	}
}

// Add merges o, the same span measured by another generator (another
// engine of a distributed run), into iv: counts and histograms add
// exactly, and so do users.
func (iv *Interval) Add(o *Interval, maxErrors int) {
	if o.Start.Before(iv.Start) || iv.Start.IsZero() {
		iv.Start = o.Start
	}
	if o.End.After(iv.End) {
		iv.End = o.End
	}
	iv.Span = max(iv.Span, o.Span)
	iv.Users += o.Users
	iv.MaxUsers += o.MaxUsers
	for k, v := range o.Classes {
		if iv.Classes == nil {
			iv.Classes = map[string]int{}
		}
		iv.Classes[k] += v
	}
	iv.Schedule.Add(&o.Schedule)
	iv.addCounts(o, maxErrors)
	if len(o.Changes) > 0 {
		iv.Changes = append(slices.Clone(iv.Changes), o.Changes...)
		slices.SortStableFunc(iv.Changes, func(a, b Change) int { return a.At.Compare(b.At) })
	}
}

func (iv *Interval) addCounts(o *Interval, maxErrors int) {
	if maxErrors <= 0 {
		maxErrors = DefaultMaxErrors
	}
	iv.Stats = mergeStats(iv.Stats, o.Stats)
	var n1, n2, n3 int64
	iv.Errors, n1 = mergeErrors(iv.Errors, o.Errors, maxErrors)
	iv.Exceptions, n2 = mergeErrors(iv.Exceptions, o.Exceptions, maxErrors)
	iv.Quits, n3 = mergeErrors(iv.Quits, o.Quits, maxErrors)
	iv.ErrorsOverflow += o.ErrorsOverflow + n1 + n2 + n3
	iv.Started += o.Started
	iv.CPU += o.CPU
	iv.unionLost(o)
}

func cloneMap(m map[string]int) map[string]int {
	if m == nil {
		return nil
	}
	c := make(map[string]int, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}
