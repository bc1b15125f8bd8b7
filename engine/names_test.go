package engine

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// A scenario that forgets the grouping name on a path with an id: the
// run records MaxNames pairs under their own name and counts every other
// request, exactly, under (method, OtherName), failures and errors too.
func TestMaxNamesOverflowIsExact(t *testing.T) {
	var mu sync.Mutex
	got := map[string]int{} // path -> requests the server answered
	srv := server(t, nil, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got[r.URL.Path]++
		mu.Unlock()
		if strings.HasPrefix(r.URL.Path, "/story/bad") {
			w.WriteHeader(http.StatusInternalServerError)
		}
	})
	// One user walks 12 distinct GET paths in order, each 1 to 3 times
	// in a row, and a POST after the third: the first 3 pairs seen are
	// recorded by name, the 9 other GETs and the POST overflow.
	var tasks []Task
	for i := range 12 {
		path := fmt.Sprintf("/story/%d", i)
		if i >= 8 {
			path = fmt.Sprintf("/story/bad-%d", i)
		}
		tasks = append(tasks, Task{Weight: 1 + i%3, Do: get(path, "")})
		if i == 2 {
			tasks = append(tasks, Task{Weight: 1, Do: func(ctx context.Context, u *User) error {
				_, err := u.Do(ctx, &Request{Method: http.MethodPost, Path: "/story/new"})
				return err
			}})
		}
	}
	// StopTimeout lets the last request finish: the server's tally is then
	// exactly what the run must have recorded.
	p := Plan{Host: srv.URL, Duration: ms(400), StopTimeout: time.Minute, MaxNames: 3, Load: Closed{Users: 1},
		Classes: []Class{{Name: "N", Weight: 1, Sequential: true, Tasks: tasks}}}
	res := mustRun(t, context.Background(), p)

	mu.Lock()
	defer mu.Unlock()
	if res.MaxNames != 3 {
		t.Errorf("RunInfo.MaxNames %d", res.MaxNames)
	}
	var other, otherBad, all int64
	for path, n := range got {
		all += int64(n)
		if s := res.Total.Stat(http.MethodGet, path); s != nil {
			if s.Requests != int64(n) {
				t.Errorf("%s: %d recorded, %d answered", path, s.Requests, n)
			}
			continue
		}
		if path == "/story/new" {
			continue
		}
		other += int64(n)
		if strings.Contains(path, "bad") {
			otherBad += int64(n)
		}
	}
	var named int
	for _, s := range res.Total.Stats {
		if s.Name != OtherName {
			named++
		}
	}
	if named != 3 {
		t.Fatalf("%d pairs recorded by name, want MaxNames 3: %v", named, statNames(res.Total.Stats))
	}
	o := stat(res, http.MethodGet, OtherName)
	if o.Requests != other || o.Failures() != otherBad || other == 0 || otherBad == 0 {
		t.Fatalf("(other): %d requests, %d failures; the server answered %d, %d of them failed",
			o.Requests, o.Failures(), other, otherBad)
	}
	if post := stat(res, http.MethodPost, OtherName); got["/story/new"] == 0 || post.Requests != int64(got["/story/new"]) {
		t.Fatalf("POST (other): %d requests, %d answered: each method has its own overflow", post.Requests, got["/story/new"])
	}
	if total := res.Total.Total().Requests; total != all {
		t.Fatalf("%d recorded, %d answered: a request was dropped", total, all)
	}
	if len(res.Total.Errors) != 1 || res.Total.Errors[0].Name != OtherName || res.Total.Errors[0].Count != otherBad {
		t.Fatalf("errors %+v: want the 500s under %s", res.Total.Errors, OtherName)
	}
}

func statNames(stats []Stat) []string {
	var out []string
	for _, s := range stats {
		out = append(out, s.Method+" "+s.Name)
	}
	return out
}

// The cap holds under concurrent admission: exactly max pairs admitted,
// each decision final.
func TestNamesConcurrent(t *testing.T) {
	n := newNames(50)
	var wg sync.WaitGroup
	results := make([][]statKey, 8)
	for g := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				results[g] = append(results[g], n.resolve(statKey{"GET", fmt.Sprint("/p/", (i*7+g*13)%200)}))
			}
		}()
	}
	wg.Wait()
	admitted := map[string]bool{}
	for _, rs := range results {
		for _, k := range rs {
			if k.name != OtherName {
				admitted[k.name] = true
			}
		}
	}
	if len(admitted) != 50 {
		t.Fatalf("%d pairs admitted, want 50", len(admitted))
	}
	for i := range 200 {
		name := fmt.Sprint("/p/", i)
		if k := n.resolve(statKey{"GET", name}); (k.name == name) != admitted[name] {
			t.Fatalf("%s: the decision changed", name)
		}
	}
}
