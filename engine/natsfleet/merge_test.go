package natsfleet

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/soaklab/soak/engine"
)

var t0 = time.Date(2027, 1, 15, 8, 0, 0, 0, time.UTC)

// synthInterval is interval seq of a worker: latencies drawn from rng
// for a few names.
func synthInterval(rng *rand.Rand, seq, names, users int) *engine.Interval {
	iv := &engine.Interval{Seq: seq, Span: 1, Start: t0.Add(time.Duration(seq) * time.Second),
		End: t0.Add(time.Duration(seq+1) * time.Second), Users: users, MaxUsers: users, Classes: map[string]int{"A": users}}
	for i := range names {
		s := engine.Stat{Method: "GET", Name: fmt.Sprintf("/n%03d", i), Latency: &engine.Histogram{}}
		for range 1 + rng.IntN(40) {
			us := int64(1 + rng.ExpFloat64()*5000)
			s.Latency.Record(us)
			if s.Requests == 0 || us < s.MinMicros {
				s.MinMicros = us
			}
			s.MaxMicros = max(s.MaxMicros, us)
			s.Requests++
			s.SumMicros += us
		}
		iv.Stats = append(iv.Stats, s)
	}
	return iv
}

// msgs feeds a merger as a stream would.
type feed struct {
	t   *testing.T
	m   *merger
	out []*engine.Interval
	at  time.Time
}

func newFeed(t *testing.T) *feed {
	f := &feed{t: t, at: t0}
	f.m = newMerger(func(iv *engine.Interval) { f.out = append(f.out, iv) })
	return f
}

func (f *feed) send(rel string, v any, hdr map[string]string) {
	f.t.Helper()
	b, ok := v.([]byte)
	if !ok {
		var err error
		if b, err = json.Marshal(v); err != nil {
			f.t.Fatal(err)
		}
	}
	f.at = f.at.Add(time.Millisecond)
	if err := f.m.apply(rel, b, func(k string) string { return hdr[k] }, f.at); err != nil {
		f.t.Fatalf("%s: %v", rel, err)
	}
}

func (f *feed) start(workers ...string) {
	info := engine.RunInfo{RunID: "r", Start: t0, Interval: time.Second}
	ev := &event{Kind: evStart, At: t0, Info: &info}
	for i, w := range workers {
		ev.Parts = append(ev.Parts, part{Segment: engine.EqualParts(len(workers))[i].String(), Worker: w, Name: "host/" + w})
	}
	f.send("ev", ev, nil)
}

func (f *feed) interval(w string, iv *engine.Interval) { f.send("w."+w+".iv", iv, nil) }

func (f *feed) done(w string, sent int, e engine.Ending) {
	f.send("w."+w+".done", &done{Sent: sent, Ending: e}, nil)
}

// union records every latency of every interval given into one
// histogram per (method, name), the way one engine would have.
func union(ivs ...[]*engine.Interval) map[string]*engine.Histogram {
	out := map[string]*engine.Histogram{}
	for _, list := range ivs {
		for _, iv := range list {
			for _, s := range iv.Stats {
				h := out[s.Name]
				if h == nil {
					h = &engine.Histogram{}
					out[s.Name] = h
				}
				s.Latency.Buckets(func(us, count int64) bool {
					for range count {
						h.Record(us)
					}
					return true
				})
			}
		}
	}
	return out
}

func checkUnion(t *testing.T, merged []*engine.Interval, want map[string]*engine.Histogram) {
	t.Helper()
	tot := engine.Window(merged...)
	if tot == nil {
		t.Fatal("nothing merged")
	}
	if len(tot.Stats) != len(want) {
		t.Fatalf("%d names merged, %d in the union", len(tot.Stats), len(want))
	}
	for _, s := range tot.Stats {
		u := want[s.Name]
		if !s.Latency.Equal(u) {
			t.Fatalf("%s: the merged histogram differs from the union of the workers'", s.Name)
		}
		// The histograms' own percentiles: Stat.Percentile clamps them to
		// the exact min and max, which a union of bare histograms lacks.
		for _, p := range []float64{50, 90, 95, 99, 99.9, 100} {
			if s.Latency.Percentile(p) != u.Percentile(p) {
				t.Fatalf("%s: p%v merged %d, union %d", s.Name, p, s.Latency.Percentile(p), u.Percentile(p))
			}
		}
	}
}

// TestMergerExact: three workers' intervals, interleaved as a stream
// interleaves them, merge seq by seq into the union of their histograms.
func TestMergerExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	f := newFeed(t)
	f.start("a", "b", "c")
	var sent [][]*engine.Interval
	for range 3 {
		sent = append(sent, nil)
	}
	for seq := range 10 {
		for i, w := range []string{"c", "a", "b"} {
			iv := synthInterval(rng, seq, 5, 10+i)
			sent[i] = append(sent[i], iv)
			f.interval(w, iv)
		}
		if len(f.out) != seq+1 {
			t.Fatalf("after every worker's interval %d: %d merged", seq, len(f.out))
		}
	}
	for _, w := range []string{"a", "b", "c"} {
		f.done(w, 10, engine.EndCompleted)
	}
	if !f.m.over || len(f.out) != 10 {
		t.Fatalf("over %v, %d merged", f.m.over, len(f.out))
	}
	checkUnion(t, f.out, union(sent...))
	if f.out[3].Users != 33 || f.out[3].Classes["A"] != 33 || len(f.out[3].Lost) != 0 {
		t.Errorf("interval 3: %d users, classes %v, lost %v", f.out[3].Users, f.out[3].Classes, f.out[3].Lost)
	}
}

// TestMergerLost: a worker given up is named in Lost from its first
// missing interval on, what it sends afterwards is left out, and the
// parts record when and why.
func TestMergerLost(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	f := newFeed(t)
	f.start("a", "b")
	for seq := range 3 {
		f.interval("a", synthInterval(rng, seq, 2, 5))
		f.interval("b", synthInterval(rng, seq, 2, 5))
	}
	f.interval("a", synthInterval(rng, 3, 2, 5))
	if len(f.out) != 3 {
		t.Fatalf("%d merged before b's interval 3", len(f.out))
	}
	f.send("ev", &event{Kind: evLost, Worker: "b", Seq: 3, Why: "no interval 3"}, nil)
	if len(f.out) != 4 || !slices.Equal(f.out[3].Lost, []string{"2/2"}) || f.out[3].Users != 5 {
		t.Fatalf("interval 3 after b was lost: %d merged, %+v", len(f.out), f.out[len(f.out)-1])
	}
	f.interval("b", synthInterval(rng, 3, 2, 5)) // too late
	f.interval("a", synthInterval(rng, 4, 2, 5))
	f.done("a", 5, engine.EndCompleted)
	if !f.m.over || len(f.out) != 5 || !slices.Equal(f.out[4].Lost, []string{"2/2"}) || f.m.late() != 1 {
		t.Fatalf("over %v, %d merged, late %d", f.m.over, len(f.out), f.m.late())
	}
	parts := f.m.parts()
	if parts[0].Stopped != (time.Time{}) || parts[1].Stopped != t0.Add(3*time.Second) || parts[1].Why != "no interval 3" || parts[1].Engine != "host/b" {
		t.Errorf("parts: %+v", parts)
	}
}

// TestMergerEndsEarly: a worker that stops on its own while the run
// goes on is lost from its last (partial) interval; one stopped by the
// coordinator is not.
func TestMergerEndsEarly(t *testing.T) {
	for _, asked := range []bool{false, true} {
		rng := rand.New(rand.NewPCG(5, 5))
		f := newFeed(t)
		f.start("a", "b")
		f.interval("a", synthInterval(rng, 0, 1, 1))
		f.interval("b", synthInterval(rng, 0, 1, 1))
		if asked {
			f.send("ev", &event{Kind: evStop}, nil)
		}
		f.interval("a", synthInterval(rng, 1, 1, 1))
		f.done("a", 2, engine.EndStopped)
		f.interval("b", synthInterval(rng, 1, 1, 1))
		f.interval("b", synthInterval(rng, 2, 1, 1))
		f.done("b", 3, engine.EndCompleted)
		lost := f.out[2].Lost
		if len(f.out) != 3 || asked != (len(lost) == 0) {
			t.Errorf("asked %v: %d merged, interval 2 lost %v", asked, len(f.out), lost)
		}
	}
}

// TestMergerParts: an interval split to fit small messages comes back
// whole, exactly.
func TestMergerParts(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	iv := synthInterval(rng, 0, 40, 7)
	iv.Errors = []engine.ErrorStat{{Method: "GET", Name: "/n001", Kind: 1, Error: "HTTP 500", Count: 1, First: t0, Last: t0}}
	iv.Stats[1].Kinds[1] = 1
	parts, err := splitInterval(iv, 4000)
	if err != nil {
		t.Fatal(err)
	}
	if len(parts) < 3 {
		t.Fatalf("%d parts", len(parts))
	}
	f := newFeed(t)
	f.start("a")
	for i, b := range parts {
		if len(b) > 4000 {
			t.Errorf("part %d: %d bytes", i, len(b))
		}
		f.send("w.a.iv", b, map[string]string{hdrPart: strconv.Itoa(i), hdrParts: strconv.Itoa(len(parts))})
		if (len(f.out) == 1) != (i == len(parts)-1) {
			t.Fatalf("after part %d of %d: %d merged", i, len(parts), len(f.out))
		}
	}
	got := f.out[0]
	if got.Users != 7 || len(got.Errors) != 1 || len(got.Stats) != 40 {
		t.Fatalf("reassembled: %d users, %d errors, %d stats", got.Users, len(got.Errors), len(got.Stats))
	}
	checkUnion(t, f.out, union([]*engine.Interval{iv}))
	if _, err := splitInterval(iv, 50); err == nil {
		t.Error("a limit no stat fits in: no error")
	}
}

// TestMergerProperty: for many random runs (workers, intervals, parts,
// interleavings, losses), the merged intervals hold exactly the union of
// what every worker delivered before it was lost, and the merged count
// of intervals is the longest worker's.
func TestMergerProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for trial := range 40 {
		nw := 1 + rng.IntN(5)
		ids := make([]string, nw)
		seqs := make([]int, nw)
		lostAt := make([]int, nw)
		var queues [][]func(*feed)
		var counted [][]*engine.Interval
		for i := range nw {
			ids[i] = fmt.Sprintf("w%d", i)
			seqs[i] = 1 + rng.IntN(6)
			lostAt[i] = -1
			if rng.IntN(4) == 0 {
				lostAt[i] = rng.IntN(seqs[i] + 1)
			}
			var q []func(*feed)
			var kept []*engine.Interval
			for seq := range seqs[i] {
				iv := synthInterval(rng, seq, 1+rng.IntN(4), 1+rng.IntN(9))
				if lostAt[i] < 0 || seq < lostAt[i] {
					kept = append(kept, iv)
				}
				limit := 1 << 20
				if rng.IntN(2) == 0 {
					limit = 600 + rng.IntN(2000)
				}
				parts, err := splitInterval(iv, limit)
				if err != nil { // a stat larger than the limit: sent whole
					b, _ := json.Marshal(iv)
					parts = [][]byte{b}
				}
				id := ids[i]
				for k, b := range parts {
					h := map[string]string{}
					if len(parts) > 1 {
						h = map[string]string{hdrPart: strconv.Itoa(k), hdrParts: strconv.Itoa(len(parts))}
					}
					q = append(q, func(f *feed) { f.send("w."+id+".iv", b, h) })
				}
				if lostAt[i] == seq+1 {
					q = append(q, func(f *feed) { f.send("ev", &event{Kind: evLost, Worker: id}, nil) })
				}
			}
			if lostAt[i] == 0 {
				q = append([]func(*feed){func(f *feed) { f.send("ev", &event{Kind: evLost, Worker: ids[i]}, nil) }}, q...)
			}
			n, id := seqs[i], ids[i]
			q = append(q, func(f *feed) { f.done(id, n, engine.EndCompleted) })
			queues = append(queues, q)
			counted = append(counted, kept)
		}
		f := newFeed(t)
		f.start(ids...)
		for {
			var live []int
			for i, q := range queues {
				if len(q) > 0 {
					live = append(live, i)
				}
			}
			if len(live) == 0 {
				break
			}
			i := live[rng.IntN(len(live))]
			queues[i][0](f)
			queues[i] = queues[i][1:]
		}
		want := union(counted...)
		if len(want) == 0 {
			continue
		}
		if !f.m.over {
			t.Fatalf("trial %d: not over", trial)
		}
		checkUnion(t, f.out, want)
		longest := 0
		for i := range nw {
			if lostAt[i] < 0 {
				longest = max(longest, seqs[i])
			} else {
				longest = max(longest, lostAt[i])
			}
		}
		if len(f.out) != longest {
			t.Fatalf("trial %d: %d merged, the longest worker counted %d", trial, len(f.out), longest)
		}
	}
}

// FuzzMergerApply: a message of any subject and content is merged or
// refused with an error, never a panic.
func FuzzMergerApply(f *testing.F) {
	iv, _ := json.Marshal(synthInterval(rand.New(rand.NewPCG(1, 1)), 0, 2, 3))
	f.Add("w.a.iv", iv, "", "")
	f.Add("w.a.iv", iv, "1", "2")
	f.Add("w.a.done", []byte(`{"sent":1,"ending":"completed"}`), "", "")
	f.Add("ev", []byte(`{"kind":"lost","worker":"a"}`), "", "")
	f.Add("w.zz.iv", []byte(`{}`), "x", "y")
	f.Fuzz(func(t *testing.T, rel string, data []byte, part, parts string) {
		fd := newFeed(&testing.T{})
		fd.start("a", "b")
		_ = fd.m.apply(rel, data, func(k string) string {
			return map[string]string{hdrPart: part, hdrParts: parts}[k]
		}, t0)
		fd.m.finish(t0, "end")
		_ = fd.m.health()
		_ = fd.m.parts()
	})
}
