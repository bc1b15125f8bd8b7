package live

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/soaklab/soak/engine/capture"
)

func warning(i int) capture.Warning {
	return capture.Warning{Kind: capture.WarnHeld, Source: "svc", Where: fmt.Sprintf("main.(*store).Story%d", i),
		Route: "GET /stories/:id", What: "3 pgx-conn held longer than the leak threshold (30s)",
		Time: t0.Add(34 * time.Second), At: 34 * time.Second}
}

func TestWarningLogLine(t *testing.T) {
	for _, v := range []Verbosity{Everything, WarningsOnly} {
		var b strings.Builder
		p := New(&b, false)
		p.SetVerbosity(v)
		p.Start(info())
		p.Warning(warning(1))
		want := "2026-11-28T05:00:34Z soak: warning at 0m34s, held-too-long in main.(*store).Story1 (GET /stories/:id): 3 pgx-conn held longer than the leak threshold (30s) [probe svc]\n"
		if !strings.HasSuffix(b.String(), want) {
			t.Errorf("verbosity %d: log\n%s\nlacks the line\n%s", v, b.String(), want)
		}
	}
}

func TestWarningTerminalView(t *testing.T) {
	var b strings.Builder
	p := New(&b, true)
	p.Start(info())
	p.Interval(interval(0, 20, 100, 0, 0, 12))
	for i := range 5 {
		p.Warning(warning(i))
	}
	view := strings.Join(p.viewLines(), "\n")
	for _, want := range []string{"warning at 0m34s, held-too-long in main.(*store).Story0", "Story2 (GET", "... and 2 more warnings"} {
		if !strings.Contains(view, want) {
			t.Errorf("view lacks %q:\n%s", want, view)
		}
	}
	if strings.Contains(view, "Story3") {
		t.Errorf("view shows more than %d warnings:\n%s", maxWarningLines, view)
	}
}
