package scenario

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/probe/label"
)

// TestDataPartitionedBySegments: three engines sharing a plan (a
// segment each) hand out per_user rows and round_robin values without
// overlap: each row goes to one user of one engine, as in one engine.
func TestDataPartitionedBySegments(t *testing.T) {
	var rows strings.Builder
	rows.WriteString("name\n")
	for i := range 120 {
		fmt.Fprintf(&rows, "u%03d\n", i)
	}
	var turns []string
	for i := range 2000 {
		turns = append(turns, fmt.Sprintf("t%d", i))
	}
	sc := mustLoad(t, `
data:
  acc: {csv: acc.csv}
  turn: {pick: [`+strings.Join(turns, ", ")+`], order: round_robin}
wait: 20ms
classes:
  - name: A
    weight: 3
    tasks: [{get: '/x?u={{acc.name}}&t={{turn}}'}]
  - name: B
    weight: 1
    tasks: [{get: '/x?u={{acc.name}}&t={{turn}}'}]
`, map[string]string{"acc.csv": rows.String()})
	type seen struct {
		mu          sync.Mutex
		users, turn map[string]string // value -> segment
		dup         []string
	}
	s := &seen{users: map[string]string{}, turn: map[string]string{}}
	userOf := map[string]string{} // row -> user label, within one segment
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	start := time.Now()
	handler := func(seg string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s.mu.Lock()
			defer s.mu.Unlock()
			u, tn := r.URL.Query().Get("u"), r.URL.Query().Get("t")
			if o, ok := s.users[u]; ok && o != seg {
				s.dup = append(s.dup, "row "+u+" in "+o+" and "+seg)
			}
			if o, ok := userOf[seg+u]; ok && o != label.Parse(r.Header).User {
				s.dup = append(s.dup, "row "+u+" for two users of "+seg)
			}
			userOf[seg+u] = label.Parse(r.Header).User
			s.users[u] = seg
			if _, ok := s.turn[tn]; ok {
				s.dup = append(s.dup, "turn "+tn+" twice")
			}
			s.turn[tn] = seg
			// Stop once every row was seen and 300 ms went by, or 1,500
			// turns were taken (below the 2,000 values), whichever is
			// first: not after a fixed time, which on a loaded machine
			// can end before every user has sent.
			if (len(s.users) == 90 && time.Since(start) >= 300*time.Millisecond) || len(s.turn) >= 1500 {
				cancel()
			}
		})
	}
	var wg sync.WaitGroup
	for _, seg := range engine.EqualParts(3) {
		p, err := sc.Plan(Options{Handler: handler(seg.String()), Load: engine.Closed{Users: 90}, Duration: time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		p.Segment, p.RunID, p.StopTimeout = seg, "parted", 5*time.Second
		wg.Go(func() {
			if _, err := engine.Run(ctx, p); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	// A cancelled run can return while its in-process server still
	// finishes a handler: read what the handlers saw under their lock.
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.dup) > 0 {
		t.Errorf("data handed out twice: %v", s.dup[:min(len(s.dup), 5)])
	}
	if len(s.users) != 90 {
		t.Errorf("%d distinct rows for 90 users", len(s.users))
	}
	if len(s.turn) >= len(turns) {
		t.Fatalf("%d turns taken: the test must stay below the %d values to see overlaps", len(s.turn), len(turns))
	}
}
