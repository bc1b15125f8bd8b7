package engine

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// controlled runs p (whose Duration is long) with a Control, calls
// change once an interval satisfies before, and stops the load once an
// interval satisfies after. It fails the test if either never comes
// within the context's bound.
func controlled(t *testing.T, p Plan, before func(*Interval) bool, change func(*Control) error, after func(*Interval) bool) *Result {
	t.Helper()
	c := NewControl()
	stop := make(chan struct{})
	p.Control, p.Stop = c, stop
	var once, stopOnce sync.Once
	var changeErr error
	changed, done := false, false
	p.OnInterval = func(iv *Interval) {
		switch {
		case !changed && before(iv):
			once.Do(func() { changed, changeErr = true, change(c) })
		case changed && after(iv):
			done = true
			stopOnce.Do(func() { close(stop) })
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res := mustRun(t, ctx, p)
	if changeErr != nil {
		t.Fatalf("change: %v", changeErr)
	}
	if !done {
		t.Fatalf("the change never showed in an interval (changed %v)", changed)
	}
	if !res.Stopped || res.Canceled {
		t.Fatalf("ending %s, want stopped", res.Ending())
	}
	return res
}

// SetUsers mid-run moves a closed-model load from 5 to 50 users: the
// engine's intervals show 50 running users, and the change is listed as
// an unplanned stage boundary in its interval and in Result.Changes.
func TestControlSetUsers(t *testing.T) {
	srv := server(t, nil, func(w http.ResponseWriter, r *http.Request) {})
	p := Plan{Host: srv.URL, Duration: time.Minute, Interval: ms(100), Load: Closed{Users: 5},
		Classes: []Class{{Name: "u", Weight: 1, Wait: Constant{D: ms(20)}, Tasks: []Task{{Weight: 1, Do: get("/", "")}}}}}
	res := controlled(t, p, func(iv *Interval) bool { return iv.Users == 5 },
		func(c *Control) error { return c.SetUsers(50) },
		func(iv *Interval) bool { return iv.Users == 50 })
	ch := res.Changes()
	if len(ch) != 1 || ch[0].Users != 50 || ch[0].Rate != 0 || ch[0].At.IsZero() {
		t.Fatalf("changes %+v, want one to 50 users", ch)
	}
	if ch[0].At.Before(res.Start) || ch[0].At.After(res.End) {
		t.Errorf("change at %v, outside the run %v..%v", ch[0].At, res.Start, res.End)
	}
	if res.PeakUsers != 50 {
		t.Errorf("peak users %d, want 50", res.PeakUsers)
	}
	if got := ch[0].String(); got != "users changed to 50" {
		t.Errorf("String %q", got)
	}
	// Down again: 50 -> 0 users is a change too.
	p.Load = Closed{Users: 50}
	res = controlled(t, p, func(iv *Interval) bool { return iv.Users == 50 },
		func(c *Control) error { return c.SetUsers(0) },
		func(iv *Interval) bool { return iv.Users == 0 })
	if ch := res.Changes(); len(ch) != 1 || ch[0].Users != 0 || !ch[0].Zero {
		t.Fatalf("changes %+v, want one to 0 users", ch)
	}
}

// SetRate mid-run raises an open-model load from 20 to 400 arrivals/s:
// the intervals' arrivals follow.
func TestControlSetRate(t *testing.T) {
	srv := server(t, nil, func(w http.ResponseWriter, r *http.Request) {})
	p := Plan{Host: srv.URL, Duration: time.Minute, Interval: ms(100), Load: Open{Rate: 20},
		Classes: []Class{{Name: "u", Weight: 1, Tasks: []Task{{Weight: 1, Do: get("/", "")}}}}}
	seen := 0
	res := controlled(t, p, func(iv *Interval) bool { seen++; return seen >= 3 },
		func(c *Control) error { return c.SetRate(400) },
		// 400/s is 40 per 100 ms interval; 20/s is 2. More than 10 is
		// the new rate's, even with a late interval boundary.
		func(iv *Interval) bool { return len(iv.Changes) == 0 && iv.Schedule.Arrivals > 10 })
	ch := res.Changes()
	if len(ch) != 1 || ch[0].Rate != 400 || ch[0].String() != "rate changed to 400/s" {
		t.Fatalf("changes %+v, want one to 400/s", ch)
	}
}

// The setters refuse what does not fit: no run, the wrong model, out of
// bounds.
func TestControlErrors(t *testing.T) {
	c := NewControl()
	if err := c.SetUsers(3); !errors.Is(err, ErrNotRunning) {
		t.Errorf("before a run: %v, want ErrNotRunning", err)
	}
	if c.Model() != "" {
		t.Errorf("model %q before a run", c.Model())
	}
	srv := server(t, nil, func(w http.ResponseWriter, r *http.Request) {})
	p := Plan{Host: srv.URL, Duration: time.Minute, Interval: ms(100), Load: Closed{Users: 1}, Control: c,
		Classes: []Class{{Name: "u", Weight: 1, Wait: Constant{D: ms(20)}, Tasks: []Task{{Weight: 1, Do: get("/", "")}}}}}
	stop := make(chan struct{})
	p.Stop = stop
	var errs []error
	var once sync.Once
	p.OnInterval = func(iv *Interval) {
		once.Do(func() {
			errs = append(errs, c.SetRate(10), c.SetUsers(-1), c.SetUsers(MaxControlUsers+1), c.SetRate(0))
			close(stop)
		})
	}
	mustRun(t, context.Background(), p)
	if !errors.Is(errs[0], ErrWrongModel) {
		t.Errorf("SetRate on a closed run: %v, want ErrWrongModel", errs[0])
	}
	for i, err := range errs[1:] {
		if err == nil {
			t.Errorf("out-of-bounds change %d accepted", i)
		}
	}
	if err := c.SetUsers(3); !errors.Is(err, ErrNotRunning) {
		t.Errorf("after the run: %v, want ErrNotRunning", err)
	}
}

// A change is saved with its interval and read back; a bad one is
// refused with the field named.
func TestChangeSaved(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	iv := &Interval{Span: 1, Start: at, End: at.Add(time.Second), Changes: []Change{{At: at, Users: 50}, {At: at, Zero: true}}}
	var b bytes.Buffer
	if err := NewIntervalWriter(&b).Write(iv); err != nil {
		t.Fatal(err)
	}
	got, err := DecodeInterval(bytes.TrimSpace(b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Changes) != 2 || got.Changes[0] != iv.Changes[0] || !got.Changes[1].Zero {
		t.Fatalf("changes read back %+v", got.Changes)
	}
	bad := strings.Replace(b.String(), `"users":50`, `"users":-5`, 1)
	if _, err := DecodeInterval([]byte(bad)); err == nil || !strings.Contains(err.Error(), "changes[0]") {
		t.Fatalf("a negative change's users: %v", err)
	}
}

// A change interrupts a ramp: a load ramping to 100 users at 2 per
// second, changed to 3 while 1 runs, stays at 3.
func TestControlInterruptsRamp(t *testing.T) {
	srv := server(t, nil, func(w http.ResponseWriter, r *http.Request) {})
	p := Plan{Host: srv.URL, Duration: time.Minute, Interval: ms(100), Load: Closed{Users: 100, SpawnRate: 2},
		Classes: []Class{{Name: "u", Weight: 1, Wait: Constant{D: ms(20)}, Tasks: []Task{{Weight: 1, Do: get("/", "")}}}}}
	changedAt := -1
	res := controlled(t, p, func(iv *Interval) bool {
		if iv.Users >= 1 {
			changedAt = iv.Seq
			return true
		}
		return false
	},
		func(c *Control) error { return c.SetUsers(3) },
		// 3 users 30 intervals (3 s) after the change: the ramp's pace
		// would have added about 6 more by then.
		func(iv *Interval) bool { return iv.Users == 3 && iv.Seq >= changedAt+30 })
	if res.PeakUsers != 3 {
		t.Errorf("peak users %d, want 3: the ramp went on past the change", res.PeakUsers)
	}
}
