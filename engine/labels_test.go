package engine

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/soaklab/soak/probe/label"
)

// TestLabelsOnTheWire: both clients (soak's h1 and net/http) send the
// labels as exactly one Soak-Labels header that probe/label parses back to
// the run, the class, a user number of the run and the request's name
// (the path when it has none). Each run ends after 30 requests (at most a
// minute).
func TestLabelsOnTheWire(t *testing.T) {
	for _, client := range []string{"", "net/http"} {
		t.Run("client="+client, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var mu sync.Mutex
			var sets []label.Set
			var headers [][]string
			srv := server(t, nil, func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				defer mu.Unlock()
				sets = append(sets, label.Parse(r.Header))
				headers = append(headers, r.Header[label.Header])
				if len(sets) == 30 {
					cancel()
				}
			})
			p := Plan{Host: srv.URL, RunID: "run-wire-1", Duration: time.Minute, Load: Closed{Users: 3},
				Transport: Transport{Client: client},
				Classes: []Class{{Name: "Reader", Weight: 1, Tasks: []Task{
					{Weight: 1, Do: get("/s/1", "/s/[id]")}, {Weight: 1, Do: get("/plain", "")},
				}}}}
			mustRun(t, ctx, p)
			srv.Close()
			mu.Lock()
			defer mu.Unlock()
			if len(sets) < 30 {
				t.Fatalf("only %d requests", len(sets))
			}
			for i, s := range sets {
				if len(headers[i]) != 1 {
					t.Fatalf("request %d: %d %s headers, want 1", i, len(headers[i]), label.Header)
				}
				n, err := strconv.Atoi(s.User)
				if s.Run != "run-wire-1" || s.Class != "Reader" || err != nil || n < 1 || n > 3 ||
					(s.Request != "/s/[id]" && s.Request != "/plain") {
					t.Fatalf("request %d: labels %+v from %q", i, s, headers[i][0])
				}
			}
		})
	}
}
