package pgxprobe_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/soaklab/soak/internal/testenv"
	"github.com/soaklab/soak/probe"
	"github.com/soaklab/soak/probe/pgxprobe"
)

// TestVerifyNoneUsage is the pattern docs/probe.md shows for a service's
// own tests: the code under test must release every connection and close
// every Rows before the test ends.
func TestVerifyNoneUsage(t *testing.T) {
	p := probe.New()
	cfg, err := pgxpool.ParseConfig(testenv.DatabaseURL(t))
	if err != nil {
		t.Fatal(err)
	}
	db := pgxprobe.New(p, "main", cfg)
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	db.Observe(pool)
	defer p.VerifyNone(t)

	rows, err := pool.Query(context.Background(), "SELECT 1")
	if err != nil {
		t.Fatal(err)
	}
	rows.Close()
}

// fakeT records what VerifyNone reports.
type fakeT struct{ errs []string }

func (*fakeT) Helper()             {}
func (f *fakeT) Error(args ...any) { f.errs = append(f.errs, "error") }

func TestVerifyNoneFails(t *testing.T) {
	p := probe.New()
	pool, _ := newPool(t, p, 2)
	c, err := leakyShelves(shelvesCtx(), pool)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Release()
	var ft fakeT
	p.VerifyNone(&ft, probe.MaxWait(0))
	if len(ft.errs) != 1 {
		t.Errorf("VerifyNone reported %d errors for a held connection", len(ft.errs))
	}
	p.VerifyNone(t, probe.MaxWait(0), probe.IgnoreFunction(findGroup(p.Leaks(0), probe.LeakPGXConn).Function))
	p.VerifyNone(t, probe.MaxWait(0), probe.IgnoreKind(probe.LeakPGXConn), probe.IgnoreKind(probe.LeakPGXQuery))
}
