package scenario

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/soaklab/soak/engine/analysis"
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
		raw = redactURL(raw)
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
		_, terr := compileTemplate(p, escPath, &scope{vars: map[string]bool{}})
		switch {
		case !strings.HasPrefix(p, "/"):
			bad(raw, "must be a path starting with / or an http:// URL")
			continue
		case terr != nil:
			bad(raw, "%s", strings.TrimPrefix(terr.Error(), "template: "))
			continue
		case strings.ContainsAny(outsideTemplates(p), " \t\r\n#"):
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

// outsideTemplates returns s without its {{...}} expressions.
func outsideTemplates(s string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, "{{")
		if i < 0 {
			return b.String() + s
		}
		b.WriteString(s[:i])
		j := strings.Index(s[i:], "}}")
		if j < 0 {
			return b.String()
		}
		s = s[i+j+2:]
	}
}

// redactURL hides the password of a URL that holds one, for messages.
func redactURL(s string) string {
	if u, err := url.Parse(strings.TrimSpace(s)); err == nil && u.User != nil {
		return u.Redacted()
	}
	return s
}
