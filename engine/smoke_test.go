package engine

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestSmokeClosed(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/limited" {
			w.WriteHeader(429)
			return
		}
		w.Write([]byte(`{"ok":true}`))
	}))
	defer srv.Close()
	var got []*Interval
	res, err := Run(context.Background(), Plan{
		Host:     srv.URL,
		Duration: 1500 * time.Millisecond,
		Interval: 500 * time.Millisecond,
		Load:     Closed{Users: 4},
		Classes: []Class{{Name: "A", Weight: 1, Wait: Constant{D: 10 * time.Millisecond}, Tasks: []Task{
			{Weight: 3, Do: func(ctx context.Context, u *User) error { _, err := u.Get(ctx, "/ok", ""); return err }},
			{Weight: 1, Do: func(ctx context.Context, u *User) error { _, err := u.Get(ctx, "/limited", ""); return err }},
		}}},
		OnInterval: func(iv *Interval) { got = append(got, iv) },
	})
	if err != nil {
		t.Fatal(err)
	}
	tot := res.Total.Total()
	t.Logf("intervals %d, total %+v, p50 %d", len(got), tot.Requests, tot.Percentile(50))
	for _, s := range res.Total.Stats {
		t.Logf("%s %s req %d fail %d 429 %d aborted %d", s.Method, s.Name, s.Requests, s.Failures(), s.RateLimited, s.Aborted)
	}
}

func okHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) })
}
