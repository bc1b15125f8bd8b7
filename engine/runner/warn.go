package runner

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/soaklab/soak/engine/analysis/pprofsite"
	"github.com/soaklab/soak/engine/analysis/watch"
	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/probe"
)

// MinLocateInterval is the least time between two look-ups (a leak report,
// a goroutine profile) that locate the signals of one kind from one
// source: signals in between update the warnings already raised.
const MinLocateInterval = 10 * time.Second

// warner turns the live rules' signals (watch.Watcher) into early
// warnings: it locates each with the probe's stacks, raises it once per
// kind, source and place (Config.OnWarning, the capture, the record),
// counts the polls that see it again, and ends the load at the first
// one when Config.FailFast is set. Called from the polling goroutine only,
// except loadStarted.
type warner struct {
	p     *poller
	watch *watch.Watcher

	mu        sync.Mutex // guards loadStart
	loadStart time.Time

	// locateEvery is MinLocateInterval (shorter in tests).
	locateEvery time.Duration

	byKey   map[string]int       // index in p.cap.Warnings
	located map[string]time.Time // last look-up, by signal (kind, source, pool)
	raised  map[string][]string  // the warnings' keys raised, by signal
	// failFast ends the load; it reports false when the load was already
	// over or stopped otherwise. Nil without Config.FailFast.
	failFast func() bool
}

func newWarner(p *poller) *warner {
	return &warner{p: p, watch: watch.NewWatcher(), locateEvery: MinLocateInterval, byKey: map[string]int{},
		located: map[string]time.Time{}, raised: map[string][]string{}}
}

// loadStarted sets the time warnings are counted from.
func (w *warner) loadStarted(t time.Time) {
	w.mu.Lock()
	w.loadStart = t
	w.mu.Unlock()
}

// sample applies the rules to s, a sample of src.
func (w *warner) sample(ctx context.Context, src Source, s *capture.Sample) {
	for _, sig := range w.watch.Observe(s) {
		key := string(sig.Kind) + "\x00" + sig.Source + "\x00" + sig.Pool
		if last, ok := w.located[key]; ok && sig.Time.Sub(last) < w.locateEvery {
			w.seenAgain(key, sig)
			continue
		}
		w.located[key] = sig.Time
		for _, x := range w.locate(ctx, src, sig) {
			if !slices.Contains(w.raised[key], x.Key()) {
				w.raised[key] = append(w.raised[key], x.Key())
			}
			w.raise(x)
		}
	}
}

// seenAgain counts sig on the warnings raised from its kind, source
// and pool.
func (w *warner) seenAgain(key string, sig watch.Signal) {
	w.p.mu.Lock()
	defer w.p.mu.Unlock()
	for _, k := range w.raised[key] {
		x := &w.p.cap.Warnings[w.byKey[k]]
		x.Updates++
		x.Last, x.LastWhat = sig.Time, sig.What
	}
}

// raise adds x, or counts it on the warning of the same key.
func (w *warner) raise(x capture.Warning) {
	w.mu.Lock()
	if !w.loadStart.IsZero() && x.Time.After(w.loadStart) {
		x.At = x.Time.Sub(w.loadStart)
	}
	w.mu.Unlock()
	w.p.mu.Lock()
	if i, ok := w.byKey[x.Key()]; ok {
		old := &w.p.cap.Warnings[i]
		old.Updates++
		old.Last, old.LastWhat = x.Time, x.What
		w.p.mu.Unlock()
		return
	}
	w.byKey[x.Key()] = len(w.p.cap.Warnings)
	w.p.cap.Warnings = append(w.p.cap.Warnings, x)
	w.p.mu.Unlock()
	// The first new warning under load ends it; failFast reports false
	// once the load was ended (by an earlier warning or a Ctrl-C) or is
	// over, and is nil before the load (a warning of the baseline).
	if w.failFast != nil && w.failFast() {
		x.EndedRun = true
		w.p.mu.Lock()
		w.p.cap.Warnings[w.byKey[x.Key()]].EndedRun = true
		w.p.mu.Unlock()
	}
	if w.p.cfg.Record != nil {
		w.p.record(w.p.cfg.Record.Warning(&x))
	}
	if w.p.cfg.OnWarning != nil {
		w.p.cfg.OnWarning(x)
	}
}

// finish records the warnings seen again since they were raised, so that
// the capture on disk has their counts.
func (w *warner) finish() {
	if w.p.cfg.Record == nil {
		return
	}
	w.p.mu.Lock()
	var again []capture.Warning
	for _, x := range w.p.cap.Warnings {
		if x.Updates > 0 {
			again = append(again, x)
		}
	}
	w.p.mu.Unlock()
	for i := range again {
		w.p.record(w.p.cfg.Record.Warning(&again[i]))
	}
}

// locate turns sig into warnings, one per place the probe's stacks name:
// the functions holding past the threshold (a leak report), the places
// whose goroutines grew (a goroutine profile against the steady state's
// start), the functions holding the connections of a pool at its max.
// When the look-up fails, the warning says so in Where.
func (w *warner) locate(ctx context.Context, src Source, sig watch.Signal) []capture.Warning {
	base := capture.Warning{Kind: sig.Kind, Source: sig.Source, What: sig.What, Time: sig.Time}
	switch sig.Kind {
	case capture.WarnHeld:
		rep, err := w.leakReport(ctx, src)
		if err != nil {
			base.Where = "(not located: " + err.Error() + ")"
			return []capture.Warning{base}
		}
		places := holdPlaces(rep, "", sig.Threshold)
		if len(places) == 0 { // released between the poll and the report
			return nil
		}
		out := make([]capture.Warning, 0, len(places))
		for _, pl := range places {
			x := base
			x.Where, x.Route = pl.where, pl.route
			x.What = fmt.Sprintf("%s%d %s held longer than the leak threshold (%s), the oldest for %s",
				pl.atLeast, pl.count, pl.kind, sig.Threshold, (time.Duration(pl.oldest * float64(time.Second))).Round(time.Second))
			out = append(out, x)
		}
		return out
	case capture.WarnPoolTimeouts:
		base.Where = "pool " + sig.Pool
		rep, err := w.leakReport(ctx, src)
		if err != nil {
			base.What += "; holders not located: " + err.Error()
			return []capture.Warning{base}
		}
		if places := holdPlaces(rep, sig.Pool, 0); len(places) > 0 {
			pl := places[0]
			base.Where, base.Route = pl.where, pl.route
			base.What += fmt.Sprintf("; %s holds %d of its connections (the oldest for %s)",
				pl.where, pl.count, (time.Duration(pl.oldest * float64(time.Second))).Round(time.Second))
		}
		return []capture.Warning{base}
	case capture.WarnGoroutines:
		base.Where = "goroutines"
		where, detail, err := w.goroutinePlace(ctx, src, sig.Source)
		if err != nil {
			base.What += "; not located: " + err.Error()
		} else if where != "" {
			base.Where = where
			base.What += "; " + detail
		}
		return []capture.Warning{base}
	}
	return nil
}

func (w *warner) leakReport(ctx context.Context, src Source) (*probe.LeakReport, error) {
	ctx, cancel := context.WithTimeout(ctx, w.p.cfg.PollTimeout)
	defer cancel()
	rep, err := src.Leaks(ctx)
	if err != nil {
		return nil, fmt.Errorf("leak report: %s", cleanError(err))
	}
	if rep == nil {
		return nil, fmt.Errorf("leak report: none")
	}
	return rep, nil
}

// goroutinePlace takes a goroutine profile now and names the function
// whose goroutines grew most since the steady state's start (else the
// baseline's end), and with detail its file:line and growth; "" when none
// grew.
func (w *warner) goroutinePlace(ctx context.Context, src Source, source string) (where, detail string, err error) {
	ctx, cancel := context.WithTimeout(ctx, max(w.p.cfg.PollTimeout, 10*time.Second))
	defer cancel()
	cur, err := src.Profile(ctx, probe.ProfileGoroutine)
	if err != nil {
		return "", "", fmt.Errorf("goroutine profile: %s", cleanError(err))
	}
	var base []byte
	w.p.mu.Lock()
	for _, m := range []capture.Moment{capture.MomentSteadyStart, capture.MomentBaselineEnd} {
		if pr := w.p.cap.Profile(source, probe.ProfileGoroutine, m); pr != nil {
			base = pr.Data
			break
		}
	}
	w.p.mu.Unlock()
	sus, err := pprofsite.GoroutineGrowth(base, cur, 1)
	if err != nil || len(sus) == 0 {
		return "", "", err
	}
	s := sus[0]
	return s.Function, fmt.Sprintf("%d more goroutines wait at %s:%d than at the steady state's start (%s)", s.Value, s.File, s.Line, s.Detail), nil
}

// holdPlace is the holds of one kind by one function.
type holdPlace struct {
	kind, where, route string
	count              int
	atLeast            string  // "at least " when the report lists only some holds' ages
	oldest             float64 // seconds
}

// holdPlaces groups the report's holds at least minAge old (of pool's
// connections only, when pool is set) by kind and function, most held
// first.
func holdPlaces(rep *probe.LeakReport, pool string, minAge time.Duration) []holdPlace {
	idx := map[[2]string]int{}
	var out []holdPlace
	routes := map[int]map[string]int{}
	for _, g := range rep.Groups {
		if g.OldestSeconds < minAge.Seconds() || (pool != "" && (g.Source != pool || g.Kind != probe.LeakPGXConn)) {
			continue
		}
		where := g.Function
		if where == "" {
			where = g.Source
		}
		k := [2]string{g.Kind, where}
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, holdPlace{kind: g.Kind, where: where})
			routes[i] = map[string]int{}
		}
		// A group holds every hold of its stack, young ones too: count
		// those at least minAge old among its holders (the oldest ten).
		n := g.Count
		if minAge > 0 {
			n = 0
			for _, h := range g.Holders {
				if h.AgeSeconds >= minAge.Seconds() {
					n++
				}
			}
			if n == len(g.Holders) && g.Count > n {
				out[i].atLeast = "at least "
			}
		}
		out[i].count += n
		out[i].oldest = max(out[i].oldest, g.OldestSeconds)
		for _, r := range g.Routes {
			routes[i][routeName(r.Method, r.Route)] += r.Count
		}
	}
	for i := range out {
		best, n := "", 0
		for r, c := range routes[i] {
			if c > n || (c == n && r < best) {
				best, n = r, c
			}
		}
		out[i].route = best
	}
	slices.SortFunc(out, func(a, b holdPlace) int {
		return cmp.Or(cmp.Compare(b.count, a.count), cmp.Compare(b.oldest, a.oldest), strings.Compare(a.where, b.where))
	})
	return out
}

// routeName is "GET /stories/{id}": the method and the route, once when
// the route (a ServeMux pattern) already starts with it.
func routeName(method, route string) string {
	if method == "" || strings.HasPrefix(route, method+" ") {
		return route
	}
	return strings.TrimSpace(method + " " + route)
}
