package report

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/soaklab/soak/engine"
)

// hostileName is a grouping name from a (malicious) scenario.
const hostileName = `<img src=x onerror=alert(1) id=pwned>`

// realRun soaks a loopback httptest server for about 2 s with the engine:
// successes, a slow endpoint, 503s, 429s, a task error and a hostile name.
func realRun(t *testing.T) *engine.Result {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/slow":
			time.Sleep(15 * time.Millisecond)
		case "/fail":
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		case "/limited":
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.Write([]byte(`{"ok":true}`))
	}))
	t.Cleanup(srv.Close)
	get := func(path, name string) engine.TaskFunc {
		return func(ctx context.Context, u *engine.User) error {
			_, err := u.Get(ctx, path, name)
			if err != nil && path != "/ok" { // failures are recorded; the task goes on
				return nil
			}
			return err
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	res, err := engine.Run(ctx, engine.Plan{
		Host:     srv.URL,
		Duration: 2 * time.Second,
		Interval: 250 * time.Millisecond,
		Load:     engine.Closed{Users: 4, SpawnRate: 8},
		Classes: []engine.Class{{Name: "Reader", Weight: 1, Wait: engine.Constant{D: 5 * time.Millisecond}, Tasks: []engine.Task{
			{Weight: 6, Do: get("/ok", "/api/stories/[slug]")},
			{Weight: 2, Do: get("/slow", "/api/search/stories")},
			{Weight: 1, Do: get("/fail", hostileName)},
			{Weight: 1, Do: get("/limited", "/api/whispers")},
			{Weight: 1, Do: func(context.Context, *engine.User) error { return errTask }},
		}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total.Total().Requests == 0 {
		t.Fatal("the run sent no request")
	}
	return res
}

type taskError struct{}

func (taskError) Error() string { return "no slug in the trending list" }

var errTask error = taskError{}

// All outputs of one real run agree with the engine's result and with
// each other.
func TestRealRunOutputsAgree(t *testing.T) {
	res := realRun(t)
	run := Run{Result: res}
	prefix := filepath.Join(t.TempDir(), "run")
	if err := WriteLocustCSV(prefix, run, CSVOptions{FullHistory: true}); err != nil {
		t.Fatal(err)
	}
	b := writeDoc(t, run)
	d, err := ReadJSON(bytes.NewReader(b), "report.json")
	if err != nil {
		t.Fatal(err)
	}
	rows := readCSV(t, prefix+SuffixStats)
	if len(rows) != 1+len(d.Endpoints)+1 {
		t.Fatalf("%d stats rows for %d endpoints", len(rows), len(d.Endpoints))
	}
	for i, e := range d.Endpoints {
		r := rows[1+i]
		st := res.Total.Stat(e.Method, e.Name)
		if r[0] != e.Method || r[1] != e.Name || r[2] != strconv.FormatInt(st.Requests, 10) ||
			r[3] != strconv.FormatInt(st.Failures()+st.RateLimited, 10) || e.Requests != st.Requests ||
			e.Failures != st.Failures() || e.RateLimited != st.RateLimited {
			t.Errorf("endpoint %s %s: csv %q, json %+v, engine %+v", e.Method, e.Name, r[:4], e, st)
		}
	}
	if agg := rows[len(rows)-1]; agg[1] != "Aggregated" || agg[2] != strconv.FormatInt(d.Totals.Requests, 10) {
		t.Errorf("Aggregated row %q, want %d requests", agg, d.Totals.Requests)
	}
	hist := readCSV(t, prefix+SuffixStatsHistory)
	last := hist[len(hist)-1]
	if last[3] != "Aggregated" || last[17] != strconv.FormatInt(d.Totals.Requests, 10) {
		t.Errorf("last history row %q, want %d total requests", last, d.Totals.Requests)
	}
	if d.Totals.RateLimited == 0 || d.Totals.Failures == 0 || len(d.Exceptions) == 0 {
		t.Errorf("the run lacks 429s, failures or task errors: %+v, %d exceptions", d.Totals, len(d.Exceptions))
	}
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	b, err := readFile(path)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return recs
}
