package middleware

import (
	"net/http"
	"slices"
	"testing"

	"github.com/soaklab/soak/middleware/internal/mwtest"
	"github.com/soaklab/soak/probe"
	"github.com/soaklab/soak/probe/label"
)

func TestHTTPLabels(t *testing.T) {
	for _, tc := range mwtest.LabelCases {
		t.Run(tc.Name, func(t *testing.T) {
			mux := http.NewServeMux()
			var got mwtest.Seen
			mux.HandleFunc("GET /api/stories/{slug}", func(w http.ResponseWriter, r *http.Request) {
				got = mwtest.CaptureLabels(r.Context())
				w.WriteHeader(204)
			})
			h := HTTPWithConfig(HTTPConfig{Probe: probe.New(), Labels: mwtest.Mode[LabelMode](t, tc.Mode)})(mux)
			res := mwtest.Do(t, mwtest.Serve(t, h), "GET", "/api/stories/abc", tc.Header, nil)
			got.Header = res.Header
			mwtest.CheckSeen(t, tc.Name, got, tc.Want, "GET", "GET /api/stories/{slug}")
		})
	}
}

// TestHTTPLabelsRestored: after a labelled request the handling
// goroutine's pprof labels are those it had before.
func TestHTTPLabelsRestored(t *testing.T) {
	mwtest.CheckLabelsRestored(t, func(handler http.HandlerFunc) http.Handler {
		mux := http.NewServeMux()
		mux.Handle("GET /api/stories/{slug}", handler)
		return HTTP(probe.New())(mux)
	})
}

// TestPprofLabelKeys: the documented keys the tests check labels under.
func TestPprofLabelKeys(t *testing.T) {
	got := []string{PprofMethod, PprofRoute, PprofClass, PprofRequest, PprofRun}
	want := []string{mwtest.PprofMethod, mwtest.PprofRoute, mwtest.PprofClass, mwtest.PprofRequest, mwtest.PprofRun}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("pprof label key %q, documented %q", got[i], want[i])
		}
	}
	if err := LabelMode(9).Validate(); err == nil {
		t.Error("LabelMode(9) is valid")
	}
}

// TestCPUProfileLabels captures a real CPU profile while soak-labelled
// requests burn CPU in their handlers, and finds the route and user class
// on the samples taken inside the handler.
func TestCPUProfileLabels(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /burn/{n}", mwtest.BurnHandler)
	mwtest.CPUProfileLabels(t, mwtest.Serve(t, HTTP(probe.New())(mux)).URL, "GET /burn/{n}")
}

// TestLabelModeLookup: Lookup's answer is Considers', and its values are
// the label header's whenever the request may be labelled.
func TestLabelModeLookup(t *testing.T) {
	with := http.Header{label.Header: {"class=C"}}
	for _, tc := range []struct {
		mode   LabelMode
		h      http.Header
		wantOK bool
		wantVs []string
	}{
		{LabelSoak, with, true, with[label.Header]},
		{LabelSoak, http.Header{}, false, nil},
		{LabelAll, with, true, with[label.Header]},
		{LabelAll, http.Header{}, true, nil},
		{LabelOff, with, false, nil},
	} {
		vs, ok := tc.mode.Lookup(tc.h)
		if ok != tc.wantOK || !slices.Equal(vs, tc.wantVs) || tc.mode.Considers(tc.h) != ok {
			t.Errorf("%v, header %v: Lookup %q %v, Considers %v; want %q %v", tc.mode, tc.h, vs, ok, tc.mode.Considers(tc.h), tc.wantVs, tc.wantOK)
		}
	}
}
