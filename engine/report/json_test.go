package report

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/analysis"
)

func writeDoc(t testing.TB, run Run) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := JSON(run)(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// roundTrip writes run's document, reads it back, and checks that it is
// the document NewDocument builds and that it writes back byte for byte.
func roundTrip(t *testing.T, run Run) *Document {
	t.Helper()
	b := writeDoc(t, run)
	d, err := ReadJSON(bytes.NewReader(b), "report.json")
	if err != nil {
		t.Fatal(err)
	}
	want, err := NewDocument(run)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(d, want) {
		t.Errorf("read back:\n%+v\nwant\n%+v", d, want)
	}
	var again bytes.Buffer
	if err := d.Write(&again); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again.Bytes(), b) {
		t.Errorf("rewritten document differs:\n%s\nwant\n%s", again.Bytes(), b)
	}
	return d
}

func TestJSONRoundTrip(t *testing.T) {
	d := roundTrip(t, Run{Result: knownRun(t), IntervalsFile: "intervals.jsonl", Partial: true})
	if !d.Partial || d.IntervalsFile != "intervals.jsonl" {
		t.Errorf("partial %v, intervals file %q", d.Partial, d.IntervalsFile)
	}
}

// A run that was stopped early (the first Ctrl-C) or cancelled gives
// partial outputs even when the caller does not say so.
func TestPartialFromEnding(t *testing.T) {
	for _, c := range []struct {
		stopped, canceled, want bool
	}{{false, false, false}, {true, false, true}, {false, true, true}} {
		res := knownRun(t)
		res.Stopped, res.Canceled = c.stopped, c.canceled
		d, err := NewDocument(Run{Result: res})
		if err != nil {
			t.Fatal(err)
		}
		if d.Partial != c.want {
			t.Errorf("stopped %v canceled %v: partial %v", c.stopped, c.canceled, d.Partial)
		}
	}
}

func TestJSONValues(t *testing.T) {
	d, err := NewDocument(Run{Result: knownRun(t)})
	if err != nil {
		t.Fatal(err)
	}
	if d.Format != "soak/v1" || d.Partial || d.Run.ID != "run-1" || d.Run.DurationSeconds != 10 || d.Run.Width != 1 {
		t.Errorf("document head: %+v %+v", d.Format, d.Run)
	}
	a := d.Endpoints[0] // GET /a: 10 20 30 ms, 40 ms 503, 5 ms 429
	if a.Method != "GET" || a.Name != "/a" || a.Requests != 5 || a.Successes != 3 || a.Failures != 1 ||
		a.RateLimited != 1 || a.FailuresByKind[engine.KindStatus5xx] != 1 || a.Bytes != 350 || a.AvgBytes != 70 ||
		a.MeanMs != 21 || a.MinMs != 5 || a.MaxMs != 40 || a.RPS != 0.5 || a.FailuresPerSecond != 0.1 ||
		a.RateLimitedPerSecond != 0.1 {
		t.Errorf("GET /a = %+v", a)
	}
	if d.Totals.Name != engine.AggregatedName || d.Totals.Requests != 6 || d.Totals.MaxMs != 150 {
		t.Errorf("totals = %+v", d.Totals)
	}
	if len(d.Intervals) != 10 || d.Intervals[1].Requests != 3 || d.Intervals[1].Failures != 1 ||
		d.Intervals[1].RateLimited != 1 || d.Intervals[1].Users != 4 || d.Intervals[1].RPS != 3 ||
		len(d.Intervals[1].Endpoints) != 1 || d.Intervals[1].Endpoints[0].MaxMs != 40 {
		t.Errorf("interval 1 = %+v", d.Intervals[1])
	}
	if len(d.Errors) != 1 || d.Errors[0].Error != "HTTP 503 Service Unavailable" || len(d.Exceptions) != 1 {
		t.Errorf("errors = %+v, exceptions = %+v", d.Errors, d.Exceptions)
	}
}

// Percentiles equal hdrhistogram-go's own, from an independent histogram
// of the same samples, within the exact min and max: HDR answers with a
// bucket's highest value, which for p100 lies above the largest sample.
func TestJSONPercentilesAreHDRs(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	ref := hdr.New(engine.LowestMicros, engine.HighestMicros, engine.SignificantDigits)
	var samples []sample
	lo, hi := int64(math.MaxInt64), int64(0)
	for range 5000 {
		us := int64(rng.ExpFloat64()*20_000) + 200
		lo, hi = min(lo, us), max(hi, us)
		samples = append(samples, sample{us: us})
		if err := ref.RecordValue(us); err != nil {
			t.Fatal(err)
		}
	}
	d, err := NewDocument(Run{Result: result(t, interval(0, 1, statOf("GET", "/x", samples...)))})
	if err != nil {
		t.Fatal(err)
	}
	for i, k := range PercentileKeys {
		want := float64(min(max(ref.ValueAtPercentile(percentileValues[i]), lo), hi)) / 1000
		if got := d.Endpoints[0].Percentiles[k]; got != want {
			t.Errorf("p%s = %v ms, hdr says %v (clamped to [%d, %d] µs)", k, got, want, lo, hi)
		}
	}
	if e := d.Endpoints[0]; e.Percentiles["100"] != e.MaxMs {
		t.Errorf("p100 %v ms, max %v ms", e.Percentiles["100"], e.MaxMs)
	}
	iv := d.Intervals[0]
	if iv.P50Ms != float64(ref.ValueAtPercentile(50))/1000 || iv.P99Ms != float64(ref.ValueAtPercentile(99))/1000 {
		t.Errorf("interval p50/p99 = %v/%v, hdr says %v/%v", iv.P50Ms, iv.P99Ms,
			float64(ref.ValueAtPercentile(50))/1000, float64(ref.ValueAtPercentile(99))/1000)
	}
}

func TestReadJSONErrors(t *testing.T) {
	good := string(writeDoc(t, Run{Result: knownRun(t)}))
	for _, c := range []struct{ name, doc, want string }{
		{"empty", "", "r.json:1:1: unexpected end of JSON input"},
		{"syntax", "{\n \"format\": \"soak/v1\",\n \"run\": {]\n}", "r.json:3:10: invalid character ']'"},
		{"no format", `{"run": {}}`, "r.json: format: missing"},
		{"other format", `{"format": "soak/v2"}`, `r.json: format: "soak/v2" is not "soak/v1"`},
		{"type", strings.Replace(good, `"requests":6`, `"requests":"six"`, 1), "totals.requests"},
		{"failures", strings.Replace(good, `"failures":1,`, `"failures":9,`, 1), "totals.failures: failures and 429s exceed requests"},
		{"percentiles", strings.Replace(good, `"50":20.015,`, `"50":99,`, 1), `totals.percentiles_ms["66"]`},
		{"endpoint", strings.Replace(good, `"successes":3,`, `"successes":4,`, 1), "endpoints[0].successes"},
		{"interval", strings.Replace(good, `"users":4,`, `"users":-4,`, 1), "intervals[1].users: negative"},
		{"trailing", good + "{}", "r.json:"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadJSON(strings.NewReader(c.doc), "r.json")
			if err == nil || !errors.Is(err, ErrJSON) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want one containing %q", err, c.want)
			}
		})
	}
}

func FuzzReadJSON(f *testing.F) {
	f.Add(writeDoc(f, Run{Result: knownRun(&testing.T{})}))
	f.Add([]byte(`{"format":"soak/v1"}`))
	f.Add([]byte(`{"format":"soak/v1","totals":{"requests":1,"successes":1,"percentiles_ms":{}}}`))
	f.Add([]byte(`{"format":"soak/v1","intervals":[{"span":1,"start":"2026-01-01T00:00:00Z","end":"2025-01-01T00:00:00Z"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := ReadJSON(bytes.NewReader(b), "fuzz.json")
		if err != nil {
			return
		}
		// What was accepted writes out and reads back to the same document.
		var out bytes.Buffer
		if err := d.Write(&out); err != nil {
			t.Fatal(err)
		}
		d2, err := ReadJSON(&out, "rewritten.json")
		if err != nil {
			t.Fatalf("rewritten document rejected: %v", err)
		}
		if !reflect.DeepEqual(d, d2) {
			t.Fatalf("not a fixed point:\n%+v\n%+v", d, d2)
		}
	})
}

// A host with credentials never reaches an output.
func TestNoCredentialsInOutputs(t *testing.T) {
	res := knownRun(t)
	res.Host = "http://admin:s3cr3t-token@127.0.0.1:8000/base"
	run := Run{Result: res}
	for name, out := range map[string]string{"json": string(writeDoc(t, run)), "html": renderHTML(t, run)} {
		if strings.Contains(out, "s3cr3t") || strings.Contains(out, "admin") {
			t.Errorf("%s output holds the host's credentials", name)
		}
		if !strings.Contains(out, "http://127.0.0.1:8000/base") {
			t.Errorf("%s output lacks the host", name)
		}
	}
	if got := withoutCredentials("http://[::1"); got != "(unparsable host)" {
		t.Errorf("unparsable host -> %q", got)
	}
}

// An analysed run is partial as its analysis says (a capacity search that
// stopped the engine at its breaking point is whole); a client-side run
// as the engine's ending says.
func TestPartialFollowsTheAnalysis(t *testing.T) {
	res := knownRun(t)
	res.Canceled = true
	a, err := analysis.Analyze(res, nil, analysis.DefaultThresholds())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name    string
		run     Run
		partial bool
	}{
		{"client-side, cancelled", Run{Result: res}, true},
		{"analysed, cancelled", Run{Analysis: a}, true},
		{"analysed, the search broke on purpose", Run{Analysis: &analysis.Result{Engine: res}}, false},
		{"analysed, interrupted", Run{Analysis: &analysis.Result{Engine: res}, Partial: true}, true},
	} {
		d, err := NewDocument(c.run)
		if err != nil {
			t.Fatal(err)
		}
		if d.Partial != c.partial {
			t.Errorf("%s: partial %v, want %v", c.name, d.Partial, c.partial)
		}
	}
}
