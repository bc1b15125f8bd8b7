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
