package clock

import (
	"context"
	"testing"
	"time"
)

func TestSleepUntil(t *testing.T) {
	ctx := context.Background()
	if !SleepUntil(ctx, time.Now().Add(-time.Hour)) {
		t.Error("a time in the past did not come")
	}
	if !SleepUntil(ctx, time.Now().Add(time.Millisecond)) {
		t.Error("a time 1 ms away did not come")
	}
	done, cancel := context.WithCancel(ctx)
	cancel()
	// An hour away: only the cancelled context can end the wait (the
	// test would time out otherwise).
	if SleepUntil(done, time.Now().Add(time.Hour)) {
		t.Error("a cancelled context reported the time came")
	}
	if SleepUntil(done, time.Now().Add(-time.Hour)) {
		t.Error("a cancelled context reported a past time came")
	}
}

func TestSleepEndsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	ended := make(chan struct{})
	go func() { defer close(ended); Sleep(ctx, time.Hour) }()
	cancel()
	<-ended // would time out the test if Sleep ignored ctx
	Sleep(context.Background(), 0)
	Sleep(context.Background(), -time.Second)
}
