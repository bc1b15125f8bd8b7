package poll

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestPollerAtMostOncePerInterval(t *testing.T) {
	var p Poller[int]
	t0 := time.Date(2026, 2, 18, 12, 0, 0, 0, time.UTC)
	calls := 0
	answer, fail := 0, error(nil)
	fetch := func(context.Context) (*int, error) {
		calls++
		if fail != nil {
			return nil, fail
		}
		v := answer
		return &v, nil
	}
	ctx := context.Background()
	answer = 1
	if v, err := p.Poll(ctx, t0, time.Second, "INFO", fetch); v == nil || *v != 1 || err != "" {
		t.Fatalf("first poll: %v %q", v, err)
	}
	answer = 2
	if v, _ := p.Poll(ctx, t0.Add(999*time.Millisecond), time.Second, "INFO", fetch); *v != 1 || calls != 1 {
		t.Errorf("within the interval: %d after %d calls, want the last answer without a call", *v, calls)
	}
	fail = errors.New("dial redis://:hunter2@127.0.0.1:1: refused")
	v, err := p.Poll(ctx, t0.Add(time.Second), time.Second, "INFO", fetch)
	if v == nil || *v != 1 || err != "INFO: dial redis://:REDACTED@127.0.0.1:1: refused" {
		t.Errorf("after a failure: %v %q, want the last good answer and the redacted failure", v, err)
	}
	fail = nil
	if v, err := p.Poll(ctx, t0.Add(2*time.Second), time.Second, "INFO", fetch); *v != 2 || err != "" || calls != 3 {
		t.Errorf("recovered: %d %q after %d calls", *v, err, calls)
	}
}

func TestLastErrorRecent(t *testing.T) {
	var l LastError
	t0 := time.Date(2026, 2, 18, 12, 0, 0, 0, time.UTC)
	if l.Recent(t0, time.Second) != "" {
		t.Error("an error before any was set")
	}
	l.Set(nil, t0)
	l.Set(errors.New("password=hunter2 refused"), t0)
	if got := l.Recent(t0.Add(30*time.Second), 5*time.Second); got != "password=REDACTED refused" {
		t.Errorf("within 30 s: %q", got)
	}
	if got := l.Recent(t0.Add(31*time.Second), 5*time.Second); got != "" {
		t.Errorf("after 30 s (2 intervals of 5 s are less): %q", got)
	}
	if got := l.Recent(t0.Add(50*time.Second), 30*time.Second); got == "" {
		t.Error("within two intervals of 30 s the error is forgotten")
	}
}
