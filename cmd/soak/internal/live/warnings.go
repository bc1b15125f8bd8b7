package live

import (
	"fmt"

	"github.com/soaklab/soak/engine/capture"
)

// maxWarningLines bounds the early warnings the terminal view shows; the
// rest are counted ("... and 3 more warnings").
const maxWarningLines = 3

// warnings is what the view keeps of the early warnings: the first few
// lines and how many came.
type warnings struct {
	lines []string
	n     int
}

// Warning shows an early warning as it is raised (runner.Config.OnWarning):
// under the figures on a terminal, else as a log line at the time it was
// warned. Warnings are written at every verbosity.
func (p *Progress) Warning(w capture.Warning) {
	p.mu.Lock()
	defer p.mu.Unlock()
	line := "warning " + w.String()
	p.warns.n++
	if len(p.warns.lines) < maxWarningLines {
		p.warns.lines = append(p.warns.lines, line)
	}
	if p.tty {
		p.draw()
		return
	}
	p.logf(w.Time, "%s", line)
}

// warningLines are the terminal view's warning lines.
func (p *Progress) warningLines() []string {
	out := append([]string(nil), p.warns.lines...)
	if more := p.warns.n - len(p.warns.lines); more > 0 {
		out = append(out, fmt.Sprintf("... and %d more warnings", more))
	}
	return out
}
