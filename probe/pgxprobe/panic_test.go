package pgxprobe_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/soaklab/soak/probe"
	"github.com/soaklab/soak/probe/pgxprobe"
)

func TestTracerPanicStaysInside(t *testing.T) {
	p := probe.New()
	pg := pgxprobe.New(p, "main", nil)
	//lint:ignore SA1012 a nil context makes the tracer panic on purpose.
	pg.TraceAcquireEnd(nil, nil, pgxpool.TraceAcquireEndData{Err: errors.New("boom")}) //nolint:staticcheck
	snap, _ := p.Snapshot(context.Background())
	if ps, _ := snap.Pool("main"); ps.TracerPanics != 1 || snap.ProbePanics != 1 {
		t.Errorf("tracer panics = %d, probe panics %d", ps.TracerPanics, snap.ProbePanics)
	}
}
