package probe

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
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

func TestTracerPanicStaysInside(t *testing.T) {
	p := New()
	pg := p.PGX("main", nil)
	//lint:ignore SA1012 a nil context makes the tracer panic on purpose.
	pg.TraceAcquireEnd(nil, nil, pgxpool.TraceAcquireEndData{Err: errors.New("boom")}) //nolint:staticcheck
	snap, _ := p.Snapshot(context.Background())
	if ps, _ := snap.Pool("main"); ps.TracerPanics != 1 || snap.ProbePanics != 1 {
		t.Errorf("tracer panics = %d, probe panics %d", ps.TracerPanics, snap.ProbePanics)
	}
}
