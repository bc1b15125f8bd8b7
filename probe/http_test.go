package probe

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/soaklab/soak/internal/testenv"
)

func TestRouteRecords(t *testing.T) {
	p := New()
	s := p.HTTP()
	r := s.Route("GET", "/api/stories/:slug")
	if s.Route("GET", "/api/stories/:slug") != r {
		t.Fatal("Route is not stable for the same key")
	}
	r.Start()
	if s.InFlight() != 1 {
		t.Fatalf("in flight = %d", s.InFlight())
	}
	r.Done(200, 2*time.Millisecond, 10, 100)
	r.Start()
	r.Done(429, time.Millisecond, -1, 30)
	r.RateLimited(IdentityUser)
	r.RateLimited("api-key")
	r.Start()
	r.Done(503, time.Millisecond, 0, 0)
	s.Begin()
	s.Route("POST", "/api/whispers").Record(201, time.Millisecond, 5, 5)
	if s.InFlight() != 1 {
		t.Fatalf("in flight with Begin = %d", s.InFlight())
	}
	s.End()
	snap, err := p.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got, ok := snap.HTTP.Route("GET", "/api/stories/:slug")
	if !ok {
		t.Fatal("route missing from snapshot")
	}
	want := RouteSnapshot{Method: "GET", Route: "/api/stories/:slug", Requests: 3, Status2xx: 1, Status4xx: 1,
		Status5xx: 1, Status429: 1, BytesIn: 10, BytesOut: 130, RateLimitedUser: 1, RateLimitedOther: 1}
	if got.Latency.Count != 3 {
		t.Errorf("latency count = %d", got.Latency.Count)
	}
	got.Latency = Histogram{}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("route = %+v\nwant    %+v", got, want)
	}
	if snap.HTTP.InFlight != 0 {
		t.Errorf("in flight = %d", snap.HTTP.InFlight)
	}
}

func TestRouteCap(t *testing.T) {
	p := New(WithMaxRoutes(3))
	s := p.HTTP()
	for i := 0; i < 10; i++ {
		s.Route("GET", fmt.Sprintf("/r%d", i)).Record(200, time.Millisecond, 0, 0)
	}
	snap, _ := p.Snapshot(context.Background())
	if len(snap.HTTP.Routes) != 4 {
		t.Fatalf("%d routes, want 3 + overflow", len(snap.HTTP.Routes))
	}
	o, ok := snap.HTTP.Route("", OverflowRoute)
	if !ok || o.Requests != 7 {
		t.Errorf("overflow = %+v, %v; want 7 requests", o, ok)
	}
}

func TestRouteZeroAllocs(t *testing.T) {
	var p Probe // the zero value works
	s := p.HTTP()
	s.Route("GET", "/x").Done(200, time.Millisecond, 1, 1)
	n := testing.AllocsPerRun(1000, func() {
		r := s.Route("GET", "/x")
		r.Start()
		r.Done(200, time.Millisecond, 1, 1)
		r.RateLimited(IdentityIP)
	})
	if n != 0 {
		t.Errorf("hot path allocates %v times", n)
	}
}

func TestRouteConcurrent(t *testing.T) {
	p := New()
	var wg sync.WaitGroup
	for g := 0; g < 200; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				r := p.HTTP().Route("GET", fmt.Sprintf("/r%d", i%7))
				r.Start()
				r.Done(200+i%4*100, time.Duration(i)*time.Microsecond, 1, 1)
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 20; i++ {
			if _, err := p.Snapshot(context.Background()); err != nil {
				t.Error(err)
			}
		}
	}()
	wg.Wait()
	snap, _ := p.Snapshot(context.Background())
	var total uint64
	for _, r := range snap.HTTP.Routes {
		total += r.Requests
		if uint64(r.Latency.Count) != r.Requests {
			t.Errorf("%s: latency count %d != requests %d", r.Route, r.Latency.Count, r.Requests)
		}
	}
	if total != 200*50 || snap.HTTP.InFlight != 0 {
		t.Errorf("total %d in flight %d", total, snap.HTTP.InFlight)
	}
}

func BenchmarkRouteDone(b *testing.B) {
	p := New()
	s := p.HTTP()
	s.Route("GET", "/api/stories/:slug")
	b.ReportAllocs()
	defer testenv.CPUPerOp(b)()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r := s.Route("GET", "/api/stories/:slug")
			r.Start()
			r.Done(200, 1500*time.Microsecond, 0, 512)
		}
	})
}
