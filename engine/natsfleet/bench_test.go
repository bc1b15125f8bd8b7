package natsfleet

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/soaklab/soak/engine"
)

// BenchmarkMerge is the coordinator's work per worker-interval: decode
// one worker's interval as it comes off the stream (JSON, HDR histograms
// in their compressed form) and merge it exactly into the run; every
// third one completes a merged interval. Each interval holds 1, 10 or
// 100 names of 300 requests each (10 names: a worker at 3,000 req/s
// sending every second).
func BenchmarkMerge(b *testing.B) {
	for _, names := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("names=%d", names), func(b *testing.B) { benchMerge(b, names) })
	}
}

func benchMerge(b *testing.B, names int) {
	const workers, pool = 3, 30
	rng := rand.New(rand.NewPCG(9, 9))
	enc := make([][]byte, pool)
	for i := range enc {
		iv := synthInterval(rng, 0, names, 100)
		for j := range iv.Stats {
			s := &iv.Stats[j]
			for range 300 - s.Requests {
				us := int64(1 + rng.ExpFloat64()*5000)
				s.Latency.Record(us)
				s.Requests++
				s.SumMicros += us
				s.MaxMicros = max(s.MaxMicros, us)
			}
		}
		enc[i], _ = json.Marshal(iv)
	}
	ids := []string{"a", "b", "c"}
	merged := 0
	m := newMerger(func(*engine.Interval) { merged++ })
	info := engine.RunInfo{Start: t0, Interval: time.Second}
	ev := &event{Kind: evStart, At: t0, Info: &info}
	for i, id := range ids {
		ev.Parts = append(ev.Parts, part{Segment: engine.EqualParts(workers)[i].String(), Worker: id})
	}
	m.event(ev, t0)
	noHeader := func(string) string { return "" }
	b.ReportAllocs()
	b.SetBytes(int64(len(enc[0])))
	b.ResetTimer()
	for i := range b.N {
		seq, w := i/workers, i%workers
		// The same encoded interval under the next seq: patch the number.
		data := withSeq(enc[i%pool], seq)
		if err := m.apply("w."+ids[w]+".iv", data, noHeader, t0); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if merged != b.N/workers {
		b.Fatalf("%d merged of %d worker-intervals", merged, b.N)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "worker-intervals/s")
}

// withSeq is an encoded interval of seq 0 renumbered seq.
func withSeq(enc []byte, seq int) []byte {
	const zero = `{"seq":0,`
	if !bytes.HasPrefix(enc, []byte(zero)) {
		panic("an interval's encoding does not start with its seq")
	}
	return append([]byte(`{"seq":`+strconv.Itoa(seq)+`,`), enc[len(zero):]...)
}
