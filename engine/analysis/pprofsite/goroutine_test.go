package pprofsite

import (
	"bytes"
	"runtime/pprof"
	"strings"
	"sync"
	"testing"
	"time"
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
