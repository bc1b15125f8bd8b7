package locustfile

import (
	"fmt"
	"strconv"
	"strings"
)

// maxNoteBytes bounds the Python a note quotes.
const maxNoteBytes = 100

// YAML writes the sketch as a soak scenario, every TODO a comment that
// names the locustfile's line; source is the locustfile's name, for
// those comments. The result is always valid YAML; soak validate then
// names what is left to finish (the variables the tasks need, say).
func (f *File) YAML(source string) []byte {
	w := &yamlWriter{src: comment(source)}
	w.linef(0, "# A soak scenario sketched from %s by soak: its user classes, weights, waits, host,", w.src)
	w.linef(0, "# tasks and requests, read from the Python, never run. Finish each TODO (bodies, captures,")
	w.linef(0, "# data: docs/locust.md#porting-a-locustfile), then check it with soak validate FILE.")
	for _, n := range f.Notes {
		w.note(0, n)
	}
	host := ""
	for _, c := range f.Classes {
		if c.Host != "" {
			host = c.Host
			break
		}
	}
	if host != "" {
		w.linef(0, "host: %s", quote(host))
	} else {
		w.linef(0, "# host: give it here or with --host")
	}
	w.linef(0, "classes:")
	for _, c := range f.Classes {
		w.class(c, host)
	}
	return []byte(w.b.String())
}

type yamlWriter struct {
	b   strings.Builder
	src string
}

func (w *yamlWriter) linef(indent int, format string, args ...any) {
	w.b.WriteString(strings.Repeat(" ", indent))
	fmt.Fprintf(&w.b, format, args...)
	w.b.WriteByte('\n')
}

func (w *yamlWriter) note(indent int, n Note) {
	w.linef(indent, "# TODO (%s:%d): %s", w.src, n.Line, comment(n.Text))
}

func (w *yamlWriter) class(c Class, host string) {
	w.linef(2, "- name: %s   # %s:%d", quote(c.Name), w.src, c.Line)
	if c.Fixed > 0 {
		w.linef(4, "fixed: %d", c.Fixed)
	} else if c.Weight > 0 {
		w.linef(4, "weight: %d", c.Weight)
	}
	if c.Wait != "" {
		w.linef(4, "wait: %s", quote(c.Wait))
	}
	if c.Host != "" && c.Host != host {
		w.linef(4, "# TODO (%s:%d): this class's host is %s; soak loads one host per run", w.src, c.Line, comment(c.Host))
	}
	for _, n := range c.Notes {
		w.note(4, n)
	}
	if len(c.Vars) > 0 {
		w.linef(4, "vars:")
		for _, v := range c.Vars {
			w.linef(6, "%s: %s   # %s:%d", v.Name, quote(v.Template), w.src, v.Line)
		}
	}
	if len(c.OnStart) > 0 {
		w.linef(4, "on_start:")
		w.requests(6, c.OnStart)
	}
	if len(c.OnStop) > 0 {
		w.linef(4, "on_stop:")
		w.requests(6, c.OnStop)
	}
	if c.Retry > 0 {
		w.linef(4, "retry:   # %s:%d logs in again on a 401 (docs/scenarios.md#retry): check it", w.src, c.Retry)
		w.linef(6, "status: 401")
	}
	w.linef(4, "tasks:")
	if len(c.Tasks) == 0 {
		w.linef(6, "- get: \"/\"   # TODO (%s:%d): no @task found: write the class's tasks", w.src, c.Line)
	}
	for _, t := range c.Tasks {
		w.linef(6, "- name: %s   # %s:%d", quote(t.Name), w.src, t.Line)
		w.linef(8, "weight: %d", t.Weight)
		for _, n := range t.Notes {
			w.note(8, n)
		}
		w.linef(8, "steps:")
		if len(t.Requests) == 0 {
			w.linef(10, "- get: \"/\"   # TODO (%s:%d): no self.client request found: write the task's requests", w.src, t.Line)
		}
		w.requests(10, t.Requests)
	}
}

// shorthands are the methods a scenario writes as a key (get: /path).
var shorthands = map[string]bool{"GET": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true, "HEAD": true, "OPTIONS": true}

func (w *yamlWriter) requests(indent int, rs []Request) {
	for _, r := range rs {
		if shorthands[r.Method] {
			w.linef(indent, "- %s: %s   # %s:%d", strings.ToLower(r.Method), quote(r.Path), w.src, r.Line)
		} else {
			w.linef(indent, "- method: %s   # %s:%d", quote(r.Method), w.src, r.Line)
			w.linef(indent+2, "path: %s", quote(r.Path))
		}
		if r.Name != "" {
			w.linef(indent+2, "name: %s", quote(r.Name))
		}
		for _, n := range r.Notes {
			w.note(indent+2, n)
		}
	}
}

// quote writes s as a YAML double-quoted scalar (Go's escapes are
// YAML's).
func quote(s string) string { return strconv.Quote(s) }

// comment makes s safe in a YAML comment: printable ASCII, on one line,
// runs of spaces as one, at most maxNoteBytes.
func comment(s string) string {
	var b strings.Builder
	for i := 0; i < len(s) && b.Len() < maxNoteBytes; i++ {
		c := s[i]
		switch {
		case c == ' ' && i > 0 && s[i-1] == ' ':
		case c >= ' ' && c < 0x7f:
			b.WriteByte(c)
		default:
			b.WriteByte('?')
		}
	}
	if b.Len() >= maxNoteBytes && len(s) > maxNoteBytes {
		b.WriteString("...")
	}
	return b.String()
}
