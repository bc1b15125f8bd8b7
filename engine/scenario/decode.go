package scenario

import (
	"context"
	"errors"
	"math"
	"net/textproto"
	"path"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/soaklab/soak/engine/analysis"
	"github.com/soaklab/soak/engine/scenario/internal/bounds"
	"github.com/soaklab/soak/engine/scenario/internal/template"
)

// decode parses data into a Scenario, reporting every problem found.
// open opens data files relative to the scenario (nil: none can be
// read). The bounds (package bounds) are checked in order of cost: the
// size, then bounds.Prescan before the YAML parser runs, then
// bounds.ExpandAliases before the decoder walks the tree. When ctx is done, decode returns its error
// (wrapped) instead of the problems; it is checked between the steps and
// within every step but goccy/go-yaml's parse, which the bounds keep
// short (see docs/performance.md).
func decode(ctx context.Context, name string, data []byte, open dataOpener) (*Scenario, error) {
	rep := &reporter{file: name, pos: positions{"": {Line: 1, Column: 1}}, ctx: ctx}
	s := &Scenario{File: name, Thresholds: analysis.DefaultThresholds(), rep: rep}
	s.Name = strings.TrimSuffix(path.Base(strings.ReplaceAll(name, "\\", "/")), path.Ext(name))
	if err := ctx.Err(); err != nil {
		return nil, parseStopped(name, err)
	}
	if len(data) > bounds.MaxFileBytes {
		rep.at(Pos{}, "", "file larger than %d MiB", bounds.MaxFileBytes>>20)
		return nil, rep.probs.err()
	}
	if c, err := bounds.Prescan(ctx, data); err != nil {
		return nil, parseStopped(name, err)
	} else if c != nil {
		rep.at(Pos{Line: c.Line, Column: c.Column}, "", "%s", c.Msg)
		return nil, rep.probs.err()
	}
	f, err := parser.ParseBytes(data, 0)
	if err := ctx.Err(); err != nil {
		return nil, parseStopped(name, err)
	}
	if err != nil {
		var ye yaml.Error
		if errors.As(err, &ye) && ye.GetToken() != nil && ye.GetToken().Position != nil {
			p := ye.GetToken().Position
			rep.at(Pos{p.Line, p.Column}, "", "YAML: %s", ye.GetMessage())
		} else {
			rep.at(Pos{}, "", "YAML: %v", err)
		}
		return nil, rep.probs.err()
	}
	var body ast.Node
	for _, doc := range f.Docs {
		if doc == nil || doc.Body == nil {
			continue
		}
		if body != nil {
			rep.at(posOf(doc.Body), "", "more than one YAML document (---); a scenario is one document")
			break
		}
		body = doc.Body
	}
	if body == nil {
		rep.at(Pos{1, 1}, "", "empty file: a scenario needs at least classes:")
		return nil, rep.probs.err()
	}
	targets, crossed, err := bounds.ExpandAliases(ctx, body)
	if err != nil {
		return nil, parseStopped(name, err)
	}
	if crossed != nil {
		rep.at(posOf(crossed.Node), "", "%s", crossed.Msg)
		return nil, rep.probs.err()
	}
	d := &decoder{reporter: rep, targets: targets}
	d.scenario(s, body, open)
	s.data = append(s.data, d.inline...)
	// Validate even a scenario with decode problems, so that one pass
	// shows them all; a field that failed to decode kept its default,
	// which keeps follow-on reports to a minimum.
	if !rep.canceled() {
		s.check(rep)
	}
	if rep.canceled() || ctx.Err() != nil {
		return nil, parseStopped(name, ctx.Err())
	}
	if len(rep.probs) > 0 {
		return nil, rep.probs.err()
	}
	return s, nil
}

// scenario decodes the top level.
func (d *decoder) scenario(s *Scenario, n ast.Node, open dataOpener) {
	var classNodes ast.Node
	classesSeen := false
	var dataNode ast.Node
	ok := d.fieldSet(n, "", map[string]func(ast.Node, string){
		"name":         func(v ast.Node, f string) { s.Name, _ = d.str(v, f) },
		"description":  func(v ast.Node, f string) { s.Description, _ = d.str(v, f) },
		"host":         func(v ast.Node, f string) { s.Host, _ = d.str(v, f) },
		"duration":     func(v ast.Node, f string) { setIf(&s.Duration)(d.duration(v, f)) },
		"stop_timeout": func(v ast.Node, f string) { setIf(&s.StopTimeout)(d.duration(v, f)) },
		"timeout":      func(v ast.Node, f string) { setIf(&s.Timeout)(d.duration(v, f)) },
		"max_rps":      func(v ast.Node, f string) { setIf(&s.MaxRPS)(d.rate(v, f, true, "requests/s")) },
		"fail_fast":    func(v ast.Node, f string) { s.FailFast, _ = d.boolean(v, f) },
		"load":         func(v ast.Node, f string) { s.Load = d.load(v, f) },
		"wait":         func(v ast.Node, f string) { s.wait, _ = d.wait(v, f) },
		"headers":      func(v ast.Node, f string) { s.headers = d.headers(v, f) },
		"data":         func(v ast.Node, f string) { dataNode = v },
		"classes":      func(v ast.Node, f string) { classNodes, classesSeen = v, true },
		"thresholds": func(v ast.Node, f string) {
			d.thresholds(&s.Thresholds, v, f)
		},
	})
	if !ok {
		return
	}
	if dataNode != nil {
		es, _ := d.entries(dataNode, "data")
		for _, e := range es {
			f := join("data", e.key)
			d.pos[f] = e.kpos
			switch {
			case !template.IsIdent(e.key) || strings.HasPrefix(e.key, "_"):
				d.at(e.kpos, f, "%q is not a data source name (letters, digits, _ and -, not starting with _)", e.key)
			case e.key == "user" || e.key == "uuid" || e.key == "random_int":
				d.at(e.kpos, f, "%q is a built-in name; choose another", e.key)
			default:
				s.data = append(s.data, d.decodeSource(e.val, f, e.key, open))
			}
		}
	}
	if !classesSeen {
		d.at(d.pos[""], "classes", "missing: a scenario needs at least one user class")
		return
	}
	items, _ := d.list(classNodes, "classes")
	if len(items) == 0 && d.resolve(classNodes, "classes") != nil {
		d.field("classes", "empty: a scenario needs at least one user class")
	}
	for i, item := range items {
		s.classes = append(s.classes, d.class(item, index("classes", i)))
	}
}

// setIf returns a function that stores a decoded value in dst only when
// it decoded, so that a bad value leaves the default in place.
func setIf[T any](dst *T) func(T, bool) {
	return func(v T, ok bool) {
		if ok {
			*dst = v
		}
	}
}

// headers decodes a mapping of header names to value templates.
func (d *decoder) headers(n ast.Node, field string) []param {
	ps := d.params(n, field, d.value)
	seen := map[string]string{}
	out := ps[:0]
	for _, p := range ps {
		name := textproto.CanonicalMIMEHeaderKey(p.name)
		if first, dup := seen[name]; dup {
			d.field(p.field, "header %s given twice (also as %s)", name, first)
			continue
		}
		seen[name], p.name = p.name, name
		out = append(out, p)
	}
	return out
}

// params decodes a mapping of names to values, each decoded by value.
func (d *decoder) params(n ast.Node, field string, value func(ast.Node, string) (string, bool)) []param {
	es, _ := d.entries(n, field)
	var out []param
	for _, e := range es {
		f := join(field, e.key)
		d.pos[f] = posOf(e.val)
		if e.val == nil {
			d.pos[f] = e.kpos
		}
		if v, ok := value(e.val, f); ok {
			out = append(out, param{name: e.key, value: v, field: f})
		}
	}
	return out
}

// value decodes a template value: a scalar, or an inline data source
// ({pick: [a, b], order: round_robin}), which becomes an anonymous source
// referenced as {{_N}}.
func (d *decoder) value(n ast.Node, field string) (string, bool) {
	switch d.resolve(n, field).(type) {
	case *ast.MappingNode, *ast.MappingValueNode:
		src := d.decodeSource(n, field, "", nil)
		src.name = "_" + strconv.Itoa(len(d.inline)+1)
		d.inline = append(d.inline, src)
		return "{{" + src.name + "}}", true
	}
	return d.str(n, field)
}

// positiveRate reports whether f is a finite rate > 0 (or >= 0 when zero
// is allowed).
func positiveRate(f float64, zeroOK bool) bool {
	return !math.IsNaN(f) && !math.IsInf(f, 0) && f <= 1e9 && (f > 0 || zeroOK && f == 0)
}
