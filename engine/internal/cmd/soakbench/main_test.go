package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"go.uber.org/goleak"

	"github.com/soaklab/soak/probe/label"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// --label-header prints the header line soakbench's own requests carry
// (cores.sh has wrk send it): the same but for the run ID, which differs
// per run.
func TestLabelHeader(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"--label-header", "--url", "/ok"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	name, printed, ok := strings.Cut(strings.TrimSpace(out.String()), ": ")
	if !ok || name != label.Header {
		t.Fatalf("printed %q, want a %s header line", out.String(), label.Header)
	}

	var mu sync.Mutex
	var sent []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		sent = append(sent, r.Header.Values(label.Header)...)
		mu.Unlock()
	}))
	defer srv.Close()
	out.Reset()
	if code := run([]string{"run", "--host", srv.URL, "--url", "/ok", "--users", "1", "--duration", "200ms", "--wait", "20ms"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	mu.Lock()
	defer mu.Unlock()
	if len(sent) == 0 {
		t.Fatal("soakbench sent no request with a label header")
	}
	norun := func(v string) string {
		s := label.ParseValue(v)
		s.Run = ""
		return s.Value()
	}
	if got, want := norun(sent[0]), norun(printed); got != want || len(sent[0]) != len(printed) {
		t.Errorf("soakbench sent %s: %q, --label-header printed %q", label.Header, sent[0], printed)
	}
}
