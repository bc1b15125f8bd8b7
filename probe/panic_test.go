package probe

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
)

type panickyWriter struct{ http.ResponseWriter }

func (panickyWriter) Write([]byte) (int, error) { panic("writer broke") }

func TestHandlerPanicStaysInside(t *testing.T) {
	p := New()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/snapshot", nil)
	p.Handler().ServeHTTP(panickyWriter{rec}, req) // must return, not panic
	p.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/snapshot", nil))
	snap, _ := p.Snapshot(context.Background())
	if snap.ProbePanics != 1 {
		t.Errorf("probe panics = %d, want 1", snap.ProbePanics)
	}
}
