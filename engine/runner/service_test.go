package runner

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/probe"
)

// testService is a small service for in-process soaks, recording into a
// probe as the middleware would, with planted faults.
type testService struct {
	p *probe.Probe

	heapLeak, goroutineLeak, lazyWorkers, boundedCache bool
	// blockedLeak starts, on one request in five, a goroutine blocked on
	// a channel nothing else can reach: what Go 1.26's goroutineleak
	// profile reports. It can never be ended (see TestMain).
	blockedLeak bool

	mu      sync.Mutex
	kept    [][]byte
	cache   map[int][]byte
	workers bool
	stop    chan struct{}
	wg      sync.WaitGroup
	n       int
}

func newTestService(t *testing.T) *testService {
	s := &testService{p: probe.New(probe.WithInstanceID("svc-test")), stop: make(chan struct{}), cache: map[int][]byte{}}
	t.Cleanup(func() {
		close(s.stop)
		s.wg.Wait()
	})
	return s
}

func (s *testService) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	route := s.p.HTTP().Route(r.Method, "/work")
	route.Start()
	t0 := time.Now()
	s.mu.Lock()
	s.n++
	n := s.n
	s.mu.Unlock()
	page := make([]byte, 4096)
	if s.heapLeak {
		s.retainPage(page)
	}
	if s.goroutineLeak && n%5 == 0 {
		s.wg.Add(1)
		go s.waitForRefresh()
	}
	if s.blockedLeak && n%5 == 0 {
		go blockForever()
	}
	if s.lazyWorkers {
		s.startWorkers()
	}
	if s.boundedCache {
		s.cachePage(n%500, page)
	}
	_, _ = w.Write(page[:64])
	route.Done(http.StatusOK, time.Since(t0), 0, 64)
}

// retainPage is the planted heap leak.
//
//go:noinline
func (s *testService) retainPage(page []byte) {
	kept := make([]byte, len(page))
	copy(kept, page)
	s.mu.Lock()
	s.kept = append(s.kept, kept)
	s.mu.Unlock()
}

// waitForRefresh is the planted goroutine leak: it waits until the test
// ends.
//
//go:noinline
func (s *testService) waitForRefresh() {
	defer s.wg.Done()
	<-s.stop
}

// blockForever waits on a channel only it can reach.
//
//go:noinline
func blockForever() {
	ch := make(chan struct{})
	<-ch
}

// startWorkers starts 4 workers once (a lazily started pool: not a leak).
func (s *testService) startWorkers() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.workers {
		return
	}
	s.workers = true
	for range 4 {
		s.wg.Add(1)
		go func() { defer s.wg.Done(); <-s.stop }()
	}
}

// cachePage keeps at most 500 pages (a bounded cache: a plateau).
func (s *testService) cachePage(k int, page []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.cache[k]; !ok {
		s.cache[k] = append([]byte(nil), page...)
	}
}

// soakPlan is a short closed-model plan against h: users looping with a
// fixed pause, for d.
func soakPlan(h http.Handler, users int, pause, d time.Duration) engine.Plan {
	return engine.Plan{
		Handler: h, Duration: d,
		Load: engine.Closed{Users: users},
		Classes: []engine.Class{{Name: "Reader", Weight: 1, Wait: engine.Constant{D: pause},
			Tasks: []engine.Task{{Weight: 1, Do: func(ctx context.Context, u *engine.User) error {
				_, err := u.Get(ctx, "/work", "/work")
				return err
			}}}}},
	}
}

// quickConfig soaks s for d with fast polling.
func quickConfig(s *testService, d time.Duration) Config {
	return Config{
		Plan:         soakPlan(s, 4, 5*time.Millisecond, d),
		Sources:      []Source{InProcess(s.p)},
		PollInterval: 200 * time.Millisecond,
		Baseline:     600 * time.Millisecond,
		Settle:       time.Second,
		Drain:        3 * time.Second,
	}
}
