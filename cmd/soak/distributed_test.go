package main

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/soaklab/soak/cmd/soak/internal/results"
	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/natsfleet"
	"github.com/soaklab/soak/internal/testenv"
	"github.com/soaklab/soak/probe/label"
)

// The end-to-end tests of distributed runs: a coordinator and three
// worker processes of the built binary, on loopback, through the
// machine's NATS, against a target in the test process that counts what
// it serves. None asserts on timing: they wait for intervals on disk,
// for processes to end, and compare counts.

// tally is a target that counts the requests it served, and the users
// of each class it saw.
type tally struct {
	*httptest.Server
	mu      sync.Mutex
	served  map[string]int64               // by run label
	classes map[string]map[string]int64    // run label -> class label -> requests
	users   map[string]map[string]struct{} // class -> user label
}

func newTally(t *testing.T) *tally {
	tl := &tally{served: map[string]int64{}, classes: map[string]map[string]int64{}, users: map[string]map[string]struct{}{}}
	tl.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l := label.Parse(r.Header)
		tl.mu.Lock()
		tl.served[l.Run]++
		if tl.classes[l.Run] == nil {
			tl.classes[l.Run] = map[string]int64{}
		}
		tl.classes[l.Run][l.Class]++
		if tl.users[l.Class] == nil {
			tl.users[l.Class] = map[string]struct{}{}
		}
		tl.users[l.Class][l.User] = struct{}{}
		tl.mu.Unlock()
		w.Write([]byte(`{"ok":true}`))
	}))
	t.Cleanup(tl.Close)
	return tl
}

// byClass is the requests of run served, by class.
func (tl *tally) byClass(run string) map[string]int64 {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	return maps.Clone(tl.classes[run])
}

func (tl *tally) count(run string) int64 {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	return tl.served[run]
}

// fleetEnv is the machine's NATS and a job of the test's own, deleted
// (stream and bucket) after it.
func fleetEnv(t *testing.T) (url, job string) {
	url, job = testenv.NATSURL(t), testenv.Name(t)
	t.Cleanup(func() {
		nc, err := natsfleet.Connect(url, natsfleet.ConnectOptions{})
		if err != nil {
			t.Error(err)
			return
		}
		defer nc.Close()
		js, _ := jetstream.New(nc)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = js.DeleteObjectStore(ctx, "SOAK_"+job+"_SPEC")
		_ = js.DeleteStream(ctx, "SOAK_"+job)
	})
	return url, job
}

// seedMix writes a scenario of the seed report's class mix, 70/25/4/1,
// each user GETting /ok every 50 ms.
func seedMix(t *testing.T, dir string) string {
	name := filepath.Join(dir, "mix.yaml")
	var b strings.Builder
	b.WriteString("name: mix\nwait: 50ms\nclasses:\n")
	for _, c := range []struct {
		name   string
		weight int
	}{{"Auth", 70}, {"Anon", 25}, {"Writer", 4}, {"Health", 1}} {
		fmt.Fprintf(&b, "  - name: %s\n    weight: %d\n    tasks: [{get: /ok}]\n", c.name, c.weight)
	}
	if err := os.WriteFile(name, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return name
}

// coordinator is the command line of a coordinator of 3 workers of job
// loading tg with the seed mix at 250 ms intervals, results in dir/out,
// with extra flags.
func coordinator(t *testing.T, dir string, tg *tally, url, job string, extra ...string) []string {
	args := []string{"run", "--scenario", seedMix(t, dir), "--host", tg.URL, "-r", "0", "--interval", "250ms",
		"--workers", url, "--expect", "3", "--job", job, "--out", "out", "--probe-optional"}
	return append(append(args, quick...), extra...)
}

// startWorkers starts n soak worker processes of job.
func startWorkers(t *testing.T, dir, url, job string, n int) []*started {
	var ws []*started
	for i := range n {
		ws = append(ws, start(t, dir, "worker", "--nats", url, "--job", job, "--name", "w"+strconv.Itoa(i+1)))
	}
	return ws
}

// workerIntervals reads every worker's intervals of run back from the
// stream, as they published them, parts put together.
func workerIntervals(t *testing.T, url, job, run string) map[string][]*engine.Interval {
	nc, err := natsfleet.Connect(url, natsfleet.ConnectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := js.Stream(ctx, "SOAK_"+job)
	if err != nil {
		t.Fatal(err)
	}
	cons, err := st.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{FilterSubjects: []string{"soak." + job + ".run." + run + ".w.>"}})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]*engine.Interval{}
	for {
		batch, err := cons.Fetch(100, jetstream.FetchMaxWait(time.Second))
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for m := range batch.Messages() {
			n++
			parts := strings.Split(m.Subject(), ".")
			if parts[len(parts)-1] != "iv" {
				continue
			}
			iv, err := engine.DecodeInterval(m.Data())
			if err != nil {
				t.Fatal(err)
			}
			w := parts[len(parts)-2]
			list := out[w]
			if p := m.Headers().Get("Soak-Part"); p != "" && p != "0" {
				list[len(list)-1].Add(iv, 1<<30)
				continue
			}
			out[w] = append(list, iv)
		}
		if n == 0 {
			return out
		}
	}
}

// union records the values of every worker's histograms, name by name,
// into one histogram each: what one engine would have recorded.
func union(ws map[string][]*engine.Interval) map[string]*unionStat {
	out := map[string]*unionStat{}
	for _, ivs := range ws {
		for _, iv := range ivs {
			for _, s := range iv.Stats {
				u := out[s.Method+" "+s.Name]
				if u == nil {
					u = &unionStat{h: &engine.Histogram{}, min: s.MinMicros, max: s.MaxMicros}
					out[s.Method+" "+s.Name] = u
				}
				if s.Requests > 0 {
					u.min, u.max = min(u.min, s.MinMicros), max(u.max, s.MaxMicros)
				}
				s.Latency.Buckets(func(us, n int64) bool {
					for range n {
						u.h.Record(us)
					}
					return true
				})
			}
		}
	}
	return out
}

// unionStat is the union of the workers' histograms of one endpoint,
// recorded value by value, with their exact extremes.
type unionStat struct {
	h        *engine.Histogram
	min, max int64
}

// percentile is the union's percentile within its exact extremes, as a
// Stat reports it.
func (u *unionStat) percentile(q float64) int64 {
	return min(max(u.h.Percentile(q), u.min), u.max)
}

// TestDistributedRun: a coordinator and three worker processes load a
// counting target: the merged requests are the target's own tally, the
// merged percentiles those of the union of the workers' histograms, the
// class split the plan's, and one report and one results directory come
// out as for a local run.
func TestDistributedRun(t *testing.T) {
	t.Parallel() // subprocesses, a NATS job of its own; counts, no timing
	url, job := fleetEnv(t)
	dir := t.TempDir()
	tg := newTally(t)
	// A token in the URL (which the machine's NATS, without auth, ignores)
	// must appear nowhere soak writes.
	const token = "s3cr3t-nats-token"
	tokenURL := strings.Replace(url, "://", "://"+token+"@", 1)
	ws := startWorkers(t, dir, tokenURL, job, 3)
	p := soak(t, dir, nil, 2*time.Minute, coordinator(t, dir, tg, tokenURL, job, "-u", "100", "-t", "3s")...)
	if p.code != exitOK && p.code != exitTargetMissed {
		t.Fatalf("coordinator: exit %d:\n%s\n%s", p.code, p.stdout, p.stderr)
	}
	for i, w := range ws {
		if code := w.wait(t, time.Minute); code != exitOK {
			t.Errorf("worker %d: exit %d:\n%s", i+1, code, w.stderr.String())
		}
		if strings.Contains(w.stderr.String(), token) {
			t.Errorf("worker %d printed the NATS token", i+1)
		}
	}
	out := filepath.Join(dir, "out")
	doc := checkOutputs(t, out, false)
	if hits := grepTree(t, dir, token); len(hits) > 0 || strings.Contains(p.stdout+p.stderr, token) {
		t.Errorf("the NATS token is in %v (or the coordinator's output)", hits)
	}
	saved, err := results.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	run := saved.Meta.Fleet.Run
	res := saved.Result()
	total := res.Total.Total()
	if served := tg.count(run); total.Requests == 0 || total.Requests != served || total.Aborted != 0 || doc.Totals.Requests != served {
		t.Errorf("merged %d requests (%d aborted, report %d); the target served %d", total.Requests, total.Aborted, doc.Totals.Requests, served)
	}

	raw := workerIntervals(t, url, job, run)
	if len(raw) != 3 {
		t.Fatalf("%d workers' intervals in the stream", len(raw))
	}
	u := union(raw)
	for _, s := range res.Total.Stats {
		h := u[s.Method+" "+s.Name]
		if !s.Latency.Equal(h.h) || s.MinMicros != h.min || s.MaxMicros != h.max {
			t.Errorf("%s %s: the merged histogram is not the union of the workers'", s.Method, s.Name)
		}
		for _, q := range []float64{50, 66, 75, 90, 95, 99, 99.9, 100} {
			if s.Percentile(q) != h.percentile(q) {
				t.Errorf("%s: p%v merged %d µs, union %d µs", s.Name, q, s.Percentile(q), h.percentile(q))
			}
		}
	}

	want := map[string]int{"Auth": 70, "Anon": 25, "Writer": 4, "Health": 1}
	var peak map[string]int
	for _, iv := range saved.Intervals {
		if iv.Users == 100 {
			peak = iv.Classes
			break
		}
	}
	if fmt.Sprint(peak) != fmt.Sprint(want) {
		t.Errorf("the merged class split at 100 users: %v, want %v", peak, want)
	}
	tg.mu.Lock()
	for class, n := range want {
		if len(tg.users[class]) != n {
			t.Errorf("the target saw %d users of %s, want %d", len(tg.users[class]), class, n)
		}
	}
	tg.mu.Unlock()
	md, _ := os.ReadFile(filepath.Join(out, "report.md"))
	if !regexp.MustCompile(`\*\*Load Generators\*\*: 3 engines, merged exactly: 1/3 w\d, 2/3 w\d, 3/3 w\d\n`).Match(md) {
		t.Errorf("report.md does not name the engines:\n%.800s", md)
	}
	if strings.Contains(string(md), "stopped counting") {
		t.Errorf("report.md reports a loss in a run without one")
	}
}

// TestDistributedWorkerKilled: a worker killed mid-run (kill -9): the
// run completes, and the report names the lost segment and the time.
func TestDistributedWorkerKilled(t *testing.T) {
	url, job := fleetEnv(t)
	dir := t.TempDir()
	tg := newTally(t)
	ws := startWorkers(t, dir, url, job, 3)
	// Killed after 2 intervals of an 8 s run: a loaded machine that is
	// slow to show the intervals still kills the worker mid-run.
	co := start(t, dir, coordinator(t, dir, tg, url, job, "-u", "30", "-t", "8s", "--lost-after", "1s")...)
	waitIntervals(t, filepath.Join(dir, "out"), 2)
	ws[1].cmd.Process.Signal(syscall.SIGKILL)
	if code := co.wait(t, 2*time.Minute); code != exitOK && code != exitTargetMissed {
		t.Fatalf("coordinator: exit %d:\n%s", code, co.stderr.String())
	}
	for _, i := range []int{0, 2} {
		if code := ws[i].wait(t, time.Minute); code != exitOK {
			t.Errorf("worker %d: exit %d:\n%s", i+1, code, ws[i].stderr.String())
		}
	}
	out := filepath.Join(dir, "out")
	checkOutputs(t, out, false)
	md, _ := os.ReadFile(filepath.Join(out, "report.md"))
	lost := regexp.MustCompile(`Segment ([123])/3 \(engine w2, 33\.3% of the plan's load\) stopped counting at (\d\d:\d\d:\d\d) UTC`).FindSubmatch(md)
	if lost == nil {
		t.Fatalf("report.md does not name the lost segment and its time:\n%.2000s\n%s", md, co.stderr.String())
	}
	if !strings.Contains(string(md), "2/3 w2 (lost at "+string(lost[2])+")") && !strings.Contains(string(md), "w2 (lost at "+string(lost[2])+")") {
		t.Errorf("the configuration does not say w2 was lost at %s", lost[2])
	}
	if !strings.Contains(co.stderr.String(), "given up") {
		t.Errorf("the live log does not say the worker was given up:\n%s", co.stderr.String())
	}
	saved, err := results.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	seg := string(lost[1]) + "/3"
	last := saved.Intervals[len(saved.Intervals)-1]
	if !strings.Contains(strings.Join(last.Lost, ","), seg) {
		t.Errorf("the last merged interval does not name segment %s lost: %v", seg, last.Lost)
	}
	// soak report rebuilds the same notes from the directory.
	os.Remove(filepath.Join(out, "report.md"))
	if p := soak(t, dir, nil, time.Minute, "report", "out"); p.code == exitError || p.code == exitUsage {
		t.Fatalf("soak report: exit %d: %s", p.code, p.stderr)
	}
	if md2, _ := os.ReadFile(filepath.Join(out, "report.md")); !strings.Contains(string(md2), string(lost[0])) {
		t.Errorf("the rebuilt report.md lost the note")
	}
}

// TestDistributedCoordinatorKilled: the coordinator killed mid-run (kill
// -9): the workers run to the plan's end, and soak report --nats
// rebuilds the results from the stream: every request the target served.
func TestDistributedCoordinatorKilled(t *testing.T) {
	t.Parallel() // subprocesses, a NATS job of its own; counts, no timing
	url, job := fleetEnv(t)
	dir := t.TempDir()
	tg := newTally(t)
	ws := startWorkers(t, dir, url, job, 3)
	// Killed after 3 intervals of an 8 s run: the workers have intervals
	// left to send after it, also on a loaded machine.
	co := start(t, dir, coordinator(t, dir, tg, url, job, "-u", "30", "-t", "8s")...)
	out := filepath.Join(dir, "out")
	waitIntervals(t, out, 3)
	co.cmd.Process.Signal(syscall.SIGKILL)
	co.wait(t, time.Minute)
	for i, w := range ws {
		if code := w.wait(t, time.Minute); code != exitOK {
			t.Errorf("worker %d: exit %d:\n%s", i+1, code, w.stderr.String())
		}
	}
	before, err := results.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	if p := soak(t, dir, nil, time.Minute, "report", "out"); !strings.Contains(p.stderr, "soak report --nats "+url+" out rebuilds") {
		t.Errorf("soak report of the dead coordinator's directory does not say how to rebuild it:\n%s", p.stderr)
	}
	p := soak(t, dir, nil, time.Minute, "report", "--nats", url, "out")
	if p.code == exitError || p.code == exitUsage || !strings.Contains(p.stderr, "rebuilt") {
		t.Fatalf("soak report --nats: exit %d:\n%s", p.code, p.stderr)
	}
	after, err := results.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	run := after.Meta.Fleet.Run
	total := after.Result().Total.Total()
	if served := tg.count(run); total.Requests != served || len(after.Intervals) <= len(before.Intervals) {
		t.Errorf("rebuilt: %d requests over %d intervals (%d before); the target served %d",
			total.Requests, len(after.Intervals), len(before.Intervals), served)
	}
	if after.Meta.Status != results.StatusInterrupted || len(after.Result().Parts) != 3 {
		t.Errorf("rebuilt run.json: status %s, parts %+v", after.Meta.Status, after.Result().Parts)
	}
	checkOutputs(t, out, true)

	// Its disk gone too: --job and --run make the directory from the stream.
	p = soak(t, dir, nil, time.Minute, "report", "--nats", url, "--job", job, "--run", run, "again")
	if p.code == exitError || p.code == exitUsage {
		t.Fatalf("soak report --nats --job --run: exit %d:\n%s", p.code, p.stderr)
	}
	again, err := results.Open(filepath.Join(dir, "again"))
	if err != nil || again.Result().Total.Total().Requests != total.Requests || again.Meta.Scenario == "" {
		t.Errorf("a directory made from the stream: %v, %+v", err, again)
	}
}

// openFleet runs the seed mix as an open model of rate stages over
// workers of the given fractions, and checks that together they
// released exactly the plan's arrivals, of exactly the plan's classes,
// each served by the target: arrivals is the plan's count (rate times
// duration, stage by stage), byClass the mix's split of it.
func openFleet(t *testing.T, stages string, fractions []string, arrivals int64, byClass map[string]int64) {
	url, job := fleetEnv(t)
	dir := t.TempDir()
	tg := newTally(t)
	ws := startWorkers(t, dir, url, job, len(fractions))
	args := coordinator(t, dir, tg, url, job, "--stages", stages, "--segments", strings.Join(fractions, ","))
	args[slices.Index(args, "--expect")+1] = strconv.Itoa(len(fractions))
	i := slices.Index(args, "-r") // an arrival rate has no spawn rate
	args = slices.Delete(args, i, i+2)
	p := soak(t, dir, nil, 5*time.Minute, args...)
	if p.code != exitOK && p.code != exitTargetMissed {
		t.Fatalf("coordinator: exit %d:\n%s\n%s", p.code, p.stdout, p.stderr)
	}
	for i, w := range ws {
		if code := w.wait(t, time.Minute); code != exitOK {
			t.Errorf("worker %d: exit %d:\n%s", i+1, code, w.stderr.String())
		}
	}
	saved, err := results.Open(filepath.Join(dir, "out"))
	if err != nil {
		t.Fatal(err)
	}
	res := saved.Result()
	sch, total := res.Total.Schedule, res.Total.Total()
	if sch.Arrivals != arrivals || sch.Started != arrivals || sch.Dropped != 0 {
		t.Errorf("merged arrivals %d, started %d, dropped %d; the plan's are %d", sch.Arrivals, sch.Started, sch.Dropped, arrivals)
	}
	run := saved.Meta.Fleet.Run
	served := tg.byClass(run)
	var n int64
	for _, c := range served {
		n += c
	}
	if total.Requests != arrivals || n != arrivals || total.Aborted != 0 {
		t.Errorf("%d requests merged (%d aborted), %d served; want %d", total.Requests, total.Aborted, n, arrivals)
	}
	if fmt.Sprint(served) != fmt.Sprint(byClass) {
		t.Errorf("arrivals by class at the target %v, the plan's %v", served, byClass)
	}
}

// TestDistributedOpenModel: an arrival rate in three stages over three
// unequal workers releases the plan's 400 arrivals exactly (100, 250 and
// 50: rates whose period is a whole number of nanoseconds), 280/100/16/4
// by class, all served.
func TestDistributedOpenModel(t *testing.T) {
	t.Parallel() // subprocesses, a NATS job of its own; exact counts, no timing
	openFleet(t, "1s:100/s,1s:250/s,1s:50/s", []string{"1/2", "1/4", "1/4"}, 400,
		map[string]int64{"Anon": 100, "Auth": 280, "Health": 4, "Writer": 16})
}

// TestDistributedOpenModelLong: the same over six workers for a minute,
// at higher rates (SOAK_LONG=1).
func TestDistributedOpenModelLong(t *testing.T) {
	testenv.SkipUnlessLong(t)
	openFleet(t, "20s:200/s,20s:500/s,20s:100/s", []string{"1/4", "1/4", "1/8", "1/8", "1/8", "1/8"}, 16000,
		map[string]int64{"Anon": 4000, "Auth": 11200, "Health": 160, "Writer": 640})
}
