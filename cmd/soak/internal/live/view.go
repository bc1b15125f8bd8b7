package live

import (
	"fmt"
	"strings"
	"time"

	"github.com/soaklab/soak/internal/redact"
)

// maxProbeLines bounds the probe lines of the terminal view.
const maxProbeLines = 4

// draw redraws the terminal view in place: the cursor goes back up over
// the previous view, which is cleared, and the new one is written.
func (p *Progress) draw() {
	if !p.started {
		return
	}
	var b strings.Builder
	if p.drawn > 0 {
		fmt.Fprintf(&b, "\r\x1b[%dA\x1b[J", p.drawn)
	}
	lines := p.viewLines()
	for _, l := range lines {
		b.WriteString(redact.Text(l))
		b.WriteString("\x1b[K\n")
	}
	p.drawn = len(lines)
	_, _ = p.w.Write([]byte(b.String()))
}

// viewLines are the terminal view's lines.
func (p *Progress) viewLines() []string {
	lines := []string{p.headline(), p.elapsed()}
	for _, part := range strings.Split(p.figures(), " | ") {
		if len(lines) > 2 && len(lines[len(lines)-1])+len(part) < 76 {
			lines[len(lines)-1] += "   " + part
			continue
		}
		lines = append(lines, part)
	}
	lines = append(lines, fmt.Sprintf("requests %d, aborted %d", p.total.requests, p.total.aborted))
	for i, s := range p.probes {
		if i == maxProbeLines {
			lines = append(lines, fmt.Sprintf("... and %d more probes", len(p.probes)-maxProbeLines))
			break
		}
		lines = append(lines, s.describe(false))
	}
	lines = append(lines, p.workerLines(time.Now())...)
	lines = append(lines, p.warningLines()...)
	if p.note != "" {
		lines = append(lines, p.note)
	}
	return lines
}
