package runner

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/probe"
)

// parkedForWarnTest is where the test's leaked goroutines wait.
//
//go:noinline
func parkedForWarnTest(release <-chan struct{}, started, wg *sync.WaitGroup) {
	defer wg.Done()
	started.Done()
	<-release
}

// A goroutine leak seen on poll after poll, and located again at every
// poll, is one warning whose later sightings are counted: the place is
// the function, not its changing count.
func TestWarnerRaisesOncePerPlace(t *testing.T) {
	p := &poller{cfg: &Config{PollTimeout: 5 * time.Second}, cap: &capture.Capture{}}
	var raised []capture.Warning
	p.cfg.OnWarning = func(w capture.Warning) { raised = append(raised, w) }
	w := newWarner(p)
	w.locateEvery = 0 // every signal is located again
	pr := probe.New(probe.WithInstanceID("svc-warn"))
	defer pr.Close()
	src := InProcess(pr)
	release := make(chan struct{})
	var wg sync.WaitGroup
	defer func() { close(release); wg.Wait() }()
	t0 := time.Now()
	w.loadStarted(t0)
	for i := range 60 {
		var started sync.WaitGroup
		for range 10 {
			wg.Add(1)
			started.Add(1)
			go parkedForWarnTest(release, &started, &wg)
		}
		started.Wait() // in their place: a goroutine not yet started has no frame
		snap, err := pr.Snapshot(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		at := t0.Add(time.Duration(i) * 2 * time.Second)
		w.sample(context.Background(), src, &capture.Sample{Source: src.Name(), Time: at, Phase: capture.PhaseSteady, Snapshot: snap})
	}
	if len(raised) != 1 || len(p.cap.Warnings) != 1 {
		t.Fatalf("raised %d warnings, captured %d: %+v", len(raised), len(p.cap.Warnings), p.cap.Warnings)
	}
	x := p.cap.Warnings[0]
	if x.Kind != capture.WarnGoroutines || !strings.HasSuffix(x.Where, "parkedForWarnTest") || x.Updates == 0 || x.At <= 0 {
		t.Errorf("warning %+v", x)
	}
}

// Fail-fast's stop: the first warning under load closes it once; a
// Ctrl-C (the plan's own Stop) first, or the load's end, leaves later
// warnings without the credit of ending the run.
func TestFailFastStop(t *testing.T) {
	newOrch := func() *orchestrator {
		p := &poller{cfg: &Config{}, cap: &capture.Capture{}}
		p.warn = newWarner(p)
		return &orchestrator{cfg: p.cfg, p: p}
	}
	o := newOrch()
	loadDone := make(chan struct{})
	out := o.failFastStop(nil, loadDone)
	if !o.p.warn.failFast() || o.p.warn.failFast() {
		t.Error("the first warning did not end the load, or a second one did again")
	}
	<-out
	close(loadDone)

	o = newOrch()
	stop, loadDone := make(chan struct{}), make(chan struct{})
	out = o.failFastStop(stop, loadDone)
	close(stop) // Ctrl-C
	<-out
	if o.p.warn.failFast() {
		t.Error("a warning after a Ctrl-C claims to have ended the run")
	}
	close(loadDone)

	o = newOrch()
	loadDone = make(chan struct{})
	o.failFastStop(make(chan struct{}), loadDone)
	close(loadDone) // the load is over: the forwarding goroutine ends (goleak)
	if o.p.warn.failFast() {
		t.Error("a warning after the load claims to have ended it")
	}
}

// The holds of a leak report are grouped by kind and function, counting
// only those older than the threshold (a group also holds the stack's
// young, healthy holds), most first.
func TestHoldPlaces(t *testing.T) {
	old := func(n int) []probe.LeakHolder {
		var hs []probe.LeakHolder
		for i := range n {
			hs = append(hs, probe.LeakHolder{AgeSeconds: float64(40 - i)})
		}
		return hs
	}
	rep := &probe.LeakReport{Groups: []probe.LeakGroup{
		{Kind: probe.LeakPGXConn, Source: "main", Function: "svc.shelves", Count: 5, OldestSeconds: 40,
			Holders: append(old(2), probe.LeakHolder{AgeSeconds: 0.01}, probe.LeakHolder{AgeSeconds: 0.02}, probe.LeakHolder{AgeSeconds: 0.03}),
			Routes:  []probe.LeakRoute{{Method: "GET", Route: "GET /shelves", Count: 5}}},
		{Kind: probe.LeakPGXConn, Source: "main", Function: "svc.shelves", Count: 12, OldestSeconds: 39, Holders: old(10),
			Routes: []probe.LeakRoute{{Method: "GET", Route: "/shelves/{id}", Count: 12}}},
		{Kind: probe.LeakPGXConn, Source: "main", Function: "svc.story", Count: 3, OldestSeconds: 0.5, Holders: old(0)},
		{Kind: probe.LeakRedisPubSub, Source: "cache", Function: "svc.subscribe", Count: 1, OldestSeconds: 35, Holders: old(1)},
	}}
	got := holdPlaces(rep, "", 30*time.Second)
	if len(got) != 2 {
		t.Fatalf("places %+v", got)
	}
	if p := got[0]; p.where != "svc.shelves" || p.count != 12 || p.atLeast != "at least " || p.route != "GET /shelves/{id}" || p.oldest != 40 {
		t.Errorf("first place %+v: 2 old holds of the first group, at least 10 of the second", p)
	}
	if p := got[1]; p.kind != probe.LeakRedisPubSub || p.count != 1 || p.atLeast != "" {
		t.Errorf("second place %+v", p)
	}
	if pool := holdPlaces(rep, "main", 0); len(pool) != 2 || pool[0].where != "svc.shelves" || pool[0].count != 17 || pool[1].where != "svc.story" {
		t.Errorf("the pool's holders %+v", pool)
	}
	if routeName("GET", "GET /x") != "GET /x" || routeName("GET", "/x") != "GET /x" || routeName("", "/x") != "/x" {
		t.Error("routeName")
	}
}
