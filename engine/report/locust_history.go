package report

import (
	"cmp"
	"io"
	"slices"
	"strconv"
	"time"

	"github.com/soaklab/soak/engine"
)

// HistoryWindow is the span of the "current" figures of
// PREFIX_stats_history.csv (Requests/s, Failures/s, and with FullHistory
// the percentiles): the intervals ending in the last 10 s, as Locust's
// CURRENT_RESPONSE_TIME_PERCENTILE_WINDOW; at least one interval when the
// series is coarser.
const HistoryWindow = 10 * time.Second

// windowStat is what the current-window figures need of one entry.
type windowStat struct {
	requests, failures int64
	times              locustTimes
}

func (w *windowStat) add(o *windowStat, sign int64) {
	w.requests += sign * o.requests
	w.failures += sign * o.failures
	for i, c := range o.times.counts {
		w.times.counts[i] += sign * c
	}
}

// historyEntry is one (method, name) of the history: whole-run figures so
// far and the current window's.
type historyEntry struct {
	cum    locustStat
	window windowStat
}

// windowPart is one interval's share of the window: its duration and, by
// entry index (-1 for the aggregate), what it added.
type windowPart struct {
	dur   time.Duration
	parts []windowPartEntry
}

type windowPartEntry struct {
	entry int
	ws    windowStat
}

// history walks a run's intervals and keeps the state every row needs.
type history struct {
	full    bool
	entries []*historyEntry // sorted by name then method, as Locust sorts
	total   historyEntry
	ring    []*windowPart
	free    []*windowPart
	winDur  time.Duration
}

func (h *history) entry(st *engine.Stat) (k int, inserted bool) {
	i, found := slices.BinarySearchFunc(h.entries, st, func(e *historyEntry, t *engine.Stat) int {
		return cmp.Or(cmp.Compare(e.cum.name, t.Name), cmp.Compare(e.cum.method, t.Method))
	})
	if !found {
		h.entries = slices.Insert(h.entries, i, &historyEntry{cum: locustStat{method: st.Method, name: st.Name}})
	}
	return i, !found
}

// add takes the next interval into the whole-run figures and the window.
func (h *history) add(iv *engine.Interval) {
	part := h.newPart(iv.Duration())
	var agg windowStat
	for i := range iv.Stats {
		st := &iv.Stats[i]
		if st.Requests == 0 { // only aborted requests: Locust would not know the entry
			continue
		}
		var s locustStat
		s.addStat(st)
		k, inserted := h.entry(st)
		if inserted {
			h.shiftParts(k, part)
		}
		e := h.entries[k]
		e.cum.add(&s)
		h.total.cum.add(&s)
		ws := windowStat{requests: s.requests, failures: s.failures}
		if h.full {
			ws.times = s.times
		}
		agg.add(&ws, 1)
		e.window.add(&ws, 1)
		part.parts = append(part.parts, windowPartEntry{entry: k, ws: ws})
	}
	h.total.window.add(&agg, 1)
	part.parts = append(part.parts, windowPartEntry{entry: -1, ws: agg})
	h.ring = append(h.ring, part)
	h.winDur += part.dur
	for len(h.ring) > 1 && h.winDur-h.ring[0].dur >= HistoryWindow {
		old := h.ring[0]
		h.ring = h.ring[1:]
		h.winDur -= old.dur
		for j := range old.parts {
			p := &old.parts[j]
			if p.entry < 0 {
				h.total.window.add(&p.ws, -1)
			} else {
				h.entries[p.entry].window.add(&p.ws, -1)
			}
		}
		h.free = append(h.free, old)
	}
}

// shiftParts renumbers the ring's entry indexes after an entry was
// inserted at k, in the ring and in cur, the part being filled.
func (h *history) shiftParts(k int, cur *windowPart) {
	for _, p := range append(h.ring, cur) {
		for j := range p.parts {
			if p.parts[j].entry >= k {
				p.parts[j].entry++
			}
		}
	}
}

func (h *history) newPart(d time.Duration) *windowPart {
	if n := len(h.free); n > 0 {
		p := h.free[n-1]
		h.free = h.free[:n-1]
		p.dur, p.parts = d, p.parts[:0]
		return p
	}
	return &windowPart{dur: d}
}

// LocustHistory returns the Reporter of PREFIX_stats_history.csv: at every
// interval of the run (soak's base interval is 1 s by default; of
// sub-second intervals only the last of each second, as Locust writes a
// row a second at most), the Aggregated row — preceded with
// FullHistory by one row per (method, name) seen so far. Timestamp is the
// interval's end in Unix seconds; User Count the users running then;
// Requests/s and Failures/s cover the last HistoryWindow; percentiles are
// whole-run so far, or of the last HistoryWindow with FullHistory, as in
// Locust; the Total columns are whole-run so far.
func LocustHistory(run Run, opt CSVOptions) Reporter {
	return func(w io.Writer) error {
		res, err := run.engine()
		if err != nil {
			return err
		}
		h := &history{full: opt.FullHistory}
		h.total.cum.name = engine.AggregatedName
		cw := newCSVWriter(w)
		cw.row(locustHistoryColumns...)
		row := make([]string, 0, len(locustHistoryColumns))
		ivs := res.Intervals
		for i, iv := range ivs {
			h.add(iv)
			if i+1 < len(ivs) && ivs[i+1].End.Unix() == iv.End.Unix() {
				continue // Locust writes a row a second at most: the second's last interval speaks for it
			}
			ts, users := strconv.FormatInt(iv.End.Unix(), 10), strconv.Itoa(iv.Users)
			secs := h.winDur.Seconds()
			write := func(e *historyEntry) {
				c := &e.cum
				row = append(row[:0], ts, users, c.method, c.name,
					pyFixed6(rate(e.window.requests, secs)), pyFixed6(rate(e.window.failures, secs)))
				if h.full {
					row = appendPercentiles(row, c.requests, &e.window.times, e.window.requests)
				} else {
					row = appendPercentiles(row, c.requests, &c.times, c.requests)
				}
				row = append(row, strconv.FormatInt(c.requests, 10), strconv.FormatInt(c.failures, 10),
					c.median().String(), c.avg().String(), c.min().String(), c.max().String(),
					c.avgContentSize().String())
				cw.row(row...)
			}
			if h.full {
				for _, e := range h.entries {
					write(e)
				}
			}
			write(&h.total)
		}
		return cw.flush()
	}
}

func rate(n int64, secs float64) float64 {
	if secs <= 0 {
		return 0
	}
	return float64(n) / secs
}
