package engine

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// starts records which users a run started: "class/id", per run.
type starts struct {
	mu  sync.Mutex
	ids map[string][]string // run label -> "class/id"
}

func (s *starts) hook(run string) TaskFunc {
	return func(_ context.Context, u *User) error {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.ids[run] = append(s.ids[run], fmt.Sprintf("%s/%d", u.Class, u.ID))
		return nil
	}
}

// segmentPlan is the seed's 70/25/4/1 mix of users who do nothing but
// wait, each recording its start through st.
func segmentPlan(st *starts, run string, load Load, seg Segment) Plan {
	idle := func(context.Context, *User) error { return nil }
	var classes []Class
	for _, c := range []struct {
		name   string
		weight int
	}{{"Auth", 70}, {"Anon", 25}, {"Writer", 4}, {"Health", 1}} {
		classes = append(classes, Class{Name: c.name, Weight: c.weight, Wait: Constant{D: 50 * time.Millisecond},
			OnStart: st.hook(run), Tasks: []Task{{Weight: 1, Do: idle}}})
	}
	return Plan{Host: "http://127.0.0.1:9", RunID: "segtest", Classes: classes, Load: load,
		StopTimeout: 10 * time.Second, Interval: 50 * time.Millisecond, Segment: seg}
}

// TestSegmentsRunTheWholePlan: the whole plan run by one engine, and the
// same plan run by four engines of a segment each, start the same users:
// the same classes under the same numbers, 140/50/8/2 at 200 users,
// through a ramp down and up again. Every ramp spawns at once, so what
// each stage starts does not depend on timing.
func TestSegmentsRunTheWholePlan(t *testing.T) {
	load := Closed{Stages: []Stage{{100 * time.Millisecond, 200}, {100 * time.Millisecond, 50}, {100 * time.Millisecond, 120}}}
	st := &starts{ids: map[string][]string{}}
	if _, err := Run(context.Background(), segmentPlan(st, "whole", load, Segment{})); err != nil {
		t.Fatal(err)
	}
	parts := EqualParts(4)
	results := make([]*Result, len(parts))
	var wg sync.WaitGroup
	for i, seg := range parts {
		wg.Go(func() {
			res, err := Run(context.Background(), segmentPlan(st, seg.String(), load, seg))
			if err != nil {
				t.Error(err)
			}
			results[i] = res
		})
	}
	wg.Wait()
	var union []string
	first := map[string]int{} // the classes of users 1-200: the first stage's
	for i, seg := range parts {
		union = append(union, st.ids[seg.String()]...)
		res := results[i]
		if res == nil {
			t.FailNow()
		}
		if res.Segment != seg.String() || res.Users != 50 {
			t.Errorf("part %s: RunInfo says segment %q, %d users", seg, res.Segment, res.Users)
		}
		for _, u := range st.ids[seg.String()] {
			var class string
			var id int
			fmt.Sscanf(strings.Replace(u, "/", " ", 1), "%s %d", &class, &id)
			if id <= 200 {
				first[class]++
			}
		}
	}
	whole := st.ids["whole"]
	slices.Sort(whole)
	slices.Sort(union)
	if len(whole) != 270 || !slices.Equal(whole, union) {
		t.Errorf("the whole plan started %d users, the parts %d; they differ: %v",
			len(whole), len(union), symmetricDiff(whole, union))
	}
	if want := map[string]int{"Auth": 140, "Anon": 50, "Writer": 8, "Health": 2}; fmt.Sprint(first) != fmt.Sprint(want) {
		t.Errorf("the parts' first 200 users are %v together, want %v", first, want)
	}
}

func symmetricDiff(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, "-"+x)
		}
	}
	for _, x := range b {
		if !slices.Contains(a, x) {
			out = append(out, "+"+x)
		}
	}
	return out[:min(len(out), 10)]
}

// TestSegmentsOpenModel: an open model's arrivals over three unequal
// parts add up, class by class, to the whole plan's, stage by stage, and
// no two parts number a worker alike.
func TestSegmentsOpenModel(t *testing.T) {
	load := Open{Stages: []RateStage{{100 * time.Millisecond, 200}, {100 * time.Millisecond, 500}}}
	type tally struct {
		mu      sync.Mutex
		classes map[string]int
		ids     map[int]bool
	}
	run := func(seg Segment) (*Result, *tally) {
		tl := &tally{classes: map[string]int{}, ids: map[int]bool{}}
		p := segmentPlan(&starts{ids: map[string][]string{}}, "", load, seg)
		for i := range p.Classes {
			p.Classes[i].Tasks[0].Do = func(_ context.Context, u *User) error {
				tl.mu.Lock()
				defer tl.mu.Unlock()
				tl.classes[u.Class]++
				tl.ids[u.ID] = true
				return nil
			}
		}
		res, err := Run(context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		return res, tl
	}
	whole, wt := run(Segment{})
	parts, err := Split("1/2", "1/4", "1/4")
	if err != nil {
		t.Fatal(err)
	}
	var arrivals int64
	sum := map[string]int{}
	owner := map[int]string{}
	for _, seg := range parts {
		res, tl := run(seg)
		arrivals += res.Total.Schedule.Arrivals
		if res.Total.Schedule.Dropped > 0 {
			t.Fatalf("part %s dropped %d arrivals", seg, res.Total.Schedule.Dropped)
		}
		for c, n := range tl.classes {
			sum[c] += n
		}
		for id := range tl.ids {
			if o, dup := owner[id]; dup {
				t.Errorf("worker %d numbered by parts %s and %s", id, o, seg)
			}
			owner[id] = seg.String()
		}
	}
	if whole.Total.Schedule.Arrivals != 70 || arrivals != 70 {
		t.Errorf("arrivals: whole plan %d, parts %d, want 70 (20 + 50)", whole.Total.Schedule.Arrivals, arrivals)
	}
	if fmt.Sprint(sum) != fmt.Sprint(wt.classes) {
		t.Errorf("arrivals by class: parts %v, whole plan %v", sum, wt.classes)
	}
}
