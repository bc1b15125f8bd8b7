package engine

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// Intervals written as JSON lines read back exactly: what `soak report DIR`
// rebuilds equals what the run measured.
func TestIntervalsRoundTrip(t *testing.T) {
	ivs := mkSeries(30)
	var buf bytes.Buffer
	w := NewIntervalWriter(&buf)
	for _, iv := range ivs {
		if err := w.Write(iv); err != nil {
			t.Fatal(err)
		}
	}
	if n := bytes.Count(buf.Bytes(), []byte("\n")); n != len(ivs) {
		t.Fatalf("%d lines for %d intervals", n, len(ivs))
	}
	back, err := ReadIntervals(&buf, "intervals.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if len(back) != len(ivs) {
		t.Fatalf("read %d intervals, wrote %d", len(back), len(ivs))
	}
	for i := range ivs {
		sameCounts(t, "interval", back[i], ivs[i])
		a, _ := json.Marshal(ivs[i])
		b, _ := json.Marshal(back[i])
		if !bytes.Equal(a, b) {
			t.Fatalf("interval %d re-encodes differently:\n%s\n%s", i, a, b)
		}
	}
	info := RunInfo{RunID: "r1", Model: "closed", Start: t0, Interval: 1e9, Cores: 2}
	r1, r2 := NewResult(info, ivs, 0), NewResult(info, back, 0)
	sameCounts(t, "rebuilt result", r1.Total, r2.Total)
}

func TestReadIntervalsErrorsNameTheLine(t *testing.T) {
	good, _ := json.Marshal(mkSeries(1)[0])
	bad := mkSeries(1)[0]
	bad.Stats[0].Requests += 5 // histogram no longer holds every request
	badLine, _ := json.Marshal(bad)
	for _, c := range []struct {
		input, want string
	}{
		{string(good) + "\n\n" + string(badLine) + "\n", "run.jsonl:3: stats[0]: histogram holds"},
		{string(good) + "\n" + string(good[:len(good)/2]) + "\n", "run.jsonl:2: unexpected end of JSON input"},
		{`{"seq":-1,"span":1}`, "run.jsonl:1: seq: negative"},
		{`{"seq":0,"span":1,"stats":[{"method":"GET","name":"/b","latency":"HIST"},{"method":"GET","name":"/a","latency":"HIST"}]}`, "run.jsonl:1: "},
		{`{"seq":0,"span":1,"stats":[{"method":"GET","name":"/a","failures":{"nope":1}}]}`, `unknown failure kind "nope"`},
		{`{"seq":0,"span":0}`, "span: 0 is below 1"},
	} {
		ivs, err := ReadIntervals(strings.NewReader(c.input), "run.jsonl")
		if !errors.Is(err, ErrInterval) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ReadIntervals(%.60q) = %v, want an error containing %q", c.input, err, c.want)
		}
		if strings.HasPrefix(c.input, string(good)) && len(ivs) != 1 {
			t.Errorf("the complete intervals before the bad line were not returned (%d)", len(ivs))
		}
	}
}

func FuzzDecodeInterval(f *testing.F) {
	for _, iv := range mkSeries(3) {
		b, _ := json.Marshal(iv)
		f.Add(b)
	}
	f.Add([]byte(`{"seq":0,"span":1,"stats":[{"method":"GET","name":"/a","requests":1,"failures":{"timeout":2}}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		iv, err := DecodeInterval(b)
		if err != nil {
			return
		}
		// Whatever decodes is consistent: it re-encodes, decodes to the
		// same, and merges without breaking its invariants.
		again, err := json.Marshal(iv)
		if err != nil {
			t.Fatal(err)
		}
		iv2, err := DecodeInterval(again)
		if err != nil {
			t.Fatalf("re-encoded interval does not decode: %v", err)
		}
		w := Window(iv, iv2)
		if err := w.check(); err != nil {
			t.Fatalf("merged interval is inconsistent: %v", err)
		}
		tot := w.Total()
		if tot.Latency.Count() != tot.Requests {
			t.Fatal("total histogram does not hold every request")
		}
	})
}
