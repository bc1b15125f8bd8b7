package cowmap

import (
	"sync"
	"testing"
)

func TestMapBoundAndOrder(t *testing.T) {
	var m Map[string, int]
	if _, ok := m.Load("a"); ok || m.Len() != 0 || len(m.Values()) != 0 {
		t.Fatal("the zero Map is not empty")
	}
	for i, k := range []string{"c", "a", "b", "a", "d"} {
		v, ok := m.LoadOrCreate(k, 3, func() int { return i })
		switch {
		case k == "d" && ok:
			t.Errorf("LoadOrCreate(%q) beyond the bound: %d", k, v)
		case k != "d" && !ok:
			t.Errorf("LoadOrCreate(%q) refused", k)
		}
	}
	if v, _ := m.Load("a"); v != 1 {
		t.Errorf("a = %d: an existing entry was replaced", v)
	}
	if got := m.Values(); len(got) != 3 || got[0] != 0 || got[1] != 1 || got[2] != 2 || m.Len() != 3 {
		t.Errorf("values %v, len %d: want insertion order [0 1 2]", got, m.Len())
	}
}

// TestMapConcurrent creates the same keys from many goroutines: each key
// is created once, and -race stays silent.
func TestMapConcurrent(t *testing.T) {
	var m Map[int, *int]
	var created sync.Map
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; k < 100; k++ {
				m.LoadOrCreate(k, 1000, func() *int {
					if _, dup := created.LoadOrStore(k, true); dup {
						t.Errorf("key %d created twice", k)
					}
					return new(int)
				})
			}
		}()
	}
	wg.Wait()
	if m.Len() != 100 {
		t.Errorf("len %d, want 100", m.Len())
	}
}
