package report

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/soaklab/soak/engine"
)

// Header lines copied from locust/stats.py (locustio/locust, commit
// 0070e8b309bfb3b50ec9be12f088d8e92032cdde: StatsCSV.requests_csv_columns,
// failures_columns, exceptions_columns and
// StatsCSVFileWriter.stats_history_csv_columns, with
// get_readable_percentiles(PERCENTILES_TO_REPORT)), as Python's csv.writer
// writes them: comma-separated, CRLF-terminated.
const (
	locustStatsHeader = "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time," +
		"Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s," +
		"50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%\r\n"
	locustHistoryHeader = "Timestamp,User Count,Type,Name,Requests/s,Failures/s," +
		"50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%," +
		"Total Request Count,Total Failure Count,Total Median Response Time,Total Average Response Time," +
		"Total Min Response Time,Total Max Response Time,Total Average Content Size\r\n"
	locustFailuresHeader   = "Method,Name,Error,Occurrences\r\n"
	locustExceptionsHeader = "Count,Message,Traceback,Nodes\r\n"
)

func render(t *testing.T, rep Reporter) string {
	t.Helper()
	var b bytes.Buffer
	if err := rep(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// knownRun: 10 s, two endpoints, every value computable by hand.
func knownRun(t *testing.T) *engine.Result {
	ivs := []*engine.Interval{
		interval(0, 2, statOf("GET", "/a", ok(10, 100), ok(20, 100)), statOf("POST", "/b", ok(150, 10))),
		interval(1, 4, statOf("GET", "/a", ok(30, 100), failed(40, engine.KindStatus5xx), limited(5, 50))),
	}
	ivs[1].Errors = []engine.ErrorStat{{Method: "GET", Name: "/a", Kind: engine.KindStatus5xx,
		Error: "HTTP 503 Service Unavailable", Count: 1, First: t0.Add(1500 * time.Millisecond), Last: t0.Add(1500 * time.Millisecond)}}
	ivs[1].Exceptions = []engine.ErrorStat{{Name: "Reader/browse", Kind: engine.KindOther, Error: "no slug in response",
		Count: 2, First: t0.Add(1200 * time.Millisecond), Last: t0.Add(1800 * time.Millisecond)}}
	for i := 2; i < 10; i++ {
		ivs = append(ivs, interval(i, 4))
	}
	return result(t, ivs...)
}

func TestLocustStatsRows(t *testing.T) {
	got := render(t, LocustStats(Run{Result: knownRun(t)}))
	want := locustStatsHeader +
		// /a: 10 20 30 40(503) 5(429) ms; 350 bytes; 10 s. Sorted: 5 10 20 30 40.
		"GET,/a,5,2,20,21.0,5.0,40.0,70.0,0.5,0.2,20,30,30,40,40,40,40,40,40,40,40\r\n" +
		// /b: one request of 150 ms: median key 150 (a float key, >= 100 ms).
		"POST,/b,1,0,150.0,150.0,150.0,150.0,10.0,0.1,0.0,150,150,150,150,150,150,150,150,150,150,150\r\n" +
		// Aggregated: 5 10 20 30 40 150; median pos 2.5 -> 20; 360 bytes;
		// 50%: int(6*0.5) = 3 requests may remain above: 30.
		",Aggregated,6,2,20,42.5,5.0,150.0,60.0,0.6,0.2,30,30,40,40,150,150,150,150,150,150,150\r\n"
	if got != want {
		t.Errorf("stats.csv:\n%s\nwant:\n%s", got, want)
	}
}

func TestLocustStatsMedianClampedAndNA(t *testing.T) {
	// test_median_out_of_min_max_bounds: 6034 ms rounds to 6000, below the
	// min: the median is the exact min.
	res := result(t, interval(0, 1, statOf("GET", "/slow", ok(6034, 0))))
	rows := strings.Split(render(t, LocustStats(Run{Result: res})), "\r\n")
	if !strings.HasPrefix(rows[1], "GET,/slow,1,0,6034.0,6034.0,6034.0,6034.0,0.0,1.0,0.0,6000,") {
		t.Errorf("row = %q", rows[1])
	}
	// No request at all: the Aggregated row has Locust's zero values and N/A.
	empty := result(t, interval(0, 0))
	want := locustStatsHeader + ",Aggregated,0,0,0,0.0,0,0,0,0.0,0.0,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A\r\n"
	if got := render(t, LocustStats(Run{Result: empty})); got != want {
		t.Errorf("empty run:\n%q\nwant\n%q", got, want)
	}
}

func TestLocustHistoryRows(t *testing.T) {
	res := knownRun(t)
	lines := strings.Split(render(t, LocustHistory(Run{Result: res}, CSVOptions{})), "\r\n")
	if lines[0]+"\r\n" != locustHistoryHeader {
		t.Fatalf("header %q", lines[0])
	}
	if len(lines) != 1+10+1 { // header, 10 intervals, "" after the last CRLF
		t.Fatalf("%d lines, want 12", len(lines))
	}
	ts := t0.Unix()
	want := []string{
		// after 1 s: 3 requests (10 20 150) over 1 s; whole-run percentiles.
		itoa(ts+1) + ",2,,Aggregated,3.000000,0.000000,20,20,150,150,150,150,150,150,150,150,150,3,0,20,60.0,10.0,150.0,70.0",
		// after 2 s: 6 requests, 2 failures (503 and 429) over 2 s.
		itoa(ts+2) + ",4,,Aggregated,3.000000,1.000000,30,30,40,40,150,150,150,150,150,150,150,6,2,20,42.5,5.0,150.0,60.0",
		// after 10 s: the window holds 10 s.
		itoa(ts+10) + ",4,,Aggregated,0.600000,0.200000,30,30,40,40,150,150,150,150,150,150,150,6,2,20,42.5,5.0,150.0,60.0",
	}
	for i, l := range []string{lines[1], lines[2], lines[10]} {
		if l != want[i] {
			t.Errorf("row %d:\n%s\nwant\n%s", i, l, want[i])
		}
	}
	// After 11 s the first interval leaves the window: 3 requests in 10 s.
	more := append(res.Intervals, interval(10, 4))
	lines = strings.Split(render(t, LocustHistory(Run{Result: result(t, more...)}, CSVOptions{})), "\r\n")
	if got := strings.Split(lines[11], ",")[4]; got != "0.300000" {
		t.Errorf("Requests/s after 11 s = %s, want 0.300000", got)
	}
}

func TestLocustFullHistory(t *testing.T) {
	lines := strings.Split(render(t, LocustHistory(Run{Result: knownRun(t)}, CSVOptions{FullHistory: true})), "\r\n")
	ts := itoa(t0.Unix() + 2)
	// Second interval: /a and /b known, window percentiles (last 10 s = both intervals).
	want := []string{
		ts + ",4,GET,/a,2.500000,1.000000,20,30,30,40,40,40,40,40,40,40,40,5,2,20,21.0,5.0,40.0,70.0",
		ts + ",4,POST,/b,0.500000,0.000000,150,150,150,150,150,150,150,150,150,150,150,1,0,150.0,150.0,150.0,150.0,10.0",
		ts + ",4,,Aggregated,3.000000,1.000000,30,30,40,40,150,150,150,150,150,150,150,6,2,20,42.5,5.0,150.0,60.0",
	}
	// Rows: header, interval 0 (/a, /b, Aggregated), interval 1 (...).
	for i, w := range want {
		if lines[4+i] != w {
			t.Errorf("row %d:\n%s\nwant\n%s", 4+i, lines[4+i], w)
		}
	}
	// Once the window slides past every request, current percentiles are 0
	// (Locust's `or 0`), whole-run totals stay.
	res := knownRun(t)
	ivs := res.Intervals
	for i := 10; i < 13; i++ {
		ivs = append(ivs, interval(i, 4))
	}
	lines = strings.Split(render(t, LocustHistory(Run{Result: result(t, ivs...)}, CSVOptions{FullHistory: true})), "\r\n")
	last := lines[len(lines)-2]
	if !strings.HasPrefix(last, itoa(t0.Unix()+13)+",4,,Aggregated,0.000000,0.000000,0,0,0,0,0,0,0,0,0,0,0,6,2,") {
		t.Errorf("last row %q", last)
	}
}

func TestLocustFailuresAndExceptions(t *testing.T) {
	run := Run{Result: knownRun(t)}
	want := locustFailuresHeader +
		"GET,/a,HTTP 429 Too Many Requests (rate limit),1\r\n" +
		"GET,/a,HTTP 503 Service Unavailable,1\r\n"
	if got := render(t, LocustFailures(run)); got != want {
		t.Errorf("failures.csv:\n%q\nwant\n%q", got, want)
	}
	want = locustExceptionsHeader + "2,no slug in response,task Reader/browse,local\r\n"
	if got := render(t, LocustExceptions(run)); got != want {
		t.Errorf("exceptions.csv:\n%q\nwant\n%q", got, want)
	}
	run.Result.Total.ErrorsOverflow = 7
	if got := render(t, LocustFailures(run)); !strings.HasSuffix(got, ",,"+OverflowError+",7\r\n") {
		t.Errorf("overflow row missing:\n%s", got)
	}
}

// Every file starts with Locust's header line, byte for byte, also for an
// empty run.
func TestWriteLocustCSVHeaders(t *testing.T) {
	dir := t.TempDir()
	prefix := filepath.Join(dir, "sustained_load_results")
	for _, res := range []*engine.Result{knownRun(t), result(t, interval(0, 0))} {
		if err := WriteLocustCSV(prefix, Run{Result: res}, CSVOptions{}); err != nil {
			t.Fatal(err)
		}
		for suffix, header := range map[string]string{
			"_stats.csv": locustStatsHeader, "_stats_history.csv": locustHistoryHeader,
			"_failures.csv": locustFailuresHeader, "_exceptions.csv": locustExceptionsHeader,
		} {
			b, err := os.ReadFile(prefix + suffix)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(b, []byte(header)) {
				t.Errorf("%s starts %q, want %q", suffix, b[:min(len(b), len(header))], header)
			}
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 4 {
		t.Errorf("%d files in the directory, want the 4 CSVs (no temporary file left)", len(entries))
	}
	if err := WriteLocustCSV(filepath.Join(dir, "missing", "x"), Run{Result: knownRun(t)}, CSVOptions{}); err == nil {
		t.Error("no error for a prefix in a missing directory")
	}
	if err := WriteLocustCSV(prefix, Run{}, CSVOptions{}); err != ErrNoResult {
		t.Errorf("err = %v, want ErrNoResult", err)
	}
}

// Names from user scenarios may hold anything: a CSV reader gets them back
// intact, and every row keeps its column count.
func TestLocustCSVHostileNames(t *testing.T) {
	names := []string{`a,b`, `say "hi"`, "two\nlines", "cr\rlf", " leading space", `=cmd|' /C calc'!A0`, "ünï/[slug]"}
	var stats []engine.Stat
	for _, n := range names {
		stats = append(stats, statOf("GET", n, ok(12, 1)))
	}
	iv := interval(0, 1, stats...)
	for _, n := range names {
		iv.Errors = append(iv.Errors, engine.ErrorStat{Method: "GET", Name: n, Error: n + " failed", Count: 1, First: t0, Last: t0})
	}
	run := Run{Result: result(t, iv)}
	for _, rep := range []Reporter{LocustStats(run), LocustHistory(run, CSVOptions{FullHistory: true}), LocustFailures(run)} {
		out := render(t, rep)
		recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		if err != nil {
			t.Fatalf("%v in\n%s", err, out)
		}
		seen := map[string]bool{}
		for _, r := range recs[1:] {
			if len(r) != len(recs[0]) {
				t.Fatalf("row %q has %d fields, header %d", r, len(r), len(recs[0]))
			}
			name := r[1]
			if recs[0][0] == "Timestamp" {
				name = r[3]
			}
			seen[name] = true
		}
		for _, n := range names {
			if !seen[strings.ReplaceAll(n, "\r", "\n")] && !seen[n] {
				t.Errorf("name %q not read back from\n%s", n, out)
			}
		}
	}
}

func itoa(n int64) string { return pyInt(n).String() }

// Sub-second intervals: one history row per second, as Locust writes them,
// with every interval counted.
func TestLocustHistorySubSecondIntervals(t *testing.T) {
	var ivs []*engine.Interval
	for i := range 8 { // 2 s of 250 ms intervals
		iv := interval(i, 1, statOf("GET", "/a", ok(10, 1)))
		iv.Start, iv.End = t0.Add(time.Duration(i)*250*time.Millisecond), t0.Add(time.Duration(i+1)*250*time.Millisecond)
		ivs = append(ivs, iv)
	}
	rows := strings.Split(strings.TrimSuffix(render(t, LocustHistory(Run{Result: result(t, ivs...)}, CSVOptions{})), "\r\n"), "\r\n")
	if len(rows) != 1+3 { // ends at .25 .5 .75 | 1.0 1.25 1.5 1.75 | 2.0
		t.Fatalf("%d rows:\n%s", len(rows)-1, strings.Join(rows, "\n"))
	}
	for i, want := range []string{itoa(t0.Unix()) + ",", itoa(t0.Unix()+1) + ",", itoa(t0.Unix()+2) + ","} {
		if !strings.HasPrefix(rows[1+i], want) {
			t.Errorf("row %d = %q, want timestamp %s", i, rows[1+i], want)
		}
	}
	if f := strings.Split(rows[3], ","); f[17] != "8" {
		t.Errorf("Total Request Count %s, want 8", f[17])
	}
}
