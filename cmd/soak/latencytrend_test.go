package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/soaklab/soak/engine/analysis"
	"github.com/soaklab/soak/internal/testenv"
)

// slowingServer answers every request after base plus perSecond for each
// second since its first request: a service that gets slower as it runs
// (perSecond 0: one that does not).
func slowingServer(t *testing.T, base, perSecond time.Duration) *httptest.Server {
	var once sync.Once
	var start time.Time
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		once.Do(func() { start = time.Now() })
		d := base + time.Duration(time.Since(start).Seconds()*float64(perSecond))
		select {
		case <-time.After(d):
		case <-r.Context().Done():
		}
		w.Write([]byte("ok"))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// A real soak over loopback of a service whose requests get slower as it
// runs (2 ms more every second, from 5 ms: a table scanned as it grows)
// is called a latency drift; the same soak of a service that answers in
// a steady 30 ms is not. Client side only: no probe. The steady state
// is 72 s of an 80 s run (the default --settle is 10 %): a long test
// (SOAK_LONG=1), as the trend needs a minute of steady state.
func TestLatencyDrift(t *testing.T) {
	testenv.SkipUnlessLong(t)
	t.Parallel()
	for _, c := range []struct {
		name      string
		base, per time.Duration
		want      analysis.Verdict
	}{
		{"drifting", 5 * time.Millisecond, 2 * time.Millisecond, analysis.VerdictDetected},
		{"steady", 30 * time.Millisecond, 0, analysis.VerdictOK},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			srv := slowingServer(t, c.base, c.per)
			dir := t.TempDir()
			p := soak(t, dir, nil, 2*time.Minute, "run", "--host", srv.URL, "--url", "/ok", "-u", "4", "-r", "0", "-t", "80s",
				"--wait", "0", "--max-cpu", "off", "--out", "out")
			_, doc := readOut(t, dir+"/out")
			f := findingOf(doc, analysis.DetectorLatencyTrend)
			if f == nil || f.Latency == nil {
				t.Fatalf("exit %d: no latency-trend figures:\n%s", p.code, p.stdout)
			}
			lf := f.Latency
			t.Logf("%s\n%s", f.String(), strings.Join(f.Evidence, "\n"))
			if c.per > 0 && lf.Rise < 2 {
				t.Fatalf("the p95 rose only x%.2f (%s to %s): the run did not drift, the test tests nothing", lf.Rise, lf.FirstP95, lf.LastP95)
			}
			if f.Verdict != c.want {
				t.Errorf("%s: exit %d\n%s", f.String(), p.code, p.stdout)
			}
			if c.want == analysis.VerdictDetected && p.code != exitUnstable {
				t.Errorf("exit %d, want %d", p.code, exitUnstable)
			}
		})
	}
}
