package engine

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// hangServer serves /hang requests that wait for release (then succeed)
// or for the client to go away (counted in gone); every other path
// answers at once. inFlight receives one value per /hang request.
type hangServer struct {
	url      string
	release  chan struct{}
	once     sync.Once
	inFlight chan struct{}
	gone     atomic.Int64
	classes  *seen
}

func newHangServer(t *testing.T) *hangServer {
	h := &hangServer{release: make(chan struct{}), inFlight: make(chan struct{}, 1000), classes: newSeen()}
	h.url = server(t, h.classes, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/hang" {
			return
		}
		h.inFlight <- struct{}{}
		select {
		case <-h.release:
			w.Write([]byte("done"))
		case <-r.Context().Done():
			h.gone.Add(1)
		}
	}).URL
	t.Cleanup(h.free)
	return h
}

// free lets every /hang request, present and future, finish.
func (h *hangServer) free() { h.once.Do(func() { close(h.release) }) }

// stopAfter returns a Plan.Stop closed once n /hang requests are in
// flight.
func (h *hangServer) stopAfter(n int) <-chan struct{} {
	stop := make(chan struct{})
	go func() {
		for range n {
			<-h.inFlight
		}
		close(stop)
	}()
	return stop
}

// Closing Plan.Stop in the closed model: no further user spawns and no
// task starts, the request in flight finishes and counts as a success
// (not aborted), every user's OnStop runs, and the Result says the run
// was stopped, not cancelled nor completed.
//
// The in-flight request is released by the OnStop of a user that was
// sleeping between tasks: that user wakes only when the engine has acted
// on the Stop, so the release provably comes after it.
func TestStopDrainsInFlight(t *testing.T) {
	h := newHangServer(t)
	var onStops atomic.Int64
	bye := func(ctx context.Context, u *User) error {
		onStops.Add(1)
		if u.Class == "Sleeper" {
			h.free()
		}
		_, err := u.Get(ctx, "/bye", "")
		return err
	}
	p := Plan{Host: h.url, Duration: time.Hour, StopTimeout: time.Minute, Stop: h.stopAfter(1),
		// One user every 2 s: Sleeper, Hanger, then a Late user that
		// must never start.
		Load: Closed{Users: 3, SpawnRate: 0.5},
		Classes: []Class{
			{Name: "Sleeper", Fixed: 1, Wait: Constant{time.Hour}, OnStop: bye, Tasks: []Task{{Weight: 1, Do: get("/quick", "")}}},
			{Name: "Hanger", Fixed: 1, Wait: Constant{time.Hour}, OnStop: bye, Tasks: []Task{{Weight: 1, Do: get("/hang", "")}}},
			{Name: "Late", Weight: 1, Tasks: []Task{{Weight: 1, Do: get("/late", "")}}},
		}}
	res := mustRun(t, context.Background(), p)

	hang := stat(res, "GET", "/hang")
	if hang.Requests != 1 || hang.Successes() != 1 || hang.Aborted != 0 || h.gone.Load() != 0 {
		t.Fatalf("/hang: %d requests, %d successes, %d aborted, %d cut by the client; want 1 success",
			hang.Requests, hang.Successes(), hang.Aborted, h.gone.Load())
	}
	if !res.Stopped || res.Canceled || res.Ending() != EndStopped {
		t.Fatalf("stopped %v canceled %v ending %q; want stopped", res.Stopped, res.Canceled, res.Ending())
	}
	if onStops.Load() != 2 || stat(res, "GET", "/bye").Requests != 2 {
		t.Fatalf("OnStop ran %d times (%d requests) for 2 users", onStops.Load(), stat(res, "GET", "/bye").Requests)
	}
	if late := stat(res, "GET", "/late"); late.Requests+late.Aborted != 0 || len(h.classes.users["Late"]) != 0 {
		t.Fatalf("a user spawned after the Stop: %+v", h.classes.users)
	}
	if q := stat(res, "GET", "/quick"); q.Requests != 1 {
		t.Fatalf("/quick: %d requests; the sleeping user started another task", q.Requests)
	}
	if res.End.Sub(res.Start) > 10*time.Minute {
		t.Fatal("the load went on after the Stop")
	}
}

// In the open model, Stop ends the arrivals; the requests of arrivals in
// flight finish as successes, and idle workers run their OnStop.
func TestStopOpenModel(t *testing.T) {
	h := newHangServer(t)
	var quickStops atomic.Int64
	p := Plan{Host: h.url, Duration: time.Hour, StopTimeout: time.Minute, Stop: h.stopAfter(3),
		Load: Open{Rate: 50, MaxWorkers: 100},
		Classes: []Class{
			// A Quick worker waits idle between arrivals; only the Stop
			// ends that wait, so its OnStop releases the hanging requests
			// after the engine acted on the Stop.
			{Name: "Quick", Weight: 1, Tasks: []Task{{Weight: 1, Do: get("/quick", "")}},
				OnStop: func(context.Context, *User) error { quickStops.Add(1); h.free(); return nil }},
			{Name: "Hang", Weight: 1, Tasks: []Task{{Weight: 1, Do: get("/hang", "")}}},
		}}
	res := mustRun(t, context.Background(), p)
	hang := stat(res, "GET", "/hang")
	if hang.Requests < 3 || hang.Successes() != hang.Requests || hang.Aborted != 0 || h.gone.Load() != 0 {
		t.Fatalf("/hang: %d requests, %d successes, %d aborted, %d cut; want every one a success",
			hang.Requests, hang.Successes(), hang.Aborted, h.gone.Load())
	}
	if quickStops.Load() == 0 {
		t.Fatal("no Quick worker ran its OnStop")
	}
	sch := res.Total.Schedule
	if !res.Stopped || res.Canceled || sch.Dropped != 0 || sch.Started != sch.Arrivals {
		t.Fatalf("stopped %v canceled %v schedule %+v", res.Stopped, res.Canceled, sch)
	}
}

// StopTimeout bounds the drain after a Stop: what is still in flight then
// is aborted, as at the planned end, and the run still counts as stopped,
// not cancelled.
func TestStopTimeoutAbortsAfterStop(t *testing.T) {
	h := newHangServer(t)
	p := Plan{Host: h.url, Duration: time.Hour, StopTimeout: ms(100), Stop: h.stopAfter(2), Load: Closed{Users: 2},
		Classes: []Class{{Name: "H", Weight: 1, Tasks: []Task{{Weight: 1, Do: get("/hang", "")}}}}}
	res := mustRun(t, context.Background(), p)
	hang := stat(res, "GET", "/hang")
	if hang.Aborted != 2 || hang.Requests != 0 {
		t.Fatalf("/hang: %d aborted, %d requests; want 2 aborted after the StopTimeout", hang.Aborted, hang.Requests)
	}
	if !res.Stopped || res.Canceled {
		t.Fatalf("stopped %v canceled %v", res.Stopped, res.Canceled)
	}
}

// A Stop closed before Run starts runs no load; a Stop never closed, or a
// cancelled context, is told apart in the Result.
func TestStopEndings(t *testing.T) {
	srv := server(t, nil, func(w http.ResponseWriter, r *http.Request) {})
	plan := func(stop chan struct{}) Plan {
		return Plan{Host: srv.URL, Duration: ms(200), Stop: stop, Load: Closed{Users: 3},
			Classes: []Class{{Name: "E", Weight: 1, Wait: Constant{ms(5)}, Tasks: []Task{{Weight: 1, Do: get("/e", "")}}}}}
	}
	closed := make(chan struct{})
	close(closed)
	res := mustRun(t, context.Background(), plan(closed))
	if n := res.Total.Total(); n.Requests+n.Aborted != 0 || !res.Stopped || res.Ending() != EndStopped {
		t.Fatalf("Stop closed before Run: %d requests, stopped %v", n.Requests, res.Stopped)
	}

	res = mustRun(t, context.Background(), plan(make(chan struct{})))
	if res.Stopped || res.Canceled || res.Ending() != EndCompleted || res.Total.Total().Requests == 0 {
		t.Fatalf("Stop never closed: stopped %v canceled %v ending %q", res.Stopped, res.Canceled, res.Ending())
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res = mustRun(t, ctx, plan(closed))
	if res.Ending() != EndCanceled {
		t.Fatalf("cancelled and stopped: ending %q, want %q", res.Ending(), EndCanceled)
	}
}
