package pprofsite

import (
	"bytes"
	"context"
	"maps"
	"runtime/pprof"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/soaklab/soak/probe/label"
)

// parkedForGrowthTest blocks until release is closed: the goroutines the
// test starts wait here, a place GoroutineGrowth must name.
func parkedForGrowthTest(release <-chan struct{}, wg *sync.WaitGroup) {
	defer wg.Done()
	<-release
}

func ownGoroutines(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := pprof.Lookup("goroutine").WriteTo(&b, 0); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestGoroutineGrowthNamesTheGrowingPlace(t *testing.T) {
	base := ownGoroutines(t)
	release := make(chan struct{})
	var wg sync.WaitGroup
	for range 25 {
		wg.Add(1)
		go parkedForGrowthTest(release, &wg)
	}
	defer func() { close(release); wg.Wait() }()
	var sus []Growth
	var err error
	for range 500 { // the goroutines must have started and reached their place
		sus, err = GoroutineGrowth(base, ownGoroutines(t), 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(sus) > 0 && sus[0].Value >= 25 && strings.HasSuffix(sus[0].Function, "parkedForGrowthTest") {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if len(sus) == 0 || !strings.HasSuffix(sus[0].Function, "parkedForGrowthTest") || sus[0].Value < 25 {
		t.Fatalf("top growth %+v, want parkedForGrowthTest with 25 goroutines", sus)
	}
	if sus[0].Share <= 0 || sus[0].Share > 1 || sus[0].Line == 0 {
		t.Errorf("suspect %+v: share and line", sus[0])
	}
	if _, err := GoroutineGrowth(nil, []byte("not a profile"), 0); err == nil {
		t.Error("a bad profile gave no error")
	}
}

// TestGoroutineStacksRoutes: goroutines started while a request's pprof
// labels were set (as soak's middleware sets them) are counted by that
// route, through the goroutine that started them; others have none.
func TestGoroutineStacksRoutes(t *testing.T) {
	release := make(chan struct{})
	var wg sync.WaitGroup
	start := func(n int) {
		for range n {
			wg.Add(1)
			go parkedForGrowthTest(release, &wg)
		}
	}
	labels := pprof.Labels(label.PprofMethod, "GET", label.PprofRoute, "/api/export", label.PprofClass, "Analyst")
	pprof.Do(context.Background(), labels, func(context.Context) {
		wg.Add(1)
		go func() { // a goroutine of the handler's, starting the ones that park (as net/http's dialer does)
			defer wg.Done()
			start(4)
		}()
	})
	start(3)
	defer func() { close(release); wg.Wait() }()
	var got map[Route]int64
	var total int64
	for range 500 {
		stacks, err := GoroutineStacks(ownGoroutines(t))
		if err != nil {
			t.Fatal(err)
		}
		got, total = map[Route]int64{}, 0
		for _, sc := range stacks {
			if strings.HasSuffix(sc.Site.Function, "parkedForGrowthTest") {
				total += sc.Count
				for r, n := range sc.Routes {
					got[r] += n
				}
			}
		}
		if total == 7 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	want := map[Route]int64{{Method: "GET", Route: "/api/export"}: 4}
	if total != 7 || !maps.Equal(got, want) {
		t.Errorf("%d parked, by route %v; want 7, %v (the 3 started outside a request have no route)", total, got, want)
	}
}
