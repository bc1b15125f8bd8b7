package scenario

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/soaklab/soak/engine/analysis"
	"github.com/soaklab/soak/engine/scenario/internal/template"
	"github.com/soaklab/soak/internal/redact"
)

// QuickClass is the name of the one user class of a [Quick] scenario.
const QuickClass = "QuickUser"

// Quick builds the scenario of the CLI's quick mode (--url, repeatable,
// as hey and vegeta take a URL): one user class, QuickClass, whose tasks
// GET each URL with equal weight, each grouped under its own path. An
// item is a path ("/api/items?page=2") or a full http(s) URL, which sets
// Host; full URLs must agree on their host. The load, duration and wait
// come from Options when the plan is built; the thresholds are the
// defaults. Problems name the flag: `--url "x": ...`.
func Quick(urls ...string) (*Scenario, error) {
	s := &Scenario{Name: "quick", Thresholds: analysis.DefaultThresholds()}
	cl := &class{name: QuickClass, weight: 1, field: "--url"}
	var probs Problems
	bad := func(u, format string, args ...any) {
		probs = append(probs, &Problem{Field: "--url", Msg: fmt.Sprintf("%q: ", u) + fmt.Sprintf(format, args...)})
	}
	if len(urls) == 0 {
		probs = append(probs, &Problem{Field: "--url", Msg: "no URL: give at least one path such as /health"})
	}
	for _, raw := range urls {
		p := strings.TrimSpace(raw)
		raw = redact.URL(raw)
		if strings.HasPrefix(p, "http://") || strings.HasPrefix(p, "https://") {
			u, err := url.Parse(p)
			if err != nil || u.Host == "" {
				bad(raw, "not a URL")
				continue
			}
			if u.User != nil {
				bad(raw, "holds credentials, which soak does not send from a URL; use a scenario with an Authorization header")
				continue
			}
			host := u.Scheme + "://" + u.Host
			if s.Host != "" && s.Host != host {
				bad(raw, "host %s differs from %s of an earlier --url; soak loads one host per run", host, s.Host)
				continue
			}
			s.Host = host
			p = u.RequestURI()
		}
		_, terr := template.Compile(p, template.InPath, &template.Scope{})
		switch {
		case !strings.HasPrefix(p, "/"):
			bad(raw, "must be a path starting with / or an http:// URL")
			continue
		case terr != nil:
			bad(raw, "%s", templateMsg(terr))
			continue
		case strings.ContainsAny(template.Literal(p), " \t\r\n#"):
			bad(raw, "contains a space, line break or #; write %%20 for a space")
			continue
		}
		name := p
		if strings.Contains(p, "{{") {
			name = defaultName(p) // a templated path groups as /items/[x]
		}
		st := &step{method: "GET", path: p, name: name, field: fmt.Sprintf("--url %q", raw)}
		cl.tasks = append(cl.tasks, &task{weight: 1, steps: []*step{st}, field: st.field})
	}
	if len(probs) > 0 {
		return nil, probs
	}
	s.classes = []*class{cl}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return s, nil
}
